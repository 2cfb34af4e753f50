namespace GcTriage.Fixture.Fake
{
    /// <summary>Named like the runtime's Dictionary, but with other fields: the collection reader must say which fields are missing.</summary>
    public sealed class Dictionary<TKey, TValue>
    {
        public TKey[] _keys = new TKey[4];
        public TValue[] _items = new TValue[4];
        public int _size = 3;
    }

    /// <summary>Named like BitArray's shape check, but without m_array.</summary>
    public sealed class BitArray
    {
        public int m_length = 64;
        public long[] m_words = new long[1];
    }
}

namespace GcTriage.Fixture
{
    /// <summary>
    /// Objects for the collection reader's bad-shape tests:
    ///  - CollectionsMode.s_fake: a GcTriage.Fixture.Fake.Dictionary&lt;long,bool&gt; (fields _keys, _items, _size; no _buckets/_entries/_count).
    ///  - CollectionsMode.s_fakeBits: a GcTriage.Fixture.Fake.BitArray (m_length 64, no m_array).
    ///  - CollectionsMode.s_sparse: Dictionary&lt;int,int&gt; with keys -5 and 1,000 (values 1 and 2: not set-like).
    /// </summary>
    public static class CollectionsMode
    {
        public static Fake.Dictionary<long, bool>? s_fake;
        public static Fake.BitArray? s_fakeBits;
        public static Dictionary<int, int>? s_sparse;

        public static int Run(string[] args)
        {
            s_fake = new Fake.Dictionary<long, bool>();
            s_fakeBits = new Fake.BitArray();
            s_sparse = new Dictionary<int, int> { [-5] = 1, [1000] = 2 };
            Program.ReadyAndWait();
            GC.KeepAlive(s_fake);
            return 0;
        }
    }
}
