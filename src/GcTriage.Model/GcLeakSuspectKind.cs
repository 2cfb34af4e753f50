namespace GcTriage;

/// <summary>What a leak suspect is: one object that retains much, or many objects of one type that do together.</summary>
public enum GcLeakSuspectKind
{
    Object,
    TypeGroup,
}
