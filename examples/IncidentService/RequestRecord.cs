namespace Acme.IncidentService;

/// <summary>One request a session made: kept in the session's recent history, and linked to the one before it.</summary>
public sealed class RequestRecord
{
    public RequestRecord(long at, string path, int status, RequestRecord? previous)
    {
        At = at;
        Path = path;
        Status = status;
        Previous = previous;
    }

    public long At { get; }
    public string Path { get; }
    public int Status { get; }
    /// <summary>The request before this one (cut at the end of the history, so the chain stays short).</summary>
    public RequestRecord? Previous { get; set; }
}
