using System.Text;

namespace GcTriage.Core.Tests;

/// <summary>CSV formula injection: text cells guarded, numbers not, and the guard comes off exactly.</summary>
public sealed class CsvCellTests
{
    [Theory]
    [InlineData("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")")]
    [InlineData("+1+1", "'+1+1")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(1)", "'@SUM(1)")]
    [InlineData("\tx", "'\tx")]
    [InlineData("\rx", "'\rx")]
    [InlineData("System.String", "System.String")]
    [InlineData("'=already", "''=already")]
    [InlineData("''+x", "'''+x")]
    [InlineData("'plain", "'plain")]
    [InlineData("", "")]
    public void Guard_and_unguard_round_trip(string text, string guarded)
    {
        Assert.Equal(guarded, CsvCell.Guard(text));
        Assert.Equal(text, CsvCell.Unguard(CsvCell.Guard(text)));
    }

    private sealed class Row
    {
        public string Name { get; init; } = "";
        public long SizeDelta { get; init; }
        public double Ratio { get; init; }
        public IReadOnlyList<string> Frames { get; init; } = Array.Empty<string>();
    }

    [Fact]
    public void Numbers_stay_numbers_and_text_is_guarded()
    {
        using var stream = new MemoryStream();
        CsvTableWriter.Write(stream, new[] { new Row { Name = "-2+3", SizeDelta = -24, Ratio = -0.5, Frames = new[] { "=cmd", "b" } } });
        string[] lines = Encoding.UTF8.GetString(stream.ToArray()).Split('\n');
        Assert.Equal("\"Name\",\"SizeDelta\",\"Ratio\",\"Frames\"", lines[0]);
        Assert.Equal("\"'-2+3\",\"-24\",\"-0.5\",\"'=cmd; b\"", lines[1]);
    }
}
