using System.Globalization;

namespace GcTriage.Core;

/// <summary>
/// The one reading of every duration argument of the module (-Duration, -Cooldown, -Timeout): a TimeSpan, a number of seconds,
/// or a string of the form '30s', '5m', '1h', '1h30m', '1d' (units d, h, m, s, ms, decimals allowed) or a TimeSpan literal
/// ('00:00:30', '1.00:00:00'). A bare number in a string ('5') is refused: as a TimeSpan it means five days, as a number five
/// seconds, and which one the user meant cannot be told. So is anything under <see cref="Minimum"/> (a TimeSpan of 20 ticks
/// reads as '20' would in PowerShell's own conversion), and zero unless <c>allowZero</c> (a cooldown of 0 is "none").
/// Every refusal says what was understood.
/// </summary>
public static class DurationParser
{
    public static readonly TimeSpan Minimum = TimeSpan.FromSeconds(1);

    /// <summary>Reads <paramref name="value"/> (a TimeSpan, any number type, or a string); throws <see cref="DurationFormatException"/>.</summary>
    public static TimeSpan Parse(object value, bool allowZero = false)
    {
        TimeSpan result = value switch
        {
            TimeSpan t => t,
            string s => ParseText(s),
            byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal => FromSeconds(value),
            _ => throw new DurationFormatException(value, $"A duration of type {value.GetType().Name} ('{value}') cannot be read; give {DurationFormatException.Accepted}."),
        };
        return Check(value, result, allowZero);
    }

    /// <summary>How a duration is shown in messages: '1h 30m', '20s', '0.5s'.</summary>
    public static string Describe(TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            return "-" + Describe(value.Negate());
        }

        var parts = new List<string>(4);
        if (value.Days > 0)
        {
            parts.Add(value.Days.ToString(CultureInfo.InvariantCulture) + "d");
        }

        if (value.Hours > 0)
        {
            parts.Add(value.Hours.ToString(CultureInfo.InvariantCulture) + "h");
        }

        if (value.Minutes > 0)
        {
            parts.Add(value.Minutes.ToString(CultureInfo.InvariantCulture) + "m");
        }

        double seconds = value.Seconds + (value.Ticks % TimeSpan.TicksPerSecond) / (double)TimeSpan.TicksPerSecond;
        if (seconds > 0 || parts.Count == 0)
        {
            parts.Add(seconds.ToString("0.#######", CultureInfo.InvariantCulture) + "s");
        }

        return string.Join(" ", parts);
    }

    private static TimeSpan Check(object value, TimeSpan result, bool allowZero)
    {
        if (result < TimeSpan.Zero)
        {
            throw new DurationFormatException(value, $"The duration '{value}' was read as {Describe(result)}: a duration cannot be negative.");
        }

        if (result == TimeSpan.Zero && allowZero)
        {
            return result;
        }

        if (result < Minimum)
        {
            string least = allowZero ? "0 (none) or at least 1 second" : "at least 1 second";
            string hint = value is TimeSpan t && t.Ticks is > 0 and < 1000
                ? $" ({t.Ticks} ticks: a number given as a TimeSpan is ticks; give seconds as a plain number, 20, or '20s')"
                : "";
            throw new DurationFormatException(value, $"The duration '{Show(value)}' was read as {Describe(result)}{hint}; it must be {least}.");
        }

        return result;
    }

    private static string Show(object value) => value is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : value.ToString() ?? "";

    private static TimeSpan FromSeconds(object number)
    {
        double seconds = Convert.ToDouble(number, CultureInfo.InvariantCulture);
        if (double.IsNaN(seconds) || double.IsInfinity(seconds) || Math.Abs(seconds) > TimeSpan.MaxValue.TotalSeconds)
        {
            throw new DurationFormatException(number, $"The duration {Show(number)} (seconds) is out of range.");
        }

        return TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
    }

    private static TimeSpan ParseText(string text)
    {
        string s = text.Trim();
        if (s.Length == 0)
        {
            throw new DurationFormatException(text, $"An empty string is not a duration; give {DurationFormatException.Accepted}.");
        }

        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double bare))
        {
            string asTimeSpan = TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out TimeSpan days) ? $"{Describe(days)} as a TimeSpan" : "no TimeSpan";
            throw new DurationFormatException(text,
                $"The duration '{s}' has no unit: it reads as {asTimeSpan}, or {Describe(TimeSpan.FromSeconds(bare))} as a number of seconds. Write '{s}s', '{s}m' or '{s}h', or pass the number {s} (seconds) unquoted.");
        }

        if (TryParseUnits(s, out TimeSpan units))
        {
            return units;
        }

        if (s.Contains(':', StringComparison.Ordinal) && TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out TimeSpan literal))
        {
            return literal;
        }

        throw new DurationFormatException(text, $"'{s}' is not a duration; give {DurationFormatException.Accepted}.");
    }

    /// <summary>'1h30m', '90s', '1.5h', '500ms', '2d 4h': numbers each followed by a unit, in any order, spaces allowed.</summary>
    private static bool TryParseUnits(string s, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        int i = 0;
        bool any = false;
        double totalSeconds = 0;
        while (i < s.Length)
        {
            while (i < s.Length && s[i] == ' ')
            {
                i++;
            }

            if (i == s.Length)
            {
                break;
            }

            int start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (i == start || !double.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double number))
            {
                return false;
            }

            int unitStart = i;
            while (i < s.Length && char.IsAsciiLetter(s[i]))
            {
                i++;
            }

            double scale = s.Substring(unitStart, i - unitStart).ToLowerInvariant() switch
            {
                "d" => 86400,
                "h" => 3600,
                "m" or "min" => 60,
                "s" or "sec" => 1,
                "ms" => 0.001,
                _ => double.NaN,
            };
            if (double.IsNaN(scale))
            {
                return false;
            }

            totalSeconds += number * scale;
            any = true;
        }

        if (!any || totalSeconds > TimeSpan.MaxValue.TotalSeconds)
        {
            return false;
        }

        value = TimeSpan.FromTicks((long)Math.Round(totalSeconds * TimeSpan.TicksPerSecond));
        return true;
    }
}
