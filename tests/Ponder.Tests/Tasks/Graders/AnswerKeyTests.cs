using Ponder.Evaluation;
using Ponder.Tasks;
using Ponder.Tasks.Datasets;
using Ponder.Tasks.Graders;

namespace Ponder.Tests.Tasks.Graders;

/// <summary>The voting key: answers share a key only if they are equivalent, so majority voting never pools
/// answers that grade differently.</summary>
public sealed class AnswerKeyTests
{
    static readonly string[] Extra =
    [
        "x=5",
        "y=5",
        "5",
        @"\frac{10}{2}",
        "5.0",
        @"5\%",
        "0.05",
        "(x+1)^2",
        "x^2+2x+1",
        @"\sqrt{18}",
        @"3\sqrt{2}",
        @"\sqrt{8}",
        @"2\sqrt{2}",
        "(1,2)",
        "[1,2]",
        "(1,2]",
        "1,2",
        @"\{2,1\}",
        "(2,1)",
        "E",
        "e",
        @"\text{E}",
        @"\text{Evelyn}",
        "Evelyn",
        "evelyn",
        @"\pi",
        "3.14159",
        @"\frac{\pi}{2}",
        @"\pi/2",
        "x",
        "X",
        "x+0",
        "0.5x",
        @"\frac{x}{2}",
        "(a+b)^2",
        "a^2+2ab+b^2",
        "(a-b)(a+b)",
        "a^2-b^2",
        @"\frac{x^2-1}{x-1}",
        "x+1",
        "6-5i",
        "-5i+6",
        @"\text{i}^2",
        "-1",
        "i^2",
        "Navin",
        @"\text{Navin}",
        "a_3",
        "A_3",
        @"\begin{pmatrix}1\\2\end{pmatrix}",
        @"\begin{pmatrix}1\\3\end{pmatrix}",
        "1/3",
        "0.333333",
        "0.3333333",
    ];

    [Fact]
    public void Given_every_answer_of_the_fixture_Then_equal_keys_only_for_equivalent_answers()
    {
        var answers = MathVerifyCase
            .All()
            .SelectMany(c => new[] { c.Gold, c.Pred })
            .Concat(Extra)
            .Distinct()
            .Select(a => (Text: a, Key: MathAnswer.Canonical(a)))
            .Where(a => a.Key.Length > 0)
            .ToList();

        var merged = new List<string>();
        foreach (var group in answers.GroupBy(a => a.Key).Where(g => g.Count() > 1))
        {
            var members = group.ToList();
            for (var i = 0; i < members.Count; i++)
            {
                for (var j = 0; j < members.Count; j++)
                {
                    if (i != j && !MathAnswer.Equivalent(members[i].Text, members[j].Text))
                        merged.Add($"key {group.Key}: {Short(members[i].Text)} ≠ {Short(members[j].Text)}");
                }
            }
        }

        Assert.True(merged.Count == 0, "keys merge answers that are not equivalent:\n" + string.Join("\n", merged));
    }

    [Theory]
    [InlineData("x=5", "y=5")]
    [InlineData("1/3", "0.333333")] // equivalent at 6 places, but a rounding is not an identity: two keys
    [InlineData(@"\pi", "3.14159")]
    [InlineData("x", "x+0")] // a variable compares as a name, x + 0 as an expression
    [InlineData("(1,2)", "[1,2]")]
    public void Given_answers_that_must_not_pool_Then_their_keys_differ(string a, string b) =>
        Assert.NotEqual(MathAnswer.Canonical(a), MathAnswer.Canonical(b));

    [Theory]
    [InlineData(@"\sqrt{18}", @"3\sqrt{2}")]
    [InlineData(@"\frac{10}{2}", "5.0")]
    [InlineData(@"\{2,1\}", "1,2")]
    [InlineData("x^2+2x", "2x+x^2")]
    [InlineData("(x+1)^2", "x^2+2x+1")]
    [InlineData(@"\frac{x}{2}", "0.5x")]
    [InlineData("6-5i", "-5i+6")]
    public void Given_answers_that_pool_Then_their_keys_are_equal(string a, string b) =>
        Assert.Equal(MathAnswer.Canonical(a), MathAnswer.Canonical(b));

    [Fact]
    public void Given_graded_samples_When_voting_Then_only_equivalent_answers_pool()
    {
        var task = new MathTask(MathTask.Defaults("unused.jsonl"));
        var problem = new Problem("p", "q", @"\frac{1}{3}", new Dictionary<string, string>());
        string[] completions =
        [
            @"\boxed{0.333}",
            @"\boxed{0.333}",
            @"\boxed{\frac{2}{6}}",
            @"So $\frac{1}{3}$.",
            "1/3",
        ];

        var samples = completions
            .Select((c, i) => (Grade: task.Grade(problem, c), Index: i))
            .Select(x => new GradedSample("p", x.Index, x.Grade.Canonical, x.Grade.Correct, null))
            .ToList();
        var winner = Metrics.MajorityVote(samples);

        // 2/6, \frac{1}{3} and 1/3 pool (3 votes) and outvote 0.333 (2 votes), which is wrong at six places and
        // never joins them: every key's samples grade alike.
        Assert.Equal("1/3", winner!.Canonical);
        Assert.True(winner.Correct);
        Assert.All(samples.GroupBy(s => s.Canonical), g => Assert.Single(g.Select(s => s.Correct).Distinct()));
    }

    static string Short(string s) => s.Length <= 60 ? s : s[..30] + " … " + s[^25..];
}
