using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using ViraLoop.Api.Auth;
using ViraLoop.Contracts;
using ViraLoop.Api.Videos;

namespace ViraLoop.Api.Live;

/// <summary>
/// The SignalR hub at <c>/hubs/jobs</c>: <c>connection.stream("Watch", id, afterSequence)</c> yields the job's snapshot and
/// then its progress events, in order; a client that reconnects passes the last sequence it saw and gets what it missed.
/// A job of another tenant, or none, ends the stream with "There is no such video.".
/// </summary>
[Authorize(Policy = Principals.TenantPolicy)]
public sealed class JobsHub(JobEvents events) : Hub
{
    public async IAsyncEnumerable<LiveEvent> Watch(string id, long? afterSequence, [EnumeratorCancellation] CancellationToken ct)
    {
        if (!VideoIds.IsValid(id)) throw new HubException("There is no such video.");
        var tenant = Context.User!.Tenant();
        await using var feed = Open(tenant, id, afterSequence ?? 0, ct).GetAsyncEnumerator(ct);
        while (true)
        {
            LiveEvent e;
            try
            {
                if (!await feed.MoveNextAsync()) yield break;
                e = feed.Current;
            }
            catch (KeyNotFoundException) { throw new HubException("There is no such video."); }
            yield return e;
        }
    }

    private IAsyncEnumerable<LiveEvent> Open(string tenant, string id, long after, CancellationToken ct) => events.WatchAsync(tenant, id, after, ct);
}
