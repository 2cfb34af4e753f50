namespace GcTriage.Core.Tests;

/// <summary>One dump of a fixture mode, shared by the test classes of a collection, deleted after.</summary>
public abstract class DumpFixture : IDisposable
{
    private readonly TempDirectory _temp = new();

    protected DumpFixture(string mode)
    {
        Path = _temp.File(mode + ".dmp");
        using (FixtureProcess process = FixtureProcess.Start(mode))
        {
            DumpWriter.Write(process.Id, Path, GcDumpType.Heap, force: false);
        }

        Session = DumpSession.Open(Path);
    }

    public string Path { get; }
    public DumpSession Session { get; }

    public void Dispose()
    {
        Session.Dispose();
        _temp.Dispose();
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
