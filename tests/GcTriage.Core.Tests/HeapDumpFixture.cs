namespace GcTriage.Core.Tests;

/// <summary>One dump of a fixture mode, shared by the tests of a class or collection: started, dumped, the fixture ended; the dump deleted after.</summary>
public abstract class DumpFixture : IDisposable
{
    protected DumpFixture(string mode)
    {
        Temp = new TempDirectory();
        Path = Temp.File(mode + ".dmp");
        using (FixtureProcess process = FixtureProcess.Start(mode))
        {
            NoGcRegion = process.Lines.Contains("NOGC True");
            ProcessId = process.Id;
            DumpWriter.Write(process.Id, Path, GcDumpType.Heap, force: false);
        }

        Session = DumpSession.Open(Path);
    }

    public TempDirectory Temp { get; }
    public string Path { get; }
    public string DumpPath => Path;
    public int ProcessId { get; }
    /// <summary>True when the fixture built its heap inside a no-GC region (so its dead objects are still there).</summary>
    public bool NoGcRegion { get; }
    public DumpSession Session { get; }

    public void Dispose()
    {
        Session.Dispose();
        Temp.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>A dump of the fixture's heap mode (figures in tests/GcTriage.Fixture/HeapMode.cs).</summary>
public sealed class HeapDumpFixture() : DumpFixture("heap");

/// <summary>A dump of the fixture's collections mode (types with the runtime's names and other fields).</summary>
public sealed class CollectionsDumpFixture() : DumpFixture("collections");

[CollectionDefinition(Name)]
public sealed class HeapDumpCollection : ICollectionFixture<HeapDumpFixture>
{
    public const string Name = "heap dump (collections, bitsets, roots)";
}
