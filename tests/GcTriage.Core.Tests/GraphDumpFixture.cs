namespace GcTriage.Core.Tests;

/// <summary>A dump of the fixture's graph mode (figures in tests/GcTriage.Fixture/GraphMode.cs).</summary>
public sealed class GraphDumpFixture() : DumpFixture("graph");
