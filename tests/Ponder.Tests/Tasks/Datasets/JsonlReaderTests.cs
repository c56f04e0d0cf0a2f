using Ponder.Tasks.Datasets;

namespace Ponder.Tests.Tasks.Datasets;

public sealed class JsonlReaderTests
{
    [Fact]
    public void Given_blank_lines_then_they_are_ignored_and_line_numbers_are_kept()
    {
        using var dir = new TempDir();
        var path = DatasetFiles.Write(dir, """{"question": "a"}""", "", "   ", """{"question": "b", "answer": 25}""");

        var file = JsonlReader.Read(path);

        Assert.Equal([1, 4], file.Rows.Select(r => r.Line));
        Assert.Equal("25", file.Rows[1].Require("answer", "answer")); // numbers become their JSON text
        Assert.Equal(0, file.Skipped);
    }

    [Theory]
    [InlineData("{\"question\": ")]
    [InlineData("not json")]
    [InlineData("[1, 2]")] // valid JSON, but not an object
    public void Given_a_malformed_line_then_error_names_file_and_line(string bad)
    {
        using var dir = new TempDir();
        var path = DatasetFiles.Write(dir, """{"question": "a"}""", "", bad);

        var error = Assert.Throws<PonderException>(() => JsonlReader.Read(path));

        Assert.StartsWith($"{path}:3: not valid JSON (", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_skip_malformed_then_bad_lines_are_counted_and_good_rows_kept()
    {
        using var dir = new TempDir();
        var path = DatasetFiles.Write(dir, "oops", """{"question": "a"}""", "{", """{"question": "b"}""", "42");

        var file = JsonlReader.Read(path, skipMalformed: true);

        Assert.Equal(3, file.Skipped);
        Assert.Equal([2, 4], file.Rows.Select(r => r.Line));
    }

    [Fact]
    public void Given_a_missing_field_then_error_names_file_line_field_and_the_fix()
    {
        using var dir = new TempDir();
        var path = DatasetFiles.Write(dir, """{"prompt": "a"}""");
        var row = JsonlReader.Read(path).Rows[0];

        var error = Assert.Throws<PonderException>(() => row.Require("question", "question"));

        Assert.Equal(
            $"{path}:1: field \"question\" is missing; set --field question=NAME to use another field",
            error.Message
        );
    }

    [Fact]
    public void Given_an_object_field_then_error_says_it_is_not_text()
    {
        using var dir = new TempDir();
        var row = JsonlReader.Read(DatasetFiles.Write(dir, """{"question": {"text": "a"}}""")).Rows[0];

        var error = Assert.Throws<PonderException>(() => row.Require("question", "question"));

        Assert.Contains(
            "field \"question\" is object, expected a string or a number",
            error.Message,
            StringComparison.Ordinal
        );
    }

    [Fact]
    public void Given_a_missing_file_then_error_names_it()
    {
        var error = Assert.Throws<PonderException>(() => JsonlReader.Read("/nonexistent/data.jsonl"));

        Assert.StartsWith("/nonexistent/data.jsonl: file not found", error.Message, StringComparison.Ordinal);
    }
}
