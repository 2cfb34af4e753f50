namespace GcTriage;

/// <summary>
/// One collection in two dumps, matched by the path of fields that holds it (root name, then field names; array indices dropped),
/// not by address, since addresses move between dumps.
/// </summary>
public sealed class GcCollectionDelta
{
    /// <summary>The root and field path that holds the collection, for example "GcTriage.Fixture.Cache.s_seen".</summary>
    public string HeldBy { get; init; } = "";
    public string TypeName { get; init; } = "";
    public long CountBefore { get; init; }
    public long CountAfter { get; init; }
    public long CountDelta => CountAfter - CountBefore;
    public long BytesBefore { get; init; }
    public long BytesAfter { get; init; }
    public long BytesDelta => BytesAfter - BytesBefore;
    public ulong? AddressBefore { get; init; }
    public ulong? AddressAfter { get; init; }
    public string? ReferencePath { get; init; }
    public string? DifferencePath { get; init; }

    public override string ToString() => $"{HeldBy} ({TypeName}): {CountDelta:+#;-#;0} entries, {BytesDelta:+#;-#;0} bytes";
}
