using Microsoft.Diagnostics.Runtime;

namespace GcTriage.Core.Tests;

/// <summary>The collection census on the fixture's heap mode; figures from tests/GcTriage.Fixture/HeapMode.cs.</summary>
[Collection(HeapDumpCollection.Name)]
public sealed class CollectionTests(HeapDumpFixture fixture)
{
    private IReadOnlyList<GcCollectionInfo> All => CollectionInspector.GetCollections(fixture.Session, new CollectionQuery());

    private GcCollectionInfo Seen => Assert.Single(All, c => c.TypeName == "System.Collections.Generic.Dictionary<System.Int64, System.Boolean>");

    private GcCollectionInfo IntSet => Assert.Single(All, c => c.Kind == "HashSet" && c.KeyType == "System.Int32" && c.Count == 750);

    [Fact]
    public void SetLikeDictionaryOfLongBoolHasExactFigures()
    {
        GcCollectionInfo seen = Seen;
        Assert.Equal("Dictionary", seen.Kind);
        Assert.Equal("System.Int64", seen.KeyType);
        Assert.Equal("System.Boolean", seen.ValueType);
        Assert.Equal(142_858, seen.Count);
        // Grown from empty: 3, 7, 17, 37, 89, 197, 431, 919, 1931, 4049, 8419, 17519, 36353, 75431, 156437.
        Assert.Equal(156_437, seen.Capacity);
        Assert.Equal(0, seen.FreeCount);
        Assert.Equal(0, seen.KeyMin);
        Assert.Equal(999_999, seen.KeyMax);
        Assert.Equal(142_858 / 1_000_000.0, seen.Density!.Value, 12);
        Assert.True(seen.IsSetLike);
        Assert.Equal("True", seen.SetValue);
        Assert.Equal(GcGeneration.LOH, seen.Generation);
        Assert.Empty(seen.Problems);
        // Dictionary object 80 + buckets int[156437] 625,772 + entries Entry<long,bool>[156437] (24 bytes each) 3,754,512.
        Assert.Equal(80 + 625_772 + 3_754_512, seen.ShallowBytes);
        Assert.Equal((156_437 - 142_858) * 24L, seen.WastedBytes);
        Assert.Equal(seen.ShallowBytes, seen.RetainedBytes);
        Assert.Equal((double)142_858 / 156_437, seen.FillRatio, 12);
    }

    [Fact]
    public void SetLikeDictionaryAdviceIsABitArray()
    {
        GcCollectionAdvice advice = Seen.Advice!;
        // HashSet<long> of 142,858: GetPrime = 156,437; object 64 + int[] 625,772 + Entry[] (16 bytes each) 2,503,016.
        Assert.Equal(64 + 625_772 + 2_503_016, advice.HashSetBytes);
        // BitArray over [0, 999,999]: object 32 + int[31,250] 125,024.
        Assert.Equal(32 + 125_024, advice.BitArrayBytes);
        Assert.Equal("BitArray", advice.Recommended);
        Assert.Equal(80 + 625_772 + 3_754_512 - (32 + 125_024), advice.SavingBytes);
        Assert.Equal(Seen.ShallowBytes, advice.CurrentBytes);
        Assert.StartsWith("Dictionary<Int64,Boolean> with all values True, 142,858 keys over a range of 1,000,000: a BitArray would take", advice.Recommendation);
    }

    [Fact]
    public void HashSetAfterRemovalsCountsItsFreeList()
    {
        GcCollectionInfo set = IntSet;
        Assert.Equal(1_931, set.Capacity);
        Assert.Equal(250, set.FreeCount);
        Assert.Equal(1, set.KeyMin);
        Assert.Equal(999, set.KeyMax);
        Assert.True(set.IsSetLike);
        Assert.Null(set.ValueType);
        Assert.Empty(set.Problems);
    }

    [Fact]
    public void HashSetFormulaMatchesTheRealHashSetOnTheHeap()
    {
        // The real HashSet<int> (capacity 1931): object + int[1931] + Entry[1931] of 12 bytes, as measured on the heap.
        Assert.Equal(IntSet.ShallowBytes, RuntimeLayout.HashSetBytesAtCapacity(1_931, keySize: 4, keyAlignment: 4));
        Assert.Equal(64 + 7_748 + 23_196, IntSet.ShallowBytes);
        Assert.Equal(156_437, RuntimeLayout.GetPrime(142_858));
        Assert.Equal(7_199_369, RuntimeLayout.GetPrime(7_199_369));
        // 7,199,371 is prime and (7,199,371 - 1) % 101 != 0.
        Assert.Equal(7_199_371, RuntimeLayout.GetPrime(7_199_370));
    }

    [Fact]
    public void ConcurrentDictionaryIsReadThroughItsTables()
    {
        GcCollectionInfo cd = Assert.Single(All, c => c.Kind == "ConcurrentDictionary" && c.KeyType == "System.String" && c.ValueType == "System.Int32" && c.Count == 100);
        Assert.Null(cd.KeyMin);
        Assert.False(cd.IsSetLike);
        Assert.True(cd.Capacity >= 100);
        Assert.Null(cd.RetainedBytes);
        Assert.Empty(cd.Problems);
    }

    [Fact]
    public void DictionaryOfGuidToListRetainsItsLists()
    {
        var query = new CollectionQuery { KeyType = ["Guid"], ValueType = ["List<Int32>"], Retained = true };
        GcCollectionInfo d = Assert.Single(CollectionInspector.GetCollections(fixture.Session, query));
        Assert.Equal(50, d.Count);
        Assert.Equal(89, d.Capacity);
        Assert.Null(d.KeyMin);
        Assert.False(d.IsSetLike);
        // Each value: a List<int> (32 bytes) and its int[10] (64 bytes), referenced only from the entries.
        Assert.Equal(d.ShallowBytes + 50 * (32 + 64), d.RetainedBytes);
        Assert.False(d.Truncated);
    }

