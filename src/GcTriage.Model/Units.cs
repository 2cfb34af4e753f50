using System.Globalization;
using System.Text.RegularExpressions;

namespace GcTriage;

/// <summary>Human units for the table views (the objects themselves keep raw bytes and milliseconds).</summary>
public static partial class Units
{
    public static string Bytes(long bytes)
    {
        double b = Math.Abs((double)bytes);
        string sign = bytes < 0 ? "-" : "";
        return b switch
        {
            < 1024 => $"{sign}{b:0} B",
            < 1024 * 1024 => sign + (b / 1024).ToString("0.0", CultureInfo.CurrentCulture) + " KB",
            < 1024L * 1024 * 1024 => sign + (b / 1024 / 1024).ToString("0.0", CultureInfo.CurrentCulture) + " MB",
            _ => sign + (b / 1024 / 1024 / 1024).ToString("0.00", CultureInfo.CurrentCulture) + " GB",
        };
    }

    public static string Bytes(double bytes) => Bytes((long)bytes);

    public static string Milliseconds(double ms) => ms < 10 ? ms.ToString("0.00", CultureInfo.CurrentCulture) + " ms" : ms.ToString("0.0", CultureInfo.CurrentCulture) + " ms";

    public static string Address(ulong address) => "0x" + address.ToString("x", CultureInfo.InvariantCulture);

    public static string Percent(double ratio) => (ratio * 100).ToString("0.0", CultureInfo.CurrentCulture) + " %";

    /// <summary>
    /// A type name as a table shows it: namespaces dropped everywhere, generic arguments included, and no space after commas
    /// (System.Collections.Generic.Dictionary&lt;System.Int64, System.Boolean&gt;+Entry[] is Dictionary&lt;Int64,Boolean&gt;+Entry[]).
    /// With <paramref name="max"/>, a longer result is cut in the middle, so that both the type and its tail (+Entry[], [])
    /// stay visible. The object's TypeName keeps the full name.
    /// </summary>
    public static string TypeName(string? name, int max = 0)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "";
        }

        string shortName = TypeNames(name);
        return max > 0 ? Middle(shortName, max) : shortName;
    }

    /// <summary>Every type name inside a text (a root path "(field) Type@0x..." -> ...) shortened as <see cref="TypeName"/> does.</summary>
    public static string TypeNames(string? text) => string.IsNullOrEmpty(text) ? "" : Namespace().Replace(text, "").Replace(", ", ",", StringComparison.Ordinal);

    /// <summary>
    /// A static field as a table shows it: its type's short name and the field (Acme.IncidentService.SeenIds.s_seen is
    /// SeenIds.s_seen), cut in the middle past <paramref name="max"/>. The object's RootName keeps the full name.
    /// </summary>
    public static string FieldName(string? name, int max = 0)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "";
        }

        int depth = 0;
        int last = -1;
        int previous = -1;
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (c is '<' or '[')
            {
                depth++;
            }
            else if (c is '>' or ']')
            {
                depth--;
            }
            else if (c == '.' && depth == 0)
            {
                previous = last;
                last = i;
            }
        }

        if (last < 0)
        {
            return max > 0 ? Middle(name, max) : name;
        }

        // The declaring type without its namespace (generic arguments shortened too), then the field as it is.
        string shortName = TypeName(name[(previous + 1)..last]) + name[last..];
        return max > 0 ? Middle(shortName, max) : shortName;
    }

    /// <summary>Cuts a text longer than <paramref name="max"/> in the middle ("head…tail"), keeping a file name or a type's tail.</summary>
    public static string Middle(string? text, int max)
    {
        if (text is null || text.Length <= max || max < 5)
        {
            return text ?? "";
        }

        int tail = (max - 1) / 2;
        int head = max - 1 - tail;
        return string.Concat(text.AsSpan(0, head), "\u2026", text.AsSpan(text.Length - tail));
    }

    /// <summary>A dotted namespace prefix (System.Collections.Generic.) in front of a type name; not a member access after a name.</summary>
    [GeneratedRegex(@"(?<![\w`.])(?:[A-Za-z_][\w`]*\.)+(?=[A-Za-z_<])")]
    private static partial Regex Namespace();
}
