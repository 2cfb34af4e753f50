using GcTriage.Core;

namespace GcTriage.Core.Tests;

/// <summary>DurationParser: the one reading of -Duration, -Cooldown and -Timeout.</summary>
public sealed class DurationTests
{
    [Theory]
    [InlineData("30s", 30)]
    [InlineData("5m", 300)]
    [InlineData("1h", 3600)]
    [InlineData("1h30m", 5400)]
    [InlineData("1h 30m 15s", 5415)]
    [InlineData("1.5m", 90)]
    [InlineData("1500ms", 1.5)]
    [InlineData("2d", 172800)]
    [InlineData("00:00:30", 30)]
    [InlineData("00:05:00", 300)]
    [InlineData("1.00:00:00", 86400)]
    [InlineData(" 20S ", 20)]
    public void Text(string text, double seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), DurationParser.Parse(text));
    }

    [Fact]
    public void NumbersAreSeconds()
    {
        Assert.Equal(TimeSpan.FromSeconds(20), DurationParser.Parse(20));
        Assert.Equal(TimeSpan.FromSeconds(20), DurationParser.Parse((short)20)); // what PowerShell makes of 20s
        Assert.Equal(TimeSpan.FromSeconds(20), DurationParser.Parse(20L));
        Assert.Equal(TimeSpan.FromSeconds(1.5), DurationParser.Parse(1.5));
        Assert.Equal(TimeSpan.FromSeconds(2.5), DurationParser.Parse(2.5m));
        Assert.Equal(TimeSpan.FromMinutes(3), DurationParser.Parse(TimeSpan.FromMinutes(3)));
    }

    [Fact]
    public void BareNumberInTextIsRefusedWithBothReadings()
    {
        var e = Assert.Throws<DurationFormatException>(() => DurationParser.Parse("5"));
        Assert.Equal("The duration '5' has no unit: it reads as 5d as a TimeSpan, or 5s as a number of seconds. Write '5s', '5m' or '5h', or pass the number 5 (seconds) unquoted.", e.Message);
        Assert.Equal("InvalidDuration", e.ErrorId);
        Assert.Equal(GcErrorKind.InvalidArgument, e.Kind);
        Assert.Equal("5", e.Target);
    }

    [Fact]
    public void UnderASecondIsRefused()
    {
        var e = Assert.Throws<DurationFormatException>(() => DurationParser.Parse("00:00:00.5"));
        Assert.Equal("The duration '00:00:00.5' was read as 0.5s; it must be at least 1 second.", e.Message);
        e = Assert.Throws<DurationFormatException>(() => DurationParser.Parse(0.5));
        Assert.Equal("The duration '0.5' was read as 0.5s; it must be at least 1 second.", e.Message);
        e = Assert.Throws<DurationFormatException>(() => DurationParser.Parse(TimeSpan.FromTicks(20)));
        Assert.Equal("The duration '00:00:00.0000020' was read as 0.000002s (20 ticks: a number given as a TimeSpan is ticks; give seconds as a plain number, 20, or '20s'); it must be at least 1 second.", e.Message);
        e = Assert.Throws<DurationFormatException>(() => DurationParser.Parse(0));
        Assert.Equal("The duration '0' was read as 0s; it must be at least 1 second.", e.Message);
    }

    [Fact]
    public void ZeroOnlyWhereAllowed()
    {
        Assert.Equal(TimeSpan.Zero, DurationParser.Parse(0, allowZero: true));
        Assert.Equal(TimeSpan.Zero, DurationParser.Parse("0s", allowZero: true));
        var e = Assert.Throws<DurationFormatException>(() => DurationParser.Parse("500ms", allowZero: true));
        Assert.Equal("The duration '500ms' was read as 0.5s; it must be 0 (none) or at least 1 second.", e.Message);
    }

    [Fact]
    public void NegativeAndGarbageAreRefused()
    {
        var e = Assert.Throws<DurationFormatException>(() => DurationParser.Parse(-5));
        Assert.Equal("The duration '-5' was read as -5s: a duration cannot be negative.", e.Message);
        e = Assert.Throws<DurationFormatException>(() => DurationParser.Parse("5 minutes"));
        Assert.Equal("'5 minutes' is not a duration; give a TimeSpan, a number of seconds (20), or a string such as '30s', '5m', '1h', '1h30m' or '00:00:30'.", e.Message);
        Assert.Throws<DurationFormatException>(() => DurationParser.Parse("1x"));
        Assert.Throws<DurationFormatException>(() => DurationParser.Parse(""));
        Assert.Throws<DurationFormatException>(() => DurationParser.Parse(1e300));
        Assert.Throws<DurationFormatException>(() => DurationParser.Parse(new object()));
    }

    [Theory]
    [InlineData(5400, "1h 30m")]
    [InlineData(20, "20s")]
    [InlineData(0.5, "0.5s")]
    [InlineData(86461, "1d 1m 1s")]
    public void Describe(double seconds, string expected)
    {
        Assert.Equal(expected, DurationParser.Describe(TimeSpan.FromSeconds(seconds)));
    }
}