    [Fact]
    public void ClosureDictionaryHoldsTheSameStringEverywhere()
    {
        GcCollectionInfo d = Assert.Single(All, c => c.TypeName == "System.Collections.Generic.Dictionary<System.Int32, System.String>" && c.Count == 10 && c.KeyMax == 9);
        Assert.Equal(17, d.Capacity);
        Assert.Equal(0, d.KeyMin);
        Assert.True(d.IsSetLike);
        Assert.Null(d.SetValue);
    }

    [Fact]
    public void FiltersSelectByKindCountAndLiveness()
    {
        Assert.All(CollectionInspector.GetCollections(fixture.Session, new CollectionQuery { Kind = ["HashSet"] }), c => Assert.Equal("HashSet", c.Kind));
        Assert.All(CollectionInspector.GetCollections(fixture.Session, new CollectionQuery { MinCount = 100_000 }), c => Assert.True(c.Count >= 100_000));
        var live = CollectionInspector.GetCollections(fixture.Session, new CollectionQuery { Live = true, KeyType = ["System.Int64"], ValueType = ["Boolean"] });
        GcCollectionInfo seen = Assert.Single(live);
        Assert.True(seen.Live);
        Assert.Equal(Seen.Address, seen.Address);
        var sorted = All;
        Assert.Equal(sorted.OrderByDescending(c => c.ShallowBytes).Select(c => c.ShallowBytes), sorted.Select(c => c.ShallowBytes));
    }

    [Fact]
    public void AnAddressThatIsNotACollectionIsRefused()
    {
        Assert.Throws<InvalidAddressException>(() => CollectionInspector.GetCollection(fixture.Session, Seen.Address + 8));
        GcCollectionInfo again = CollectionInspector.GetCollection(fixture.Session, Seen.Address);
        Assert.Equal(142_858, again.Count);
    }

    [Fact]
    public void CancelledCensusStops()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => CollectionInspector.GetCollections(fixture.Session, new CollectionQuery(), cts.Token));
    }
}

/// <summary>The reader on types that have the runtime's names but other fields (the collections fixture mode).</summary>
public sealed class CollectionShapeTests : IClassFixture<CollectionsDumpFixture>
{
    private readonly CollectionsDumpFixture _fixture;

    public CollectionShapeTests(CollectionsDumpFixture fixture) => _fixture = fixture;

    [Fact]
    public void ADictionaryWithOtherFieldsNamesEveryMissingField()
    {
        HeapIndex index = _fixture.Session.GetIndex();
        var reader = new CollectionReader(_fixture.Session.Runtime, index, [("GcTriage.Fixture.Fake.Dictionary<", "Dictionary")]);
        HeapType fakeType = Assert.Single(index.Types, t => t.Name == "GcTriage.Fixture.Fake.Dictionary<System.Int64, System.Boolean>");
        Assert.Equal("Dictionary", reader.KindOf(fakeType.Name));
        Assert.Null(reader.KindOf("System.Collections.Generic.Dictionary<System.Int64, System.Boolean>"));
        ulong address = index.Enumerate().Single(x => x.Entry.TypeId == fakeType.Id).Entry.Address;

        GcCollectionInfo info = reader.Read(address, "Dictionary", _fixture.Path);
        foreach (string field in new[] { "_count", "_freeCount", "_freeList", "_buckets", "_entries" })
        {
            Assert.Contains(info.Problems, p => p.StartsWith($"field {field} not found on GcTriage.Fixture.Fake.Dictionary", StringComparison.Ordinal));
        }

        Assert.Equal(0, info.Count);
        Assert.Equal(0, info.Capacity);
        Assert.Equal("System.Int64", info.KeyType);
        Assert.Equal("System.Boolean", info.ValueType);
        Assert.Null(info.KeyMin);
        Assert.Equal(index.ToObjectInfo(index.IndexOf(address), null).Size, info.ShallowBytes);
    }

    [Fact]
    public void ABitArrayWithoutItsWordsSaysSo()
    {
        HeapIndex index = _fixture.Session.GetIndex();
        HeapType fakeType = Assert.Single(index.Types, t => t.Name == "GcTriage.Fixture.Fake.BitArray");
        var entry = index.Enumerate().Single(x => x.Entry.TypeId == fakeType.Id);
        GcBitsetInfo info = BitsetInspector.ReadBitArray(_fixture.Session.Runtime, index, entry.Entry.Address, index.SizeOf(entry.Entry), null, default);
        Assert.Contains(info.Problems, p => p.StartsWith("field _array (or m_array) not found on GcTriage.Fixture.Fake.BitArray", StringComparison.Ordinal));
        Assert.Equal(64, info.LengthBits);
        Assert.Equal(0, info.SetBits);
    }

    [Fact]
    public void SignedKeysAndDifferentValues()
    {
        var all = CollectionInspector.GetCollections(_fixture.Session, new CollectionQuery { KeyType = ["Int32"], ValueType = ["Int32"] });
        GcCollectionInfo sparse = Assert.Single(all, c => c.KeyMin == -5);
        Assert.Equal(1_000, sparse.KeyMax);
        Assert.Equal(2 / 1006.0, sparse.Density!.Value, 12);
        Assert.False(sparse.IsSetLike);
        Assert.Equal("None", sparse.Advice!.Recommended);
        Assert.Equal(0, sparse.Advice.SavingBytes);
    }
}
