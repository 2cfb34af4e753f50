namespace GcTriage.Core;

/// <summary>Progress of a long call (heap walk, sampling window), reported through IProgress&lt;GcProgress&gt;.</summary>
/// <param name="Activity">What runs, for example "Walking heap".</param>
/// <param name="Status">Where it is, for example "1,234,567 objects".</param>
/// <param name="PercentComplete">0-100, or -1 when unknown.</param>
public readonly record struct GcProgress(string Activity, string Status, int PercentComplete);
