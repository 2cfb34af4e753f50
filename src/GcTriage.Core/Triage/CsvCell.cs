namespace GcTriage.Core;

/// <summary>
/// CSV formula injection: a text cell that begins with =, +, -, @, a tab or a carriage return is run as a formula by
/// spreadsheets. Every such text cell the module writes gets a leading apostrophe (OWASP's advice); numbers are left alone, so
/// a negative SizeDelta stays a number. <see cref="Unguard"/> takes the apostrophe off again where the module reads its own
/// CSVs back (Compare-GcHeap), so the round trip is exact.
/// </summary>
public static class CsvCell
{
    /// <summary>An apostrophe before a trigger, and before a text that already looks guarded (so that Unguard is exact).</summary>
    public static string Guard(string text) => text.Length > 0 && (IsTrigger(text[0]) || LooksGuarded(text)) ? "'" + text : text;

    public static string Unguard(string text) => LooksGuarded(text) ? text[1..] : text;

    /// <summary>One or more apostrophes, then a trigger.</summary>
    private static bool LooksGuarded(string text)
    {
        int i = 0;
        while (i < text.Length && text[i] == '\'')
        {
            i++;
        }

        return i > 0 && i < text.Length && IsTrigger(text[i]);
    }

    private static bool IsTrigger(char c) => c is '=' or '+' or '-' or '@' or '\t' or '\r';
}
