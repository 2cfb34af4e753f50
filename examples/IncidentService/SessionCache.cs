namespace Acme.IncidentService;

/// <summary>
/// The sessions of every user seen recently, by session id: a static dictionary whose values are reference-rich Session objects.
/// Nothing expires: the cache only grows and is rewritten in place by every request.
/// </summary>
public static class SessionCache
{
    private static readonly Dictionary<long, Session> s_sessions = new();

    public static int Count
    {
        get
        {
            lock (s_sessions)
            {
                return s_sessions.Count;
            }
        }
    }

    public static Session GetOrAdd(long id, long now)
    {
        lock (s_sessions)
        {
            if (!s_sessions.TryGetValue(id, out Session? session))
            {
                session = new Session(id, "user-" + id.ToString(System.Globalization.CultureInfo.InvariantCulture), now);
                s_sessions.Add(id, session);
            }

            return session;
        }
    }

    /// <summary>A new sign-in replaces the session with a fresh one.</summary>
    public static Session Renew(long id, long now)
    {
        var session = new Session(id, "user-" + id.ToString(System.Globalization.CultureInfo.InvariantCulture), now);
        lock (s_sessions)
        {
            s_sessions[id] = session;
        }

        return session;
    }
}
