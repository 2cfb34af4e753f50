namespace GcTriage.Core.Tests;

/// <summary>BitArray and bool[] on the fixture's heap mode.</summary>
[Collection(HeapDumpCollection.Name)]
public sealed class BitsetTests(HeapDumpFixture fixture)
{
    [Fact]
    public void BitArrayOfOddLengthCountsOnlyItsBits()
    {
        var all = BitsetInspector.GetBitsets(fixture.Session, new BitsetQuery());
        GcBitsetInfo bits = Assert.Single(all, b => b.Kind == "BitArray");
        Assert.True(bits.Problems.Count == 0, string.Join("; ", bits.Problems));
        Assert.Equal(1001, bits.LengthBits);
        Assert.Equal(334, bits.SetBits);
        Assert.Equal(334 / 1001.0, bits.Density, 12);
        // Object 32 + int[32] (24 + 128), as measured on the heap, equal to the formula.
        Assert.Equal(32 + 152, bits.Bytes);
        Assert.Equal(RuntimeLayout.BitArrayBytes(1001), bits.Bytes);
        Assert.Equal(bits.Bytes, bits.BitArrayBytes);
        Assert.Empty(bits.Problems);
    }

    [Fact]
    public void LargeBoolArrayIsPricedAsABitArray()
    {
        var all = BitsetInspector.GetBitsets(fixture.Session, new BitsetQuery());
        GcBitsetInfo flags = all[0];
        Assert.Equal("BoolArray", flags.Kind);
        Assert.Equal(1_000_000, flags.LengthBits);
        Assert.Equal(142_858, flags.SetBits);
        Assert.Equal(24 + 1_000_000, flags.Bytes);
        Assert.Equal(GcGeneration.LOH, flags.Generation);
        Assert.Equal(32 + 24 + 125_000, flags.BitArrayBytes);
        Assert.Equal(24 + 1_000_000 - (32 + 24 + 125_000), flags.SavingBytes);
    }

    [Fact]
    public void MinLengthFiltersBoolArraysOnly()
    {
        var all = BitsetInspector.GetBitsets(fixture.Session, new BitsetQuery { MinLength = 1_000_001 });
        Assert.DoesNotContain(all, b => b.Kind == "BoolArray");
        Assert.Contains(all, b => b.Kind == "BitArray" && b.LengthBits == 1001);
        Assert.All(BitsetInspector.GetBitsets(fixture.Session, new BitsetQuery()), b => Assert.True(b.Kind == "BitArray" || b.LengthBits >= BitsetInspector.DefaultMinLength));
    }
}
