using System.Text;
using Microsoft.Diagnostics.Runtime;

namespace GcTriage.Core;

/// <summary>
/// Type names of allocation ticks, as the heap commands write them. The runtime names a tick's type the reflection way,
/// <c>System.Collections.Generic.Dictionary`2[System.Int64,Acme.Session]</c>, and for a nested type drops the enclosing type
/// (<c>Node`2[System.Int64,Acme.Session]</c> for <c>Acme.Cache+Node&lt;System.Int64, Acme.Session&gt;</c>, <c>Entry[...][]</c>
/// for a Dictionary's entries, <c>RuntimeTypeCache</c> for <c>System.RuntimeType+RuntimeTypeCache</c>). The heap commands name types as ClrMD does. A live session resolves each
/// tick's type id (its MethodTable) with a non-suspending ClrMD read of the process, which gives exactly the heap commands'
/// names; where that read is not possible (a trace file, a process that exited or that this user may not read), the tick's
/// name is rewritten in ClrMD's style (<see cref="Normalize"/>), which is the same string except for nested types.
/// </summary>
public static class AllocationTypeNames
{
    /// <summary>
    /// Rewrites a reflection-style name in ClrMD's style: generic arity marks dropped, arguments in angle brackets separated by
    /// ", ", assembly qualifications dropped, array ranks kept: <c>Dictionary`2[System.Int64,Session][]</c> becomes
    /// <c>Dictionary&lt;System.Int64, Session&gt;[]</c>. A name it cannot parse is returned as it is.
    /// </summary>
    public static string Normalize(string name)
    {
        if (name.IndexOf('`') < 0 && name.IndexOf('[') < 0)
        {
            return name;
        }

        int i = 0;
        var sb = new StringBuilder(name.Length + 8);
        return ParseType(name, ref i, sb, stopAtComma: false) && i == name.Length ? sb.ToString() : name;
    }

    /// <summary>
    /// The names ClrMD gives the MethodTables <paramref name="methodTables"/> in the live process <paramref name="processId"/>,
    /// read without suspending it (a loaded type's MethodTable and name do not change). Types it cannot name are left out;
    /// when the process cannot be read at all the map is empty.
    /// </summary>
    public static IReadOnlyDictionary<ulong, string> ResolveLive(int processId, IEnumerable<ulong> methodTables)
    {
        var names = new Dictionary<ulong, string>();
        ulong[] wanted = methodTables.Where(mt => mt != 0).Distinct().ToArray();
        if (wanted.Length == 0)
        {
            return names;
        }

        try
        {
            using DataTarget target = GcRuntimeProbe.AttachLive(processId);
            using ClrRuntime? runtime = GcRuntimeProbe.CreateRuntime(target);
            if (runtime is null)
            {
                return names;
            }

            foreach (ulong mt in wanted)
            {
                if (runtime.GetTypeByMethodTable(mt)?.Name is { Length: > 0 } name)
                {
                    names[mt] = name;
                }
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
        {
            // Not readable (another user's process, ptrace restrictions, exited meanwhile, a DAC others could have written): the
            // ticks' own names, normalised, stand.
        }

        return names;
    }

    private static bool ParseType(string s, ref int i, StringBuilder sb, bool stopAtComma)
    {
        int start = i;
        while (i < s.Length && s[i] != '[' && s[i] != ']' && !(stopAtComma && s[i] == ','))
        {
            if (s[i] == '`')
            {
                // Arity: `2 (skip the digits).
                i++;
                while (i < s.Length && char.IsAsciiDigit(s[i]))
                {
                    i++;
                }

                continue;
            }

            sb.Append(s[i]);
            i++;
        }

        if (i == start)
        {
            return false;
        }

        while (i < s.Length && s[i] == '[')
        {
            if (i + 1 < s.Length && (s[i + 1] == ']' || s[i + 1] == ',' || s[i + 1] == '*'))
            {
                // An array rank: [], [,], [*].
                int close = s.IndexOf(']', i);
                if (close < 0)
                {
                    return false;
                }

                sb.Append(s, i, close - i + 1);
                i = close + 1;
                continue;
            }

            // Generic arguments: [A,B] or, assembly-qualified, [[A, asm],[B, asm]].
            i++;
            sb.Append('<');
            bool first = true;
            while (true)
            {
                if (!first)
                {
                    sb.Append(", ");
                }

                first = false;
                if (i < s.Length && s[i] == '[')
                {
                    i++;
                    if (!ParseType(s, ref i, sb, stopAtComma: true))
                    {
                        return false;
                    }

                    int close = SkipQualification(s, i);
                    if (close < 0)
                    {
                        return false;
                    }

                    i = close + 1;
                }
                else if (!ParseType(s, ref i, sb, stopAtComma: true))
                {
                    return false;
                }

                if (i >= s.Length)
                {
                    return false;
                }

                if (s[i] == ',')
                {
                    i++;
                    continue;
                }

                if (s[i] == ']')
                {
                    i++;
                    break;
                }

                return false;
            }

            sb.Append('>');
        }

        return true;
    }

    /// <summary>From just after a qualified argument's type name to its closing ']' (skipping ", assembly, Version=..."), or -1.</summary>
    private static int SkipQualification(string s, int i)
    {
        int depth = 0;
        for (; i < s.Length; i++)
        {
            switch (s[i])
            {
                case '[':
                    depth++;
                    break;
                case ']' when depth == 0:
                    return i;
                case ']':
                    depth--;
                    break;
            }
        }

        return -1;
    }
}
