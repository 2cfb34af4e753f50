using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text;

namespace GcTriage.Core;

/// <summary>
/// Writes a list of model objects as CSV the way Export-Csv lays it out (a header of property names, every field quoted), with
/// culture-invariant numbers and ISO 8601 times (round-trip "o": milliseconds and below kept). Plain CSV: no comment line, since
/// Excel and pandas read one as data; the schema version is in report.json and schema.json beside the CSVs.
/// Scalar properties become columns; a nested object's scalar properties become Parent.Child columns; lists become
/// "; "-joined text. Text cells are guarded against formula injection (<see cref="CsvCell"/>); numbers and times are not.
/// </summary>
public static class CsvTableWriter
{
    /// <summary>Writes the table into <paramref name="stream"/>, which stays open (the caller decides when the file is complete).</summary>
    public static void Write<T>(Stream stream, IEnumerable<T> rows)
    {
        var columns = Columns(typeof(T));
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), bufferSize: 1 << 16, leaveOpen: true);
        writer.NewLine = "\n";
        writer.WriteLine(string.Join(",", columns.Select(c => Quote(c.Name))));
        foreach (T row in rows)
        {
            if (row is null)
            {
                continue;
            }

            writer.WriteLine(string.Join(",", columns.Select(c => Quote(Cell(c.Get(row))))));
        }
    }

    private sealed record Column(string Name, Func<object, object?> Get);

    private static List<Column> Columns(Type type)
    {
        var columns = new List<Column>();
        foreach (PropertyInfo p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.GetIndexParameters().Length > 0)
            {
                continue;
            }

            if (IsScalar(p.PropertyType) || IsList(p.PropertyType))
            {
                columns.Add(new Column(p.Name, o => p.GetValue(o)));
            }
            else if (p.PropertyType.IsClass)
            {
                foreach (PropertyInfo q in p.PropertyType.GetProperties(BindingFlags.Public | BindingFlags.Instance))
                {
                    if (q.GetIndexParameters().Length == 0 && (IsScalar(q.PropertyType) || IsList(q.PropertyType)))
                    {
                        columns.Add(new Column(p.Name + "." + q.Name, o => p.GetValue(o) is { } inner ? q.GetValue(inner) : null));
                    }
                }
            }
        }

        return columns;
    }

    private static bool IsScalar(Type t)
    {
        t = Nullable.GetUnderlyingType(t) ?? t;
        return t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(DateTime) || t == typeof(DateTimeOffset)
            || t == typeof(TimeSpan) || t == typeof(Guid);
    }

    private static bool IsList(Type t) => t != typeof(string) && typeof(IEnumerable).IsAssignableFrom(t);

    /// <summary>A cell's text: numbers, times and enums as they are, anything else (names, joined lists) guarded.</summary>
    internal static string Cell(object? value) => value is IFormattable and not IEnumerable ? Format(value) : CsvCell.Guard(Format(value));

    internal static string Format(object? value) => value switch
    {
        null => "",
        string s => s,
        DateTime d => d.ToString("o", CultureInfo.InvariantCulture),
        DateTimeOffset d => d.ToString("o", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IDictionary dict => string.Join("; ", dict.Keys.Cast<object>().Select(k => $"{Format(k)}={Format(dict[k])}")),
        IEnumerable e => string.Join("; ", e.Cast<object?>().Select(Format)),
        _ => value.ToString() ?? "",
    };

    private static string Quote(string s) => "\"" + s.Replace("\"", "\"\"") + "\"";
}
