using Ponder.Tasks;
using Ponder.Tasks.Code;

namespace Ponder.Tests.Tasks.Code;

[Collection(CodeFixture.Collection)]
public sealed class CodeTaskTests
{
    [Fact]
    public void Given_the_sample_problems_When_reference_solutions_are_graded_Then_every_one_is_accepted()
    {
        var task = CodeFixture.Task();
        var problems = task.Problems(TaskSplit.Test, null);
        var solutions = CodeFixture.Rows().ToDictionary(r => r.Id, r => r.Solution);

        Assert.Equal(6, problems.Count);
        foreach (var problem in problems)
        {
            var grade = task.Grade(problem, CodeFixture.Answer(solutions[problem.Id]));
            Assert.True(grade.Correct, $"{problem.Id}: {grade.Verdict}");
            Assert.Equal(("accepted", 1.0), (grade.Verdict, grade.Score));
            Assert.StartsWith("outputs:", grade.Canonical, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Given_corrupted_solutions_When_graded_Then_each_gets_its_expected_verdict()
    {
        var task = CodeFixture.Task();
        var problems = task.Problems(TaskSplit.Test, null).ToDictionary(p => p.Id);
        var failures = new List<string>();
        foreach (var (id, solution, corrupted) in CodeFixture.Rows())
        {
            foreach (var (verdict, code) in corrupted)
            {
                var grade = task.Grade(problems[id], CodeFixture.Answer(code));
                if (grade.Verdict != verdict || grade.Correct)
                    failures.Add($"{id}: expected {verdict}, got {grade.Verdict} ({code})");
                // The next program grades normally whatever the last one did.
                Assert.True(task.Grade(problems[id], CodeFixture.Answer(solution)).Correct, id);
            }
        }
        Assert.Empty(failures);
    }

    [Fact]
    public void Given_a_program_passing_some_tests_When_graded_Then_the_score_is_the_passed_share()
    {
        var task = CodeFixture.Task();
        var problem = task.Problems(TaskSplit.Test, null).Single(p => p.Id == "digit-sum");
        // Right for 0 and 7 (one digit), wrong for 1234 (10) and 10**12 (1): 2 of 4.
        var grade = task.Grade(problem, CodeFixture.Answer("def digit_sum(n):\n    return n\n"));

        Assert.Equal(("wrong answer", 0.5, false), (grade.Verdict, grade.Score, grade.Correct));
        Assert.Equal("got 1234, expected 10", grade.Detail);
    }

    [Fact]
    public void Given_two_programs_with_the_same_outputs_When_graded_Then_their_canonical_answers_match()
    {
        var task = CodeFixture.Task();
        var problem = task.Problems(TaskSplit.Test, null).Single(p => p.Id == "gcd-of-list");
        var a = task.Grade(problem, CodeFixture.Answer("n = int(input())\nprint(min(map(int, input().split())))\n"));
        var b = task.Grade(
            problem,
            CodeFixture.Answer("input()\nxs = sorted(map(int, input().split()))\nprint(xs[0])\n")
        );
        var c = task.Grade(
            problem,
            CodeFixture.Answer("import math\ninput()\nprint(math.gcd(*map(int, input().split())))\n")
        );

        Assert.Equal(a.Canonical, b.Canonical);
        Assert.NotEqual(a.Canonical, c.Canonical);
        Assert.Null(task.Grade(problem, CodeFixture.Answer("print(")).Canonical);
        Assert.Null(task.Grade(problem, CodeFixture.Answer(null)).Canonical);
    }

    [Theory]
    [InlineData("import builtins\nbuiltins.exec = lambda *a, **k: None\n")]
    [InlineData("import json\njson.dumps = lambda *a, **k: 'pass'\njson.loads = lambda *a, **k: {}\n")]
    [InlineData("import os\nos.write = lambda fd, data: len(data)\n")]
    [InlineData("print('pass')\nprint('done')\n")]
    public void Given_a_program_that_patches_what_the_harness_uses_Then_its_tests_still_decide(string patch)
    {
        // digit_sum that returns 0 passes only digit_sum(0) == 0: 1 of 4.
        var task = CodeFixture.Task();
        var problem = task.Problems(TaskSplit.Test, null).Single(p => p.Id == "digit-sum");

        var grade = task.Grade(problem, CodeFixture.Answer(patch + "def digit_sum(n):\n    return 0\n"));

        Assert.Equal(("wrong answer", 0.25), (grade.Verdict, grade.Score));
    }

    [Fact]
    public void Given_a_humaneval_prompt_with_a_helper_When_the_program_omits_it_Then_the_prompt_supplies_it()
    {
        // HumanEval runs prompt + completion: a test may call a helper only the prompt defines.
        using var dir = new TempDir();
        string data = dir.File("he.jsonl");
        string prompt = "def helper(x):\n    return x * 2\n\n\ndef twice_plus_one(x):\n    \"\"\"helper(x) + 1\"\"\"\n";
        string test = "def check(candidate):\n    assert candidate(3) == 7\n    assert helper(5) == 10\n";
        File.WriteAllText(
            data,
            System.Text.Json.JsonSerializer.Serialize(
                new
                {
                    task_id = "HumanEval/x",
                    prompt,
                    test,
                    entry_point = "twice_plus_one",
                }
            ) + "\n"
        );
        var task = new CodeTask(
            CodeTaskOptions.Parse(data, new Dictionary<string, string> { ["format"] = "humaneval" }, null, false),
            CodeFixture.Sandbox
        );
        var problem = Assert.Single(task.Problems(TaskSplit.Test, null));

        var grade = task.Grade(problem, CodeFixture.Answer("def twice_plus_one(x):\n    return helper(x) + 1\n"));

        Assert.Equal("HumanEval/x", problem.Id);
        Assert.Equal("accepted", grade.Verdict);
        Assert.Contains("Complete the function `twice_plus_one`", task.Prompt(problem), StringComparison.Ordinal);
    }

    [Fact]
    public void Given_a_program_returning_an_object_equal_to_everything_Then_it_is_not_accepted()
    {
        var task = CodeFixture.Task();
        var problem = task.Problems(TaskSplit.Test, null).Single(p => p.Id == "digit-sum");
        string program =
            "class Anything:\n    def __eq__(self, other):\n        return True\n"
            + "    def __repr__(self):\n        return '0'\n\ndef digit_sum(n):\n    return Anything()\n";

        var grade = task.Grade(problem, CodeFixture.Answer(program));

        // Its repr "0" matches the expected "0" of digit_sum(0) only: 1 of 4, as a program returning 0 would.
        Assert.Equal(("wrong answer", 0.25), (grade.Verdict, grade.Score));
    }

    [Fact]
    public void Given_a_program_that_walks_to_the_harness_and_forges_passes_Then_it_is_not_accepted()
    {
        var task = CodeFixture.Task();
        var problem = task.Problems(TaskSplit.Test, null).Single(p => p.Id == "digit-sum");
        // Through a traceback to the harness's frame: its nonce and report channel, then "pass" for every test.
        string program =
            "import os\ndef digit_sum(n):\n    return 0\ntry:\n    raise RuntimeError\n"
            + "except RuntimeError as e:\n    f = e.__traceback__.tb_frame\n"
            + "    while f is not None and 'nonce' not in f.f_locals:\n        f = f.f_back\n"
            + "    out, nonce = f.f_locals['out'], f.f_locals['nonce']\n    for _ in range(4):\n"
            + "        os.write(out, nonce + b' pass \\n')\n    os.write(out, nonce + b' done \\n')\n    os._exit(0)\n";

        var grade = task.Grade(problem, CodeFixture.Answer(program));

        Assert.False(grade.Correct, grade.Verdict);
        Assert.Equal(0.0, grade.Score);
    }
}
