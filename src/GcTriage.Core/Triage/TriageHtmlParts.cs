using System.Text;

namespace GcTriage.Core;

/// <summary>The HTML sections of the optional parts (pauses, settings, collections, bitsets, roots), added as those parts exist.</summary>
public static partial class TriageHtml
{
    static partial void PartSections(StringBuilder sb, GcTriageReport report, bool beforeTypes)
    {
    }
}
