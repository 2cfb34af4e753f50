using System.Text;
using System.Text.RegularExpressions;

namespace GcTriage.Core;

/// <summary>
/// PowerShell-style wildcards (* ? [abc] [a-z], ` escapes), case-insensitive, without a reference to System.Management.Automation.
/// Type names contain '[' and ']' (arrays, generics): a '[' that does not open a valid bracket set matches itself.
/// </summary>
public sealed class Wildcard
{
    private readonly Regex _regex;

    public Wildcard(string pattern)
    {
        _regex = new Regex(ToRegex(pattern), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline);
    }

    public bool IsMatch(string text) => _regex.IsMatch(text);

    public static bool HasWildcards(string pattern) => pattern.IndexOfAny(['*', '?']) >= 0;

    private static string ToRegex(string pattern)
    {
        var sb = new StringBuilder("^");
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            switch (c)
            {
                case '`' when i + 1 < pattern.Length:
                    sb.Append(Regex.Escape(pattern[++i].ToString()));
                    break;
                case '*':
                    sb.Append(".*");
                    break;
                case '?':
                    sb.Append('.');
                    break;
                case '[':
                    int close = pattern.IndexOf(']', i + 1);
                    if (close > i + 1 && pattern.AsSpan(i + 1, close - i - 1).IndexOfAny("[,".AsSpan()) < 0 && !pattern.AsSpan(i + 1, close - i - 1).Contains(' '))
                    {
                        sb.Append('[').Append(pattern, i + 1, close - i - 1).Append(']');
                        i = close;
                    }
                    else
                    {
                        sb.Append(@"\[");
                    }

                    break;
                default:
                    sb.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        return sb.Append('$').ToString();
    }
}
