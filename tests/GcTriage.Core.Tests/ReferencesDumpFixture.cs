namespace GcTriage.Core.Tests;

/// <summary>A dump of the fixture's references mode (dependent handles, arrays of structs, a 200,000-deep chain, a collectible type).</summary>
public sealed class ReferencesDumpFixture() : DumpFixture("references");
