namespace GcTriage.Core;

/// <summary>
/// Runs work that blocks for long (an event stream read to its end, a command's whole run, a session's Stop) as a task on a
/// thread of its own (TaskCreationOptions.LongRunning), not on a thread pool thread. A host whose pool is busy (a runbook running
/// many runspaces, ForEach-Object -Parallel) would otherwise hold such work back until the pool frees up: with the pool starved,
/// a 1 s session ran on for as long as the pool stayed busy, and the target paid for its events all that time.
/// </summary>
public static class DedicatedTask
{
    public static Task Run(Action work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    public static Task<T> Run<T>(Func<T> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}
