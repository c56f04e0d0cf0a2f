using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Ponder.Server.Api;

/// <summary>An error answered in OpenAI's shape: <c>{"error": {"message", "type", "param", "code"}}</c>.</summary>
public sealed class ApiException : Exception
{
    public ApiException(
        int status,
        string message,
        string type = "invalid_request_error",
        string? param = null,
        string? code = null
    )
        : base(message)
    {
        (Status, Type, Param, Code) = (status, type, param, code);
    }

    public ApiException()
        : this(500, "internal error") { }

    public ApiException(string message)
        : this(400, message) { }

    public ApiException(string message, Exception inner)
        : base(message, inner) => (Status, Type) = (400, "invalid_request_error");

    public int Status { get; }
    public string Type { get; } = "invalid_request_error";
    public string? Param { get; }
    public string? Code { get; }

    public static ApiException BadRequest(string message, string? param = null, string? code = null) =>
        new(400, message, param: param, code: code);

    public JsonObject ToJson() =>
        new()
        {
            ["error"] = new JsonObject
            {
                ["message"] = Message,
                ["type"] = Type,
                ["param"] = Param,
                ["code"] = Code,
            },
        };

    public IResult ToResult() => Results.Json(ToJson(), statusCode: Status);
}
