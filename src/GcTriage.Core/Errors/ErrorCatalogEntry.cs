namespace GcTriage.Core;

/// <summary>One ErrorId of the module's catalogue: its category and what it means.</summary>
public sealed record ErrorCatalogEntry(string ErrorId, GcErrorKind Kind, string Meaning);
