namespace GcTriage.Core.Tests;

/// <summary>
/// Allocation ticks' type names against the heap commands' (ClrMD's): the rewriting of the runtime's reflection-style names, and
/// a live session over generic types whose names must be the strings a dump of the same process gives.
/// </summary>
public sealed class AllocationTypeNameTests
{
    [Theory]
    [InlineData("System.Byte[]", "System.Byte[]")]
    [InlineData("System.String", "System.String")]
    [InlineData("System.Int32[,]", "System.Int32[,]")]
    [InlineData("Acme.Outer+Inner", "Acme.Outer+Inner")]
    [InlineData("System.Collections.Generic.Dictionary`2[System.Int64,Acme.Session]", "System.Collections.Generic.Dictionary<System.Int64, Acme.Session>")]
    [InlineData("System.Collections.Generic.List`1[System.Int32][]", "System.Collections.Generic.List<System.Int32>[]")]
    [InlineData("Node`2[System.Int64,Acme.Cache+Session]", "Node<System.Int64, Acme.Cache+Session>")]
    [InlineData("Entry[System.Int64,Acme.Session][]", "Entry<System.Int64, Acme.Session>[]")]
    [InlineData("System.Collections.Generic.Dictionary`2[System.String,System.Collections.Generic.List`1[System.Int32]]",
        "System.Collections.Generic.Dictionary<System.String, System.Collections.Generic.List<System.Int32>>")]
    [InlineData("System.Collections.Generic.Dictionary`2[[System.Int64, System.Private.CoreLib, Version=10.0.0.0],[Acme.Session, Acme]]",
        "System.Collections.Generic.Dictionary<System.Int64, Acme.Session>")]
    [InlineData("System.Tuple`2[System.Int32[],System.String[,]]", "System.Tuple<System.Int32[], System.String[,]>")]
    [InlineData("Broken`1[System.Int32", "Broken`1[System.Int32")]
    public void TickNamesAreRewrittenInTheHeapCommandsStyle(string tick, string expected)
    {
        Assert.Equal(expected, AllocationTypeNames.Normalize(tick));
    }

    [Fact]
    public void LiveNamesEqualTheDumpsNames()
    {
        using var fixture = FixtureProcess.Start("genericAlloc");
        using var temp = new TempDirectory();
        AllocationResult live = new AllocationSampler().SampleProcess(fixture.Id, new AllocationOptions { Duration = TimeSpan.FromSeconds(3), DutyCycle = 1 }, CancellationToken.None);
        string dump = temp.File("generic.dmp");
        DumpWriter.Write(fixture.Id, dump, GcDumpType.Heap, force: false, CancellationToken.None);
        using DumpSession session = DumpSession.Open(dump, new DumpOpenOptions());
        var heapNames = HeapQueries.GetTypeStats(session, new HeapQuery(), CancellationToken.None).Select(s => s.TypeName).ToHashSet(StringComparer.Ordinal);

        string[] expected =
        {
            "GcTriage.Fixture.GenericAllocMode+Node<System.Int64, GcTriage.Fixture.GenericAllocMode+Session>",
            "GcTriage.Fixture.GenericAllocMode+Node<System.Int64, GcTriage.Fixture.GenericAllocMode+Session>[]",
            "System.Collections.Generic.Dictionary<System.Int64, GcTriage.Fixture.GenericAllocMode+Session>",
            "System.Collections.Generic.Dictionary<System.Int64, GcTriage.Fixture.GenericAllocMode+Session>+Entry[]",
        };
        foreach (string name in expected)
        {
            Assert.Contains(name, heapNames);
            Assert.Contains(live.Stats, s => s.TypeName == name);
        }

        // Every type the ticks named is a name the dump has too (the fixture's live ring holds each of them).
        Assert.All(live.Stats.Where(s => s.TypeName.Contains("GenericAllocMode", StringComparison.Ordinal)), s => Assert.Contains(s.TypeName, heapNames));
    }
}
