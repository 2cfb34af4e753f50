namespace GcTriage.Core.Tests;

/// <summary>
/// Readers' leases on a dump session: Close cancels the running readers, waits for the last one before it releases the DAC,
/// and every later reader gets DumpClosed. Each test opens sessions of its own on the heap fixture's dump.
/// </summary>
public sealed class DumpLeaseTests : IClassFixture<HeapDumpFixture>
{
    private readonly HeapDumpFixture _dump;

    public DumpLeaseTests(HeapDumpFixture dump) => _dump = dump;

    [Fact]
    public async Task Close_cancels_a_lease_and_waits_for_it_before_releasing()
    {
        DumpSession session = DumpSession.Open(_dump.DumpPath);
        DumpLease lease = session.Acquire();
        var closing = Task.Run(session.Dispose);
        Assert.True(lease.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(30)), "Close did not cancel the lease's token");
        Assert.False(session.IsOpen);
        Assert.False(closing.IsCompleted, "Close returned while a reader still held its lease");

        lease.Dispose();
        await closing.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Throws<DumpClosedException>(() => session.Acquire());
        Assert.Equal("DumpClosed", Assert.Throws<DumpClosedException>(() => session.GetIndex()).ErrorId);
    }

    [Fact]
    public async Task A_lease_keeps_the_runtime_readable_after_Close_began()
    {
        DumpSession session = DumpSession.Open(_dump.DumpPath);
        var heap = session.Heap;
        DumpLease lease = session.Acquire();
        var closing = Task.Run(session.Dispose);
        Assert.True(lease.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(30)));

        // The ClrMD objects taken before Close still read the dump: the DAC has not been unloaded under this reader.
        HeapIndex index = HeapIndex.Build(heap);
        Assert.Equal(1000, HeapWalkAssert.StatsByName(index)["GcTriage.Fixture.Widget"].Count);
        lease.Dispose();
        await closing;
    }

    [Fact]
    public async Task A_walk_racing_Close_ends_with_the_index_or_DumpClosed()
    {
        var outcomes = new Dictionary<string, int>();
        for (int i = 0; i < 20; i++)
        {
            DumpSession session = DumpSession.Open(_dump.DumpPath);
            var walk = Task.Run(() => session.GetIndex());
            await Task.Delay(i * 5);
            session.Dispose();
            string outcome;
            try
            {
                outcome = (await walk).Count > 0 ? "Index" : "Empty";
            }
            catch (DumpClosedException closed)
            {
                outcome = closed.ErrorId;
            }

            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        Assert.Equal(20, outcomes.Values.Sum());
        Assert.All(outcomes.Keys, k => Assert.Contains(k, new[] { "Index", "DumpClosed" }));
        Assert.True(outcomes.ContainsKey("DumpClosed"), string.Join(", ", outcomes));
    }

    [Fact]
    public void The_callers_own_cancellation_stays_a_cancellation()
    {
        using DumpSession session = DumpSession.Open(_dump.DumpPath);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => session.GetIndex(cts.Token));
        Assert.True(session.IsOpen);
        Assert.True(session.GetIndex().Count > 0);
    }
}
