using System.Diagnostics;

namespace GcTriage.Core;

/// <summary>
/// The one budget, cancellation and progress check of long graph work (marking, root search, referrer counts, dominators).
/// Callers add the work they did in any step size; every <see cref="CheckEvery"/> units or more (never an exact counter value)
/// it throws on cancellation, reports progress at most every 250 ms, and turns false once the budget is spent, after which the
/// caller stops and says Truncated.
/// </summary>
public sealed class WorkMeter
{
    /// <summary>Work units between checks: small enough that Ctrl+C and a time budget act within milliseconds.</summary>
    public const long CheckEvery = 4096;

    private static readonly TimeSpan s_progressInterval = TimeSpan.FromMilliseconds(250);

    private readonly GraphBudget _budget;
    private readonly CancellationToken _cancellationToken;
    private readonly IProgress<GcProgress>? _progress;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly long _expected;
    private long _untilCheck = CheckEvery;
    private TimeSpan _lastProgress;

    /// <param name="activity">What the progress bar says, for example "Marking live objects".</param>
    /// <param name="expected">Work units expected in all, for the percentage; 0 or less when unknown.</param>
    public WorkMeter(GraphBudget budget, CancellationToken cancellationToken, IProgress<GcProgress>? progress, string activity, long expected = 0)
    {
        _budget = budget;
        _cancellationToken = cancellationToken;
        _progress = progress;
        Activity = activity;
        _expected = expected;

        // A node budget smaller than the check interval is honoured at its first check (a 1-node budget truncates any real search).
        _untilCheck = Math.Clamp(budget.MaxNodes, 1, CheckEvery);
        cancellationToken.ThrowIfCancellationRequested();
    }

    public string Activity { get; set; }

    /// <summary>Work units added so far.</summary>
    public long Done { get; private set; }

    /// <summary>True once the node or time budget ran out.</summary>
    public bool Exhausted { get; private set; }

    /// <summary>Adds <paramref name="units"/> of work; false when the budget is spent (stop, and mark the result Truncated).</summary>
    public bool Add(long units = 1)
    {
        Done += units;
        _untilCheck -= units;
        if (_untilCheck > 0)
        {
            return !Exhausted;
        }

        _untilCheck = CheckEvery;
        return Check();
    }

    /// <summary>Checks now, whatever the count: cancellation (throws), budget, progress.</summary>
    public bool Check()
    {
        _cancellationToken.ThrowIfCancellationRequested();
        TimeSpan now = _clock.Elapsed;
        if (Done >= _budget.MaxNodes || now >= _budget.MaxTime)
        {
            Exhausted = true;
        }

        if (_progress is not null && now - _lastProgress >= s_progressInterval)
        {
            _lastProgress = now;
            int percent = _expected > 0 ? (int)Math.Min(99, 100 * Done / _expected) : -1;
            _progress.Report(new GcProgress(Activity, $"{Done:N0}", percent));
        }

        return !Exhausted;
    }
}
