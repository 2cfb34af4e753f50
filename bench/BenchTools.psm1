# What the bench scripts share: medians, means with their standard error, nearest-rank percentiles, and the command line of this very PowerShell.

# A child process whose output lines are kept with their arrival time (the benches read the fixtures' TPUT/LOOP lines by time).
Add-Type -TypeDefinition @'
using System;
using System.Collections.Concurrent;
using System.Diagnostics;
public sealed class BenchProcess
{
    public readonly Process Process;
    public readonly ConcurrentQueue<Tuple<DateTime, string>> Lines = new ConcurrentQueue<Tuple<DateTime, string>>();
    public BenchProcess(string file, string[] args, string envName, string envValue)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardInput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (!string.IsNullOrEmpty(envName)) psi.Environment[envName] = envValue;
        Process = new Process { StartInfo = psi };
        Process.OutputDataReceived += (s, e) => { if (e.Data != null) Lines.Enqueue(Tuple.Create(DateTime.UtcNow, e.Data)); };
        Process.ErrorDataReceived += (s, e) => { if (e.Data != null) Lines.Enqueue(Tuple.Create(DateTime.UtcNow, "ERR " + e.Data)); };
        Process.Start();
        Process.BeginOutputReadLine();
        Process.BeginErrorReadLine();
    }
    public static long PeakRssKb(int pid)
    {
        try
        {
            foreach (var l in System.IO.File.ReadAllLines("/proc/" + pid + "/status"))
                if (l.StartsWith("VmHWM:")) return long.Parse(l.Substring(6).Trim().Split(' ')[0]);
        }
        catch (Exception) { }
        return -1;
    }
}
'@

function Get-Median([double[]] $Values) {
    $s = @($Values | Sort-Object)
    if ($s.Count -eq 0) { return [double]::NaN }
    if ($s.Count % 2) { return $s[[int][math]::Floor($s.Count / 2)] }
    ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2
}

function Get-Percentile([double[]] $Values, [double] $P) {
    # nearest rank, as Measure-GcPause
    $s = @($Values | Sort-Object)
    if ($s.Count -eq 0) { return [double]::NaN }
    $s[[math]::Max(1, [math]::Ceiling($P / 100 * $s.Count)) - 1]
}

function Get-MeanError([double[]] $Values) {
    # Mean and its standard error (sample standard deviation / sqrt(n)): how far a cost figure can be trusted when the host's
    # speed swings between windows.
    $n = $Values.Count
    if ($n -eq 0) { return [pscustomobject]@{ Mean = [double]::NaN; Error = [double]::NaN } }
    $mean = ($Values | Measure-Object -Sum).Sum / $n
    $err = if ($n -gt 1) { [math]::Sqrt((($Values | ForEach-Object { ($_ - $mean) * ($_ - $mean) } | Measure-Object -Sum).Sum) / ($n - 1) / $n) } else { [double]::NaN }
    [pscustomobject]@{ Mean = $mean; Error = $err }
}

function Get-PwshCommand {
    # This very PowerShell (the local dotnet tool: dotnet + pwsh.dll), to start child sessions with.
    $self = [Environment]::ProcessPath
    $first = [Environment]::GetCommandLineArgs()[0]
    if ($first -like '*.dll') { return @($self, $first) }
    @($self)
}

# This process's peak resident memory (VmHWM) so far, in KB.
function Get-HwmKb { [BenchProcess]::PeakRssKb($PID) }

# A full collection of this pwsh's heap with its finalizers run (a closed session's mapping is released by one), so that
# neither falls inside the next timed step.
function Clear-ManagedHeap { [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect() }

# Wall seconds of a script block; its output is dropped.
function Get-Seconds([scriptblock] $Work) { $sw = [Diagnostics.Stopwatch]::StartNew(); $null = & $Work; $sw.Elapsed.TotalSeconds }

# Starts fixture mode $Heap (TestHelpers' Start-GcFixture must be imported), dumps its heap to $Path, stops it, says how long it took.
function Save-BenchFixtureDump([string] $Heap, [string[]] $FixtureArguments, [string] $Path) {
    Write-Host "Starting fixture $Heap $($FixtureArguments -join ' ')"
    $fixture = Start-GcFixture -Mode $Heap -ArgumentList $FixtureArguments -TimeoutSeconds 1800
    try {
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $null = Save-GcDump -ProcessId $fixture.Id -Path $Path -Type Heap
        Write-Host ("dump written: {0:N0} MB in {1:N1} s" -f ((Get-Item $Path).Length / 1MB), $sw.Elapsed.TotalSeconds)
    }
    finally { Stop-GcFixture $fixture }
}

Export-ModuleMember -Function Clear-ManagedHeap, Get-Median, Get-MeanError, Get-Percentile, Get-PwshCommand, Get-HwmKb, Get-Seconds, Save-BenchFixtureDump
