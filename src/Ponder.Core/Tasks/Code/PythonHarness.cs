namespace Ponder.Tasks.Code;

/// <summary>
/// The Python harnesses run inside the sandbox. They compile the program first, so a syntax error is a compile
/// error rather than a runtime error. The function harness reads the tests from standard input (they are never a
/// file the program could open), silences the program's own output, and reports each test on a saved copy of
/// standard output, each line prefixed by a per-run nonce, so printing a result is not enough to forge one; what it
/// calls after the program has run was bound before.
/// </summary>
/// <remarks>A whole test runs in the program's own interpreter, as HumanEval's and MBPP's evaluations run them, and
/// cannot be made safe there: a program can walk its interpreter's frames (through a traceback, say) to the nonce
/// and the report channel. Tests of the form <c>assert CALL == EXPECTED</c> are therefore split
/// (<see cref="PythonAssertHarness"/>): for those this run reports only CALL's value.</remarks>
static class PythonHarness
{
    public const string Stdio = """
        import sys

        def main():
            path = "/code/solution.py"
            with open(path, "rb") as f:
                source = f.read()
            try:
                code = compile(source, "solution.py", "exec")
            except (SyntaxError, ValueError) as e:
                sys.stderr.write("ponder: compile error\n%s: %s\n" % (type(e).__name__, e))
                sys.stderr.flush()
                raise SystemExit(3)
            sys.argv = ["solution.py"]
            exec(code, {"__name__": "__main__", "__builtins__": __builtins__})

        main()
        """;

    public const string Function = """
        import os, sys

        def main():
            # Bound before the program runs: a program that replaces builtins or module attributes (exec, json.dumps,
            # os.write) changes what it sees, not these.
            _exec, _eval, _compile, _type, _str, _repr, _write = exec, eval, compile, type, str, repr, os.write
            _Assertion, _Memory, _Base = AssertionError, MemoryError, BaseException
            import json
            spec = json.loads(sys.stdin.read())
            nonce = spec.pop("nonce").encode()
            out = os.dup(1)
            null = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)

            def report(kind, detail=""):
                text = detail.replace("\n", " ")[-400:].encode("utf-8", "replace")
                _write(out, nonce + b" " + kind.encode() + b" " + text + b"\n")

            def describe(e):
                return _type(e).__name__ + ": " + _str(e)

            with open("/code/solution.py", "rb") as f:
                source = f.read()
            try:
                code = _compile(source, "solution.py", "exec")
            except (SyntaxError, ValueError) as e:
                report("compile", describe(e))
                return
            scope = {"__name__": "solution", "__builtins__": __builtins__}
            prelude, setup, items = spec["prelude"], spec["setup"], spec["items"]
            try:
                if prelude:
                    _exec(_compile(prelude, "prompt.py", "exec"), scope)
                _exec(code, scope)
                if setup:
                    _exec(_compile(setup, "setup.py", "exec"), scope)
            except _Memory:
                report("memory")
                return
            except _Base as e:
                report("error", describe(e))
                return
            for item in items:
                try:
                    if "left" in item:
                        value = _repr(_eval(_compile(item["left"], "test.py", "eval"), scope))
                        if len(value) > 100000:
                            report("fail", "value too long")
                        else:
                            text = value.replace("\n", " ").encode("utf-8", "replace")
                            _write(out, nonce + b" value " + text + b"\n")
                        continue
                    _exec(_compile(item["whole"], "test.py", "exec"), scope)
                    report("pass")
                except _Assertion as e:
                    report("fail", describe(e))
                except _Memory:
                    report("memory")
                except _Base as e:
                    report("error", describe(e))
            report("done")

        main()
        """;
}
