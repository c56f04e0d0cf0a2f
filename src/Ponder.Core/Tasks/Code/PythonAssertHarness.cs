namespace Ponder.Tasks.Code;

/// <summary>
/// The trusted halves of Python's assert tests, run in the sandbox without the program. <see cref="Split"/> turns
/// each test into asserts of the form <c>assert CALL == EXPECTED</c> where it can (HumanEval's <c>check</c> bodies
/// of such asserts included) and computes EXPECTED from literals, builtins and the setup code alone; the program's
/// interpreter then only evaluates CALL and reports its value, and never sees what is expected. <see cref="Check"/>
/// compares a value that differs in form (2.0 for 2) with <c>==</c>, after parsing it as a literal: an object that
/// claims to equal everything is not a literal. A test of another form runs whole in the program's interpreter.
/// </summary>
static class PythonAssertHarness
{
    public const string Split = """"
        import ast, builtins, json, sys

        def main():
            spec = json.loads(sys.stdin.read())
            scope = {"__name__": "checks", "__builtins__": builtins}
            try:
                if spec["prelude"]:
                    exec(compile(spec["prelude"], "prompt.py", "exec"), scope)
                if spec["setup"]:
                    exec(compile(spec["setup"], "setup.py", "exec"), scope)
            except BaseException:
                scope = None
            items = []
            for test in spec["tests"]:
                items.extend(split(test, scope))
            sys.stdout.write(json.dumps(items))

        def split(test, scope):
            """The test as separately checkable asserts {"left", "right", "expected"}, or whole {"whole"}."""
            try:
                tree = ast.parse(test)
            except SyntaxError:
                return [{"whole": test}]
            statements = tree.body
            calls = [s for s in statements[1:] if is_check_call(s)]
            if statements and isinstance(statements[0], ast.FunctionDef) and statements[0].name == "check" and calls:
                check, entry = statements[0], calls[0].value.args[0].id
                rest = [s for s in statements[1:] if not is_check_call(s)]
                body = [s for s in check.body if not is_docstring(s)]
                if rest or not body or not all(isinstance(s, ast.Assert) for s in body):
                    return [{"whole": test}]
                param = check.args.args[0].arg if check.args.args else "candidate"
                statements = [Rename(param, entry).visit(s) for s in body]
            if not all(isinstance(s, ast.Assert) for s in statements):
                return [{"whole": test}]
            return [item(s, scope) for s in statements]

        def is_check_call(s):
            return (isinstance(s, ast.Expr) and isinstance(s.value, ast.Call)
                    and getattr(s.value.func, "id", "") == "check"
                    and len(s.value.args) == 1 and isinstance(s.value.args[0], ast.Name))

        def is_docstring(s):
            return isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant) and isinstance(s.value.value, str)

        class Rename(ast.NodeTransformer):
            def __init__(self, old, new):
                self.old, self.new = old, new
            def visit_Name(self, node):
                return ast.copy_location(ast.Name(self.new, node.ctx), node) if node.id == self.old else node

        def item(statement, scope):
            whole = {"whole": ast.unparse(ast.fix_missing_locations(statement))}
            test = statement.test
            equality = isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)
            if scope is None or not equality:
                return whole
            left, right = test.left, test.comparators[0]
            # The expected side must not call into the program: only literals, builtins and what the setup defines, and
            # no call of a name the program could define.
            bound = {n.id for n in ast.walk(right) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
            names = {n.id for n in ast.walk(right) if isinstance(n, ast.Name)} - bound
            if any(n not in scope and not hasattr(builtins, n) for n in names):
                return whole
            called = {n.func.id for n in ast.walk(right) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
            if any(n in scope and not hasattr(builtins, n) for n in called):
                return whole
            try:
                expected = eval(compile(ast.Expression(right), "test.py", "eval"), dict(scope))
                ast.literal_eval(repr(expected))
            except BaseException:
                return whole
            return {"left": ast.unparse(left), "right": ast.unparse(right), "expected": repr(expected)}

        main()
        """";

    public const string Check = """"
        import ast, builtins, json, sys

        def main():
            spec = json.loads(sys.stdin.read())
            scope = {"__name__": "checks", "__builtins__": builtins}
            if spec["prelude"]:
                exec(compile(spec["prelude"], "prompt.py", "exec"), scope)
            if spec["setup"]:
                exec(compile(spec["setup"], "setup.py", "exec"), scope)
            results = []
            for pair in spec["pairs"]:
                try:
                    actual = ast.literal_eval(pair["actual"])
                    expected = eval(compile(pair["right"], "test.py", "eval"), dict(scope))
                    results.append(bool(actual == expected))
                except BaseException:
                    results.append(False)
            sys.stdout.write(json.dumps(results))

        main()
        """";
}
