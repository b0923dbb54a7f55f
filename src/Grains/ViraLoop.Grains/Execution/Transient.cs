using ViraLoop.Media;

namespace ViraLoop.Grains.Execution;

/// <summary>Which failures are worth retrying, and how a failure is told to a person.</summary>
public static class Transient
{
    /// <summary>Bad input and missing tools are not transient; I/O, timeouts, tool crashes and lost calls are.</summary>
    public static bool Is(Exception e) => e switch
    {
        MediaInputException or MissingToolException or ArgumentException or OperationCanceledException => false,
        AggregateException a => a.InnerExceptions.All(Is),
        _ => true,
    };

    public static string Describe(Exception e) => e switch
    {
        AggregateException { InnerExceptions.Count: 1 } a => Describe(a.InnerExceptions[0]),
        MissingToolException m => m.Message,
        MediaInputException m => m.Message,
        BlobMissingException b => $"{b.Message} (the shared storage lost it)",
        TimeoutException => "a step took too long and timed out",
        _ => e.Message,
    };
}
