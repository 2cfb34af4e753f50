using System.Globalization;
using System.Management.Automation;
using GcTriage.Core;

namespace GcTriage.Commands;

/// <summary>Pause statistics (nearest-rank percentiles, totals, counts by generation/type/reason) over GcPause objects, CSV rows of them, a live process or a trace.</summary>
[Cmdlet(VerbsDiagnostic.Measure, "GcPause", DefaultParameterSetName = InputSet)]
[OutputType(typeof(GcPauseSummary))]
public sealed class MeasureGcPauseCommand : PauseCmdlet
{
    public const string InputSet = "Input";
    public const string ProcessSet = "Process";
    public const string TraceSet = "Trace";
    public const string InvalidPauseInput = ErrorCatalog.InvalidPauseInput;

    private readonly List<GcPause> _pauses = new();
    private double? _windowMs;
    private long _inputs;
    private long _rejected;

    /// <summary>GcPause objects, or any objects with a PauseMs property (rows from Import-Csv).</summary>
    [Parameter(Mandatory = true, ParameterSetName = InputSet, ValueFromPipeline = true)]
    public PSObject? InputObject { get; set; }

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ProcessSet)]
    [Alias("Id")]
    public int ProcessId { get; set; }

    [Parameter(Mandatory = true, Position = 1, ParameterSetName = ProcessSet)]
    [GcDuration]
    public TimeSpan Duration { get; set; }

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = TraceSet)]
    [Alias("FullName", "PSPath")]
    [ValidateNotNullOrEmpty]
    public string TracePath { get; set; } = "";

    /// <summary>One summary per value of this property.</summary>
    [Parameter]
    [ValidateSet("Generation", "Type", "Reason")]
    public string? GroupBy { get; set; }

    /// <summary>Counts the GCs that overlapped a capture the module made (OverlapsCapture); by default they are left out and counted in CapturePausesExcluded.</summary>
    [Parameter]
    public SwitchParameter IncludeCapturePauses { get; set; }

    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case InputSet:
                _inputs++;
                if (InputObject is not null && ToPause(InputObject) is GcPause p)
                {
                    _pauses.Add(p);
                }

                break;
            case ProcessSet:
                Collect(ProcessId, null);
                break;
            case TraceSet:
                Collect(null, GetUnresolvedProviderPathFromPSPath(TracePath));
                break;
        }
    }

    private void Collect(int? pid, string? path)
    {
        try
        {
            GcPauseSessionResult? result = ReadPauses(pid, pid is null ? null : Duration, path, null, false, _ => true, _pauses.Add);
            if (pid is not null && result is not null)
            {
                _windowMs = result.WindowMs; // a live session: the window is the session, quiet time included
            }
        }
        catch (GcTriageException e)
        {
            ThrowGcError(e, (object?)path ?? pid);
        }
    }

    protected override void EndProcessing()
    {
        if (_rejected > 1)
        {
            WriteWarning($"{_rejected:N0} of {_inputs:N0} input objects were not GC pauses and were left out (the error above is about the first of them).");
        }

        if (_pauses.Count == 0 && ParameterSetName == InputSet)
        {
            return;
        }

        // One window for all groups, so that a group's PauseTimePercent is its share of the same time.
        double window = _windowMs ?? PauseStatistics.Summarize(_pauses).WindowMs;
        if (GroupBy is null)
        {
            WriteObject(PauseStatistics.Summarize(_pauses, windowMs: window, includeCapturePauses: IncludeCapturePauses));
            return;
        }

        Func<GcPause, string> key = GroupBy switch
        {
            "Generation" => p => p.Generation.ToString(CultureInfo.InvariantCulture),
            "Type" => p => p.Type.ToString(),
            _ => p => p.Reason,
        };
        foreach (var group in _pauses.GroupBy(key).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            WriteObject(PauseStatistics.Summarize(group.ToList(), group.Key, GroupBy, window, IncludeCapturePauses));
        }
    }

    private GcPause? ToPause(PSObject input)
    {
        if (input.BaseObject is GcPause pause)
        {
            return pause;
        }

        try
        {
            object? pauseMs = input.Properties["PauseMs"]?.Value;
            if (pauseMs is null || (pauseMs is string s && s.Length == 0))
            {
                throw new ArgumentException("it has no PauseMs property");
            }

            return new GcPause
            {
                PauseMs = Convert<double>(pauseMs),
                Number = Get<long>(input, "Number"),
                Generation = Get<int>(input, "Generation"),
                Type = Get<GcPauseType>(input, "Type"),
                Reason = Get<string>(input, "Reason") ?? "",
                SuspendMs = Get<double>(input, "SuspendMs"),
                DurationMs = Get<double>(input, "DurationMs"),
                PauseTimePercent = Get<double>(input, "PauseTimePercent"),
                Timestamp = Timestamp(input),
                HeapAfterBytes = Get<long>(input, "HeapAfterBytes"),
                ProcessId = Get<int>(input, "ProcessId"),
                OverlapsCapture = GetBool(input, "OverlapsCapture"),
                OverlappedCapture = Get<string>(input, "OverlappedCapture"),
            };
        }
        catch (Exception e) when (e is ArgumentException or PSInvalidCastException or FormatException or InvalidCastException)
        {
            // One error for a whole file of wrong rows, not one per row; EndProcessing counts the rest.
            if (++_rejected == 1)
            {
                WriteGcError(new GcTriageException(InvalidPauseInput, GcErrorKind.InvalidData,
                    $"Input is not a GC pause: {e.Message}. Measure-GcPause takes Get-GcPause objects or rows of their CSV.", input, e), input);
            }

            return null;
        }
    }

    /// <summary>TimestampText (ISO 8601, as Export-Csv of a GcPause keeps it, milliseconds included), else Timestamp; UTC.</summary>
    private static DateTime Timestamp(PSObject input)
    {
        if (input.Properties["TimestampText"]?.Value is string text && text.Length > 0)
        {
            DateTime t = DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
            return t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : t;
        }

        return Get<DateTime>(input, "Timestamp");
    }

    private static T Get<T>(PSObject input, string name)
    {
        object? value = input.Properties[name]?.Value;
        if (value is null || (value is string s && s.Length == 0))
        {
            return default!;
        }

        return Convert<T>(value);
    }

    /// <summary>A bool property, also as Export-Csv writes it ("True"/"False": PowerShell's own conversion takes any non-empty string as true).</summary>
    private static bool GetBool(PSObject input, string name) => input.Properties[name]?.Value switch
    {
        null => false,
        string s when s.Length == 0 => false,
        string s => bool.Parse(s),
        object o => Convert<bool>(o),
    };

    private static T Convert<T>(object value) => (T)LanguagePrimitives.ConvertTo(value, typeof(T), CultureInfo.InvariantCulture);
}
