using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Ponder.Server;

namespace Ponder.Tests.Serving;

/// <summary>Bodies that are not UTF-8 JSON, too large, or ill-typed: a 4xx in OpenAI's error shape, never a 500,
/// and never a .NET type name in the message. Sent as raw bytes, as a misbehaving client would.</summary>
public sealed class RequestBodyTests(ServedModel tiny) : IClassFixture<ServedModel>
{
    const string Chat =
        """{"model":"tiny","messages":[{"role":"user","content":"CONTENT"}],"max_completion_tokens":4}""";
    const string Responses = """{"model":"tiny","input":"CONTENT","max_output_tokens":4}""";

    public static TheoryData<string, string> BadText() =>
        new()
        {
            // 0xFF never occurs in UTF-8; 0xC3 opens a two-byte sequence that the quote does not continue.
            { "v1/chat/completions", "bytes:FF" },
            { "v1/chat/completions", "bytes:C3" },
            { "v1/responses", "bytes:FF" },
            { "v1/chat/completions", "escape:\\ud800" }, // a high surrogate with no low one after it
            { "v1/chat/completions", "escape:\\udc00x" }, // a low surrogate alone
            { "v1/responses", "escape:\\ud800" },
            { "v1/responses", "model:escape:\\ud800" }, // in a field read as a string, not as raw JSON
            { "v1/chat/completions", "model:bytes:FF" },
        };

