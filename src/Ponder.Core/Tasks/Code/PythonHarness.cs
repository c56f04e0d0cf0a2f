namespace Ponder.Tasks.Code;

/// <summary>
/// The Python harnesses run inside the sandbox. They compile the program first, so a syntax error is a compile
/// error rather than a runtime error. The function harness reads the tests from standard input (they are never a
/// file the program could open), silences the program's own output, and reports each test on a saved copy of
/// standard output, each line prefixed by a per-run nonce so the program cannot print a result of its own.
/// </summary>
/// <remarks>Assert tests run in the program's interpreter, as HumanEval's and MBPP's evaluations run them: a program
/// written to inspect its own interpreter's frames could find the harness's data. Standard-input problems share
/// nothing with their expected outputs, which never enter the sandbox.</remarks>
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
        import json, os, sys, traceback

        def main():
            spec = json.loads(sys.stdin.read())
            nonce = spec.pop("nonce")
            out = os.fdopen(os.dup(1), "w")
            null = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)

            def report(kind, detail=""):
                out.write(nonce + " " + json.dumps({"result": kind, "detail": detail[-400:]}) + "\n")
                out.flush()

            def describe(e):
                return "".join(traceback.format_exception_only(type(e), e)).strip()

            with open("/code/solution.py", "rb") as f:
                source = f.read()
            try:
                code = compile(source, "solution.py", "exec")
            except (SyntaxError, ValueError) as e:
                report("compile", describe(e))
                return
            scope = {"__name__": "solution", "__builtins__": __builtins__}
            try:
                exec(code, scope)
                if spec["setup"]:
                    exec(compile(spec["setup"], "setup.py", "exec"), scope)
            except MemoryError:
                report("memory")
                return
            except BaseException as e:
                report("error", describe(e))
                return
            for test in spec["tests"]:
                try:
                    exec(compile(test, "test.py", "exec"), scope)
                    report("pass")
                except AssertionError as e:
                    report("fail", describe(e))
                except MemoryError:
                    report("memory")
                except BaseException as e:
                    report("error", describe(e))
            report("done")

        main()
        """;
}
