using System.Globalization;
using System.Text;

namespace ViraLoop.Runtime.RabbitMQ;

internal static class Headers
{
    public const string Key = "vl-key";
    public const string Type = "vl-type";
    public const string Deadline = "vl-deadline";
    public const string Sender = "vl-sender";
    public const string TraceParent = "traceparent";
    public const string Ok = "vl-ok";
    public const string ErrorType = "vl-error-type";
    public const string ErrorMessage = "vl-error-message";
    public const string RuntimeError = "vl-runtime-error";

    public static string? GetString(IDictionary<string, object?>? headers, string name) =>
        headers is not null && headers.TryGetValue(name, out var v) ? v switch
        {
            byte[] b => Encoding.UTF8.GetString(b),
            string s => s,
            null => null,
            _ => Convert.ToString(v, CultureInfo.InvariantCulture),
        } : null;

    public static long GetLong(IDictionary<string, object?>? headers, string name) =>
        headers is not null && headers.TryGetValue(name, out var v) ? v switch
        {
            long l => l,
            int i => i,
            byte[] b when long.TryParse(Encoding.UTF8.GetString(b), CultureInfo.InvariantCulture, out var p) => p,
            _ => 0,
        } : 0;

    public static bool GetBool(IDictionary<string, object?>? headers, string name) =>
        headers is not null && headers.TryGetValue(name, out var v) && v is true;
}
