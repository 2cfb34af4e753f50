namespace GcTriage;

/// <summary>Version stamped into every file the module writes (CSV header comment, JSON "schemaVersion").</summary>
public static class GcTriageSchema
{
    public const string Version = "1.0";
}
