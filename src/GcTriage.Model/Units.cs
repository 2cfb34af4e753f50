using System.Globalization;

namespace GcTriage;

/// <summary>Human units for the table views (the objects themselves keep raw bytes and milliseconds).</summary>
public static class Units
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
}
