using System.Threading.Channels;

namespace Netzwerk.Platform.Database;

/// <summary>
/// Group commit: callers hand in an item and wait; one loop writes whatever queued up meanwhile as one group, in one
/// transaction. Under load that turns many small transactions into few larger ones; a lone item is written at once.
/// The write completes every item it does not fail itself. If a group's write throws, its items are written again one
/// by one, so that one bad item (a hostile request's) fails only its own caller, never the others of its group.
/// </summary>
public sealed class GroupCommit<T>(Func<IReadOnlyList<GroupCommit<T>.Pending>, Task> writeGroup, int maxGroup = 256)
{
    /// <summary>An item and its caller's wait. The write may fail a single item (<c>Done.TrySetException</c>).</summary>
    public sealed record Pending(T Item, TaskCompletionSource Done);

    // Under load (the last group was not alone) the loop waits this long for more before it writes: a few milliseconds
    // of latency for fewer commits, which on two cores are what the CPU goes to.
    private static readonly TimeSpan GatherUnderLoad = TimeSpan.FromMilliseconds(2);

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new() { SingleReader = true });
    private int _loopStarted;

    /// <summary>Completes once the item is written (or throws what failed it).</summary>
    public async Task WriteAsync(T item, CancellationToken ct = default)
    {
        var pending = new Pending(item, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (Interlocked.Exchange(ref _loopStarted, 1) == 0) _ = Task.Run(LoopAsync);
        _queue.Writer.TryWrite(pending);
        await pending.Done.Task.WaitAsync(ct);
    }

    private async Task LoopAsync()
    {
        var group = new List<Pending>(maxGroup);
        while (await _queue.Reader.WaitToReadAsync())
        {
            if (group.Count > 1) await Task.Delay(GatherUnderLoad);
            group.Clear();
            while (group.Count < maxGroup && _queue.Reader.TryRead(out var next)) group.Add(next);
            if (await TryWriteAsync(group) || group.Count == 1) continue;
            foreach (var p in group)
                if (!p.Done.Task.IsCompleted) await TryWriteAsync([p]);
        }
    }

    /// <summary>Writes one group in its transaction; false (and its items failed) if that threw.</summary>
    private async Task<bool> TryWriteAsync(IReadOnlyList<Pending> items)
    {
        try
        {
            await writeGroup(items);
            foreach (var p in items) p.Done.TrySetResult();
            return true;
        }
        catch (Exception e)
        {
            // A group of several is retried item by item (LoopAsync): its callers learn their own outcome then.
            if (items.Count == 1) items[0].Done.TrySetException(e);
            return false;
        }
    }
}
