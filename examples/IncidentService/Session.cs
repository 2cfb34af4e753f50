namespace Acme.IncidentService;

/// <summary>
/// A signed-in user's session: a few small objects that reference each other (its user name, its history of recent requests,
/// the last one). Every request writes a fresh RequestRecord into a session that has long been in gen2.
/// </summary>
public sealed class Session
{
    public const int HistoryLength = 4;

    private readonly RequestRecord?[] _recent = new RequestRecord?[HistoryLength];
    private int _next;

    public Session(long id, string userName, long createdAt)
    {
        Id = id;
        UserName = userName;
        CreatedAt = createdAt;
        LastSeenAt = createdAt;
    }

    public long Id { get; }
    public string UserName { get; }
    public long CreatedAt { get; }
    public long LastSeenAt { get; private set; }
    public RequestRecord? Last { get; private set; }

    /// <summary>Records a request: the new record replaces the oldest one of the history.</summary>
    public void Record(long at, string path, int status)
    {
        var record = new RequestRecord(at, path, status, Last);
        RequestRecord? oldest = _recent[_next];
        if (oldest is not null)
        {
            // The history holds the chain: the record falling out of it must not keep the ones before it alive.
            oldest.Previous = null;
        }

        _recent[_next] = record;
        _next = (_next + 1) % HistoryLength;
        Last = record;
        LastSeenAt = at;
    }
}
