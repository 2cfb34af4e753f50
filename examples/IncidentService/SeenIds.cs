namespace Acme.IncidentService;

/// <summary>
/// Ids remembered "to deduplicate", added and never removed: a Dictionary&lt;long,bool&gt; used as a set. A HashSet&lt;long&gt; or a
/// bitset would do the same job in a fraction of the memory. Its entries (two ints, a long and a bool) hold no references, so
/// however large it grows the GC has nothing to mark inside it and no card to scan for it: it costs memory, not pause time.
/// </summary>
public static class SeenIds
{
    private static readonly Dictionary<long, bool> s_seen = new();

    public static int Count
    {
        get
        {
            lock (s_seen)
            {
                return s_seen.Count;
            }
        }
    }

    public static void Remember(long id)
    {
        lock (s_seen)
        {
            s_seen[id] = true;
        }
    }
}
