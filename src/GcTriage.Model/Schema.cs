namespace GcTriage;

/// <summary>Version of the files the module writes: "schemaVersion" in report.json and in schema.json beside the report's plain CSVs.</summary>
public static class GcTriageSchema
{
    public const string Version = "1.0";
}