    [Theory]
    [MemberData(nameof(BadText))]
    public async Task Given_a_string_that_is_not_valid_unicode_Then_400_saying_the_body_must_be_utf8_json(
        string path,
        string bad
    )
    {
        await using var h = await ServerHarness.StartAsync(tiny.Serving);
        string template = path.Contains("chat", StringComparison.Ordinal) ? Chat : Responses;
        byte[] body = Body(template, bad);

        var (status, json) = await Post(h, path, body, chunked: false);

        var error = AssertError(400, status, json);
        Assert.Contains("valid UTF-8 JSON", (string)error["message"]!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("v1/chat/completions")]
    [InlineData("v1/responses")]
    public async Task Given_a_chunked_body_over_1_MiB_Then_413(string path)
    {
        await using var h = await ServerHarness.StartAsync(tiny.Serving);
        string template = path.Contains("chat", StringComparison.Ordinal) ? Chat : Responses;
        byte[] body = Encoding.UTF8.GetBytes(
            template.Replace("CONTENT", new string('z', 3 << 19), StringComparison.Ordinal)
        );

        var (status, json) = await Post(h, path, body, chunked: true);

        AssertError(413, status, json);
    }

    [Fact]
    public async Task Given_a_chunked_body_under_the_limit_Then_it_is_served()
    {
        await using var h = await ServerHarness.StartAsync(tiny.Serving);
        byte[] body = Encoding.UTF8.GetBytes(Chat.Replace("CONTENT", "hi", StringComparison.Ordinal));

        var (status, _) = await Post(h, "v1/chat/completions", body, chunked: true);

        Assert.Equal(200, status);
    }

    public static TheoryData<string, string, string> IllTyped() =>
        new()
        {
            { "v1/chat/completions", "\"temperature\":\"hot\"", "'temperature' must be a number" },
            { "v1/chat/completions", "\"n\":2.5", "'n' must be an integer" },
            { "v1/chat/completions", "\"seed\":\"7\"", "'seed' must be an integer" },
            { "v1/chat/completions", "\"stream\":1", "'stream' must be true or false" },
            { "v1/chat/completions", "\"stream_options\":[]", "'stream_options' must be an object" },
            { "v1/chat/completions", "\"stream_options\":{\"include_usage\":\"yes\"}", "include_usage' must be" },
            { "v1/chat/completions", "\"metadata\":{\"k\":1}", "'metadata.k' must be a string" },
            { "v1/chat/completions", "\"messages\":{}", "'messages' must be an array" },
            { "v1/chat/completions", "\"messages\":[{\"role\":7}]", "'messages[0].role' must be a string" },
            { "v1/chat/completions", "\"frobnicate\":1", "'frobnicate'" },
            { "v1/chat/completions", "\"stream_options\":{\"x\":1}", "'stream_options.x'" },
            { "v1/responses", "\"max_output_tokens\":\"many\"", "'max_output_tokens' must be an integer" },
            { "v1/responses", "\"reasoning\":{\"effort\":3}", "'reasoning.effort' must be a string" },
            { "v1/responses", "\"input\":[{\"role\":\"user\",\"content\":\"x\",\"extra\":1}]", "'input[0].extra'" },
            { "v1/responses", "\"input\":[{\"role\":[]}]", "'input[0].role' must be a string" },
            // These reached a null or a non-string value the reader did not expect (500 before).
            { "v1/chat/completions", "\"messages\":[null]", "'messages[0]' must be an object" },
            {
                "v1/chat/completions",
                "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":5,\"text\":\"x\"}]}]",
                "only text parts"
            },
            { "v1/responses", "\"input\":[null]", "'input[0]' must be an object" },
            { "v1/responses", "\"input\":5", "'input' must be a string or an array of messages" },
        };

    [Theory]
    [MemberData(nameof(IllTyped))]
    public async Task Given_an_ill_typed_or_unknown_field_Then_the_message_names_it_and_no_dotnet_type(
        string path,
        string field,
        string expected
    )
    {
        await using var h = await ServerHarness.StartAsync(tiny.Serving);
        string template = path.Contains("chat", StringComparison.Ordinal) ? Chat : Responses;
        // The field goes last, so it replaces an earlier one of the same name (e.g. "messages", "input").
        string json = template.Replace("CONTENT", "hi", StringComparison.Ordinal)[..^1] + "," + field + "}";

        var (status, body) = await Post(h, path, Encoding.UTF8.GetBytes(json), chunked: false);

        string message = (string)AssertError(400, status, body)["message"]!;
        Assert.Contains(expected, message, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", message, StringComparison.Ordinal);
        Assert.DoesNotContain("`", message, StringComparison.Ordinal);
        Assert.DoesNotContain("JsonElement", message, StringComparison.Ordinal);
        Assert.DoesNotContain("Ponder.", message, StringComparison.Ordinal);
    }

    /// <summary>The template with CONTENT replaced: <c>bytes:XX</c> puts raw bytes in the content, <c>escape:…</c>
    /// a JSON escape, <c>model:…</c> the same in the model field instead.</summary>
    static byte[] Body(string template, string bad)
    {
        string slot = "CONTENT";
        if (bad.StartsWith("model:", StringComparison.Ordinal))
        {
            (template, slot, bad) = (
                template.Replace("\"tiny\"", "\"MODEL\"", StringComparison.Ordinal),
                "MODEL",
                bad[6..]
            );
            template = template.Replace("CONTENT", "hi", StringComparison.Ordinal);
        }
        int at = template.IndexOf(slot, StringComparison.Ordinal);
        byte[] inner = bad.StartsWith("bytes:", StringComparison.Ordinal)
            ? [(byte)'a', Convert.FromHexString(bad[6..])[0], (byte)'b']
            : Encoding.ASCII.GetBytes(bad["escape:".Length..]);
        return
        [
            .. Encoding.UTF8.GetBytes(template[..at]),
            .. inner,
            .. Encoding.UTF8.GetBytes(template[(at + slot.Length)..]),
        ];
    }

    /// <summary>Posts raw bytes; chunked sends no Content-Length, so the server learns the size only while
    /// reading.</summary>
    static async Task<(int Status, string Body)> Post(ServerHarness h, string path, byte[] body, bool chunked)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        request.Content = chunked ? new StreamContent(new UnknownLength(body)) : new ByteArrayContent(body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await h.Http.SendAsync(request);
        if (chunked)
            Assert.Null(request.Content.Headers.ContentLength);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    static JsonObject AssertError(int expectedStatus, int status, string body)
    {
        Assert.True(expectedStatus == status, $"expected {expectedStatus}, got {status}: {body}");
        var error = JsonNode.Parse(body)!["error"]!.AsObject();
        Assert.False(string.IsNullOrEmpty((string?)error["message"]));
        Assert.False(string.IsNullOrEmpty((string?)error["type"]));
        Assert.True(error.ContainsKey("param") && error.ContainsKey("code"));
        return error;
    }

    /// <summary>A stream that cannot tell its length, so HttpClient sends it chunked.</summary>
    sealed class UnknownLength(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
