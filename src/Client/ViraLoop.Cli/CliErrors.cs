using System.Net.Http;
using System.Net.Sockets;
using ViraLoop.Client;
using ViraLoop.Media;

namespace ViraLoop.Cli;

/// <summary>
/// Every error of the remote commands as one line on stderr (never a stack trace) and its exit code: the API's problem
/// details (title, detail, status), an unreachable API or cluster, bad input.
/// </summary>
internal static class CliErrors
{
    public static int Report(Exception e, string where)
    {
        var (message, code) = Describe(e, where);
        Console.Error.WriteLine($"error: {message}");
        return code;
    }

    internal static (string Message, int Code) Describe(Exception e, string where) => e switch
    {
        CliException c => (c.Message, c.ExitCode),
        ViraLoopApiException a => (Problem(a), a.Status is >= 400 and < 500 and not 429 ? CliApp.BadInput : CliApp.Failed),
        HttpRequestException { StatusCode: { } status } h => ($"{where} answered {(int)status} {status}: {h.Message}", (int)status is >= 400 and < 500 and not 429 ? CliApp.BadInput : CliApp.Failed),
        HttpRequestException h => ($"Cannot reach the API at {where}: {Inner(h)}", CliApp.Failed),
        TaskCanceledException t when t.InnerException is TimeoutException => ($"The API at {where} did not answer in time.", CliApp.Failed),
        OperationCanceledException => ("Cancelled.", CliApp.Failed),
        KeyNotFoundException => ("Not found. There is no such video. (404)", CliApp.BadInput),
        MediaInputException or ArgumentException => (e.Message, CliApp.BadInput),
        InvalidOperationException => ($"The request conflicts with the video's state: {e.Message} (409)", CliApp.BadInput),
        MissingToolException => (e.Message, CliApp.MissingTool),
        SocketException or TimeoutException or Orleans.Runtime.OrleansException => ($"Cannot reach {where}: {e.Message}", CliApp.Failed),
        IOException or UnauthorizedAccessException => (e.Message, CliApp.Failed),
        _ => ($"{e.GetType().Name}: {e.Message}", CliApp.Failed),
    };

    private static string Problem(ViraLoopApiException a)
    {
        var title = a.Message.Length > 0 ? a.Message : $"HTTP {a.Status}";
        return $"{title} ({a.Status}{(a.Type.Length > 0 && !a.Type.StartsWith("http-", StringComparison.Ordinal) ? " " + a.Type : "")})";
    }

    /// <summary>The innermost reason (connection refused, name not known) rather than the wrapper's.</summary>
    private static string Inner(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e.Message;
    }
}
