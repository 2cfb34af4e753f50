namespace GcTriage.Core.Tests;

/// <summary>One dump of the fixture's "heap" mode per test class: started, dumped, and the fixture process ended; the dump deleted at the end.</summary>
public sealed class HeapDumpFixture : IDisposable
{
    public HeapDumpFixture()
    {
        Temp = new TempDirectory();
        using (var fixture = FixtureProcess.Start("heap"))
        {
            NoGcRegion = fixture.Lines.Contains("NOGC True");
            ProcessId = fixture.Id;
            DumpPath = DumpWriter.Write(fixture.Id, Temp.File("heap.dmp"), GcDumpType.Heap, force: false).FullName;
        }

        Session = DumpSession.Open(DumpPath);
    }

    public TempDirectory Temp { get; }
    public string DumpPath { get; }
    public int ProcessId { get; }
    public bool NoGcRegion { get; }
    public DumpSession Session { get; }

    public void Dispose()
    {
        Session.Dispose();
        Temp.Dispose();
    }
}
