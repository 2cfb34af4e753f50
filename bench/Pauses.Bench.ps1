<#
.SYNOPSIS
Benchmarks Get-GcPause: target throughput with and without a session, listener CPU and memory, GC-end-to-object latency,
against dotnet-trace collect --profile gc-collect.

.DESCRIPTION
One fixture process per load (GcTriage.Fixture gcBench: allocates short-lived objects flat out and prints its allocation
throughput every 500 ms). Inside that one process, windows alternate: no session, a Get-GcPause session, no session, a
dotnet-trace gc-collect session; -Cycles times, and a closing no-session window. The throughput of a window is the median of
its 500 ms samples (the first -SkipSeconds after a switch are dropped: a session's start, measured on its own as
GetGcPauseStartCostPercent). The cost of an "on" window is 1 - its throughput / the mean of the "off" windows just before and
just after it (drift of the host between windows cancels out); the median over cycles is reported, and the mean with its
standard error.
Get-GcPause runs in one warm listener: a child pwsh started once per load (PowerShell's telemetry off) that runs one session per
window on command, after -WarmupSessions untimed sessions. Those let the listener's JIT settle: the first session JIT-compiles
the module, TraceEvent, NETCore.Client and (the dotnet-tool PowerShell being IL-only) much of PowerShell, several CPU seconds,
and tier-1 and PGO recompiles go on for several sessions more; JIT on the other core slows a memory-bound target far more than
its CPU time suggests. GetGcPauseJitSeconds reports what JIT was left inside the measured sessions. dotnet-trace starts a
process per window, as it is used; its first two seconds (process start-up, attach) are left out of its window as well.
Loads: "high" (DOTNET_GCgen0size=0x80000: about 3,500 gen0 GCs per second here, the rate issue 4 measured at), "low" (default
gen0 budget: ~100-300 GCs/s) and, when asked for, "extreme" (DOTNET_GCgen0size=0x20000: about 13,000 GCs per second).
The fixture also prints its cumulative bytes and its process CPU time, so each window gives bytes allocated per CPU second of the
whole target process too (GetGcPauseCpuCostPercent, DotnetTraceCpuCostPercent): the runtime's own cost of a session shows there,
while CPU that other processes take from the target does not. On these VMs the throughput of one 500 ms sample to the next
swings by up to 2x with nothing attached, so a single cycle cannot resolve a few percent; run many -Cycles and read both figures.
Latency: each GcPause's arrival in the listener's pipeline minus the GC's end (Timestamp + DurationMs), p50/p99.
The fixture also prints its pause total (GC.GetTotalPauseDuration), its allocating thread's CPU time and its GC count, which
split a session's cost in two: pause time per GC (the runtime writes the session's events inside each GC) and the allocating
code's CPU time per KB outside the pauses (what other threads and processes take from its caches). -Floor adds a window of the
least any listener of GC events can ask for (GCStart alone, no stacks, bytes discarded): the part of the cost that comes with
any GC event session rather than with the events Get-GcPause asks for.
Listener CPU: CPU time of the listener process during each measured session; memory: its peak RSS, and with -MemorySeconds one
long session at the extreme load, RSS and managed heap after ~10k and ~1M GCs and at the end.
dotnet-trace 10.0.750501 is installed into a temporary tool path (dotnet tool install --tool-path).
#>
[CmdletBinding()]
param(
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',
    [int] $Cycles = 10,
    [int] $WindowSeconds = 6,
    # Seconds dropped at the start of every window: a session's start (connecting, the parser's set-up, the first flush) and the
    # switch from the window before. The rest of the window is the steady state of an attached session.
    [double] $SkipSeconds = 2,
    # Sessions the warm listener runs before anything is measured, so that its JIT (tier-0, then the tier-1 and PGO recompiles of
    # PowerShell, TraceEvent and the module) has settled and does not run on the other core during the measured windows.
    [int] $WarmupSessions = 4,
    [ValidateSet('high', 'low', 'extreme')]
    [string[]] $Load = @('high', 'low'),
    # The gen0 budget of the "high" load (DOTNET_GCgen0size).
    [string] $HighGen0Size = '0x80000',
    # Also run one long Get-GcPause session at the high load for this many seconds, to show memory stays flat.
    [int] $MemorySeconds = 0,
    [switch] $SkipDotnetTrace,
    # Also run "floor" windows: a bare session asking the runtime for GCStart alone, without stacks, its bytes discarded (the
    # least any listener of GC events can ask for; every GC event is in the GC keyword at Informational, which is what turns
    # on the GC's own event bookkeeping). Its cost is the part of Get-GcPause's cost that no listener can avoid.
    [switch] $Floor,
    # The event ids the floor session asks for (default GCStart alone); for example 1,3,8,9 (GCStart and the suspension events)
    # or 1,204 (GCStart and GCPerHeapHistory) to see what one group of Get-GcPause's events costs.
    [uint32[]] $FloorEventIds = @(1),
    # What the listener's pipeline does with each GcPause in the measured windows: ForEach (a script block per object that
    # records its lag, for the latency figures) or Null ($null = Get-GcPause ...: no per-object work in the listener's pipeline;
    # latency then comes from warm-up sessions 2 and later, which keep the ForEach consumer).
    [ValidateSet('ForEach', 'Null')]
    [string] $Consumer = 'ForEach'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$Root = (Resolve-Path "$PSScriptRoot/..").Path
$fixtureDll = Join-Path $Root "tests/GcTriage.Fixture/bin/$Configuration/net10.0/GcTriage.Fixture.dll"
if (-not (Test-Path $fixtureDll)) { throw "Build first: $fixtureDll is missing." }
Import-Module (Join-Path $PSScriptRoot 'BenchTools.psm1') -Force
$pwshCmd = @(Get-PwshCommand)


function Measure-FixtureWindow($fixture, [datetime] $from, [datetime] $to, [double] $skip = $SkipSeconds) {
    # The fixture's TPUT samples of one window, its first -SkipSeconds dropped: median throughput (MB/s) and GC rate, and bytes allocated
    # per CPU second of the whole target process over the window. That last figure shows the runtime's own cost of a session
    # (writing events, its streaming thread), while CPU that other load on the host takes from the target does not.
    $inv = [cultureinfo]::InvariantCulture
    $in = @(foreach ($t in $fixture.Lines.ToArray()) {
            if ($t.Item2 -like 'TPUT *' -and $t.Item1 -ge $from.AddSeconds($skip) -and $t.Item1 -le $to) { , ($t.Item2 -split ' ') }
        })
    $perCpu = [double]::NaN; $perThreadCpu = [double]::NaN; $pauseUsPerGc = [double]::NaN; $mutatorNsPerKB = [double]::NaN; $pauseShare = [double]::NaN
    if ($in.Count -ge 2) {
        $first = $in[0]; $last = $in[-1]
        $bytes = [double]$last[4] - [double]$first[4]
        $cpu = ([double]::Parse($last[5], $inv) - [double]::Parse($first[5], $inv)) / 1000
        if ($cpu -gt 0) { $perCpu = $bytes / $cpu / 1e6 }
        if ($first.Count -ge 9) {
            # The decomposition (a fixture that prints its pause total, its allocating thread's CPU time and its GC count):
            # bytes per CPU second of the allocating thread alone, pause time per GC (the runtime's own total), the share of the
            # window spent paused, and the allocating code's CPU time per KB outside the pauses. A session's cost shows as longer
            # pauses (events written inside the GC) or as slower allocating code (the thread loses its caches to other threads).
            $pause = [double]::Parse($last[6], $inv) - [double]::Parse($first[6], $inv)
            $thread = [double]::Parse($last[7], $inv) - [double]::Parse($first[7], $inv)
            $gcs = [double]$last[8] - [double]$first[8]
            $wall = ([double]$last[1] - [double]$first[1])
            if ($thread -gt 0) { $perThreadCpu = $bytes / ($thread / 1000) / 1e6 }
            if ($gcs -gt 0) { $pauseUsPerGc = $pause / $gcs * 1000 }
            if ($wall -gt 0) { $pauseShare = $pause / $wall }
            if ($bytes -gt 0) { $mutatorNsPerKB = ($thread - $pause) * 1e6 / ($bytes / 1024) }
        }
    }
    [pscustomobject]@{
        Throughput     = Get-Median @($in | ForEach-Object { [double]::Parse($_[2], $inv) })
        GcRate         = Get-Median @($in | ForEach-Object { [double]::Parse($_[3], $inv) })
        PerCpu         = $perCpu
        PerThreadCpu   = $perThreadCpu
        PauseUsPerGc   = $pauseUsPerGc
        PauseShare     = $pauseShare
        MutatorNsPerKB = $mutatorNsPerKB
    }
}

$listenerScript = @'
param($module, $id, $lagDir)
# A warm listener: one pwsh that runs one Get-GcPause session per "RUN <seconds> <tag> <normal|memory>" line on its standard
# input, so that each measured window sees a listener whose module, TraceEvent and NETCore.Client are already JIT-compiled
# (the driver runs a warm-up session first) and no pwsh start-up.
Import-Module $module
$me = [Diagnostics.Process]::GetCurrentProcess()
function Say([string] $text) { [Console]::Out.WriteLine($text); [Console]::Out.Flush() }
Say 'READY'
while ($null -ne ($line = [Console]::In.ReadLine()) -and $line -ne 'exit') {
    $verb, $seconds, $tag, $kind, $ids = $line -split ' '
    if ($verb -eq 'FLOOR') {
        # The floor session: NETCore.Client alone (loaded here from the module's dependencies, outside the module), the runtime
        # provider's GC keyword at Informational filtered to -FloorEventIds (default GCStart, id 1), no stack walks, no rundown;
        # the stream is discarded.
        if (-not ('Microsoft.Diagnostics.NETCore.Client.DiagnosticsClient' -as [type])) {
            Add-Type -Path (Join-Path (Split-Path $module) 'module/bin/dependencies/Microsoft.Diagnostics.NETCore.Client.dll')
        }
        $me.Refresh(); $cpu0 = $me.TotalProcessorTime; $jit0 = [System.Runtime.JitInfo]::GetCompilationTime($false)
        $filter = [Microsoft.Diagnostics.NETCore.Client.EventPipeProviderEventFilter]::new($true, [uint32[]]@($ids -split ','))
        $provider = [Microsoft.Diagnostics.NETCore.Client.EventPipeProvider]::new('Microsoft-Windows-DotNETRuntime', [System.Diagnostics.Tracing.EventLevel]::Informational, 1, $null, $filter)
        $config = [Microsoft.Diagnostics.NETCore.Client.EventPipeSessionConfiguration]::new([Microsoft.Diagnostics.NETCore.Client.EventPipeProvider[]]@($provider), 16, 0, $false)
        $session = [Microsoft.Diagnostics.NETCore.Client.DiagnosticsClient]::new([int]$id).StartEventPipeSession($config)
        $copy = $session.EventStream.CopyToAsync([System.IO.Stream]::Null)
        Say "STARTED $tag"
        Start-Sleep -Milliseconds ([int]([double]$seconds * 1000))
        $session.Stop(); $null = $copy.Wait(5000); $session.Dispose()
        $me.Refresh()
        Say "RESULT $tag cpu=$(($me.TotalProcessorTime - $cpu0).TotalSeconds.ToString([cultureinfo]::InvariantCulture)) jit=$(([System.Runtime.JitInfo]::GetCompilationTime($false) - $jit0).TotalSeconds.ToString([cultureinfo]::InvariantCulture)) count=0 rss=$($me.WorkingSet64) rss10k=0 heap10k=0 rss1m=0 heap1m=0 heap=0"
        continue
    }
    $memory = $kind -eq 'memory'
    $lags = [System.Collections.Generic.List[double]]::new()
    $rssAt10k = 0; $heapAt10k = 0; $rssAt1M = 0; $heapAt1M = 0
    $count = 0
    $me.Refresh(); $cpu0 = $me.TotalProcessorTime; $jit0 = [System.Runtime.JitInfo]::GetCompilationTime($false)
    Say "STARTED $tag"
    if ($kind -eq 'quiet') {
        # -Consumer Null: the objects go nowhere, with no per-object work of the listener's own (no lag, no count).
        $null = Get-GcPause -Id $id -Duration ([timespan]::FromSeconds([double]$seconds))
    }
    else {
    Get-GcPause -Id $id -Duration ([timespan]::FromSeconds([double]$seconds)) | ForEach-Object {
        # The memory run keeps nothing per GC (a list of a million lags would be 8-16 MB of the listener's own growth).
        if (-not $memory) { $lags.Add(([DateTime]::UtcNow - $_.Timestamp).TotalMilliseconds - $_.DurationMs) }
        $count++
        if ($count -eq 10000 -or $count -eq 1000000) {
            # Live memory: after a full blocking GC, RSS and the managed heap.
            [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
            $me.Refresh()
            if ($count -eq 10000) { $rssAt10k = $me.WorkingSet64; $heapAt10k = [GC]::GetTotalMemory($false) }
            else { $rssAt1M = $me.WorkingSet64; $heapAt1M = [GC]::GetTotalMemory($false) }
        }
    }
    }
    $me.Refresh()
    $cpu = ($me.TotalProcessorTime - $cpu0).TotalSeconds
    $jit = ([System.Runtime.JitInfo]::GetCompilationTime($false) - $jit0).TotalSeconds
    [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect(); $me.Refresh()
    [System.IO.File]::WriteAllLines((Join-Path $lagDir "lags-$tag.txt"), [string[]]@($lags | ForEach-Object { $_.ToString([cultureinfo]::InvariantCulture) }))
    Say "RESULT $tag cpu=$($cpu.ToString([cultureinfo]::InvariantCulture)) jit=$($jit.ToString([cultureinfo]::InvariantCulture)) count=$count rss=$($me.WorkingSet64) rss10k=$rssAt10k heap10k=$heapAt10k rss1m=$rssAt1M heap1m=$heapAt1M heap=$([GC]::GetTotalMemory($false))"
}
'@

$temp = Join-Path ([IO.Path]::GetTempPath()) ('gctriage-bench-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
if ($IsWindows) { $null = New-Item -ItemType Directory $temp } else { $null = [System.IO.Directory]::CreateDirectory($temp, [System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute') }
# The temp folder goes whatever happens (a failed listener, Ctrl+C in the middle of a run).
trap { Remove-Item $temp -Recurse -Force -ErrorAction SilentlyContinue; break }
$scriptFile = Join-Path $temp 'listener.ps1'
Set-Content $scriptFile $listenerScript
$module = Join-Path $Root 'GcTriage.psd1'

$dotnetTrace = $null
if (-not $SkipDotnetTrace) {
    $toolPath = Join-Path $temp 'tools'
    & dotnet tool install dotnet-trace --version 10.0.750501 --tool-path $toolPath *> (Join-Path $temp 'tool-install.log')
    if ($LASTEXITCODE -ne 0) { Write-Warning "dotnet-trace could not be installed: $(Get-Content (Join-Path $temp 'tool-install.log') -Raw)" }
    else { $dotnetTrace = Join-Path $toolPath 'dotnet-trace' }
}

function Start-Listener($fixture) {
    $args = @($pwshCmd | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $scriptFile, $module, $fixture.Process.Id, $temp)
    # PowerShell's own telemetry off: on its schedule it JIT-compiles and runs an HTTP client (ApplicationInsights), hundreds of
    # methods in the middle of a measured window, which is PowerShell's cost and not the module's.
    $l = [BenchProcess]::new($pwshCmd[0], [string[]]$args, 'POWERSHELL_TELEMETRY_OPTOUT', '1')
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    while (-not ($l.Lines.ToArray() | Where-Object { $_.Item2 -eq 'READY' })) {
        if ($l.Process.HasExited -or [DateTime]::UtcNow -gt $deadline) { throw "listener did not start: $(($l.Lines.ToArray() | ForEach-Object Item2) -join ' | ')" }
        Start-Sleep -Milliseconds 100
    }
    $l
}

function Stop-Listener($l) {
    try { $l.Process.StandardInput.WriteLine('exit') } catch { }
    if (-not $l.Process.WaitForExit(10000)) { $l.Process.Kill() }
}

function Invoke-GcTriageWindow($l, [double] $seconds, [string] $tag, [string] $kind = 'normal', [string] $verb = 'RUN') {
    $l.Process.StandardInput.WriteLine("$verb $seconds $tag $kind $($FloorEventIds -join ',')")
    $peak = 0
    $deadline = [DateTime]::UtcNow.AddSeconds($seconds + 60)
    while (-not ($result = $l.Lines.ToArray() | Where-Object { $_.Item2 -like "RESULT $tag *" } | Select-Object -First 1)) {
        if ($l.Process.HasExited -or [DateTime]::UtcNow -gt $deadline) { throw "listener failed: $(($l.Lines.ToArray() | ForEach-Object Item2) -join ' | ')" }
        $peak = [math]::Max($peak, [BenchProcess]::PeakRssKb($l.Process.Id)); Start-Sleep -Milliseconds 100
    }
    $start = ($l.Lines.ToArray() | Where-Object { $_.Item2 -eq "STARTED $tag" } | Select-Object -First 1).Item1
    $kv = @{}; foreach ($pair in ($result.Item2 -split ' ' | Select-Object -Skip 2)) { $k, $v = $pair -split '=', 2; $kv[$k] = [double]::Parse($v, [cultureinfo]::InvariantCulture) }
    $lagFile = Join-Path $temp "lags-$tag.txt"
    $lags = @()
    if (Test-Path $lagFile) {
        $lags = @(Get-Content $lagFile | ForEach-Object { [double]::Parse($_, [cultureinfo]::InvariantCulture) })
        Remove-Item $lagFile
    }
    [pscustomobject]@{ Start = $start; End = $result.Item1; Cpu = $kv.cpu; Jit = $kv.jit; Count = $kv.count; PeakRssMB = $peak / 1024; Rss10kMB = $kv.rss10k / 1MB; RssEndMB = $kv.rss / 1MB; Heap10kMB = $kv.heap10k / 1MB; Rss1MMB = $kv.rss1m / 1MB; Heap1MMB = $kv.heap1m / 1MB; HeapEndMB = $kv.heap / 1MB; Lags = $lags }
}

function Invoke-DotnetTraceWindow($fixture, [double] $seconds) {
    $out = Join-Path $temp "dt-$([guid]::NewGuid().ToString('N').Substring(0,6)).nettrace"
    $start = [DateTime]::UtcNow
    $d = [BenchProcess]::new($dotnetTrace, [string[]]@('collect', '-p', $fixture.Process.Id, '--profile', 'gc-collect', '-o', $out, '--duration', ([timespan]::FromSeconds($seconds)).ToString()), $null, $null)
    $peak = 0; $cpu = 0
    while (-not $d.Process.HasExited) {
        $peak = [math]::Max($peak, [BenchProcess]::PeakRssKb($d.Process.Id))
        try { $d.Process.Refresh(); $cpu = $d.Process.TotalProcessorTime.TotalSeconds } catch { }
        Start-Sleep -Milliseconds 100
    }
    $d.Process.WaitForExit()
    $size = if (Test-Path $out) { (Get-Item $out).Length } else { 0 }
    Remove-Item $out -ErrorAction SilentlyContinue
    [pscustomobject]@{ Start = $start; End = [DateTime]::UtcNow; Cpu = $cpu; PeakRssMB = $peak / 1024; TraceBytes = $size }
}

function Format-Cost([double[]] $ratios) {
    # "mean% ± standard error" of the costs (1 - ratio) of the on windows of one kind.
    $m = Get-MeanError @($ratios | ForEach-Object { 100 * (1 - $_) })
    '{0:N1}% ± {1:N1} (n={2})' -f $m.Mean, $m.Error, $ratios.Count
}

$report = foreach ($loadName in $Load) {
    $env = switch ($loadName) { 'extreme' { 'DOTNET_GCgen0size', '0x20000' } 'high' { 'DOTNET_GCgen0size', $HighGen0Size } default { $null, $null } }
    $fixture = [BenchProcess]::new('dotnet', [string[]]@($fixtureDll, 'gcBench', '64', '500'), $env[0], $env[1])
    $listener = $null
    $windows = [System.Collections.Generic.List[object]]::new()
    $lags = @(); $cpuG = @(); $jitG = @(); $cpuD = @(); $peakG = @(); $peakD = @(); $countG = @(); $perGc = @()
    try {
        $listener = Start-Listener $fixture
        # Warm-up: the listener's first session JIT-compiles the module, TraceEvent and NETCore.Client (several CPU seconds that
        # a long session pays once); the fixture's tiering and GC budgets settle meanwhile. Not measured.
        for ($w = 1; $w -le [math]::Max(1, $WarmupSessions); $w++) {
            $warm = Invoke-GcTriageWindow $listener 6 "$loadName-warm-$w"
            if ($Consumer -eq 'Null' -and $w -ge 2) { $lags += $warm.Lags }
        }
        if ($Floor) { $null = Invoke-GcTriageWindow $listener 3 "$loadName-floor-warm" 'normal' 'FLOOR' }
        Start-Sleep -Seconds 1
        function Add-OffWindow {
            $t0 = [DateTime]::UtcNow; Start-Sleep -Seconds $WindowSeconds
            $windows.Add([pscustomobject]@{ Kind = 'off'; W = (Measure-FixtureWindow $fixture $t0 ([DateTime]::UtcNow)) })
        }
        for ($c = 1; $c -le $Cycles; $c++) {
            # off, Get-GcPause, off, dotnet-trace; then one closing off window, so that every "on" window has an off one on each side.
            Add-OffWindow
            $g = Invoke-GcTriageWindow $listener ($WindowSeconds + 0.5) "$loadName-$c" $(if ($Consumer -eq 'Null') { 'quiet' } else { 'normal' })
            # The session's time only (from the listener's STARTED line, whose first -SkipSeconds Measure-FixtureWindow drops).
            # The first -SkipSeconds too, measured on their own: what a session's start costs the target.
            $windows.Add([pscustomobject]@{ Kind = 'Get-GcPause'; W = (Measure-FixtureWindow $fixture $g.Start $g.End); S = (Measure-FixtureWindow $fixture $g.Start $g.Start.AddSeconds($SkipSeconds) 0) })
            $lags += $g.Lags; $cpuG += $g.Cpu; $jitG += $g.Jit; $peakG += $g.PeakRssMB; $countG += $g.Count
            if ($g.Count -gt 0) { $perGc += $g.Cpu / $g.Count * 1e6 }
            if ($dotnetTrace) {
                Add-OffWindow
                # dotnet-trace starts a process per session: its start-up (about a second) is left out of the window.
                $d = Invoke-DotnetTraceWindow $fixture ($WindowSeconds + 2)
                $windows.Add([pscustomobject]@{ Kind = 'dotnet-trace'; W = (Measure-FixtureWindow $fixture $d.Start.AddSeconds(2) $d.End) })
                $cpuD += $d.Cpu; $peakD += $d.PeakRssMB
            }
            if ($Floor) {
                Add-OffWindow
                $f = Invoke-GcTriageWindow $listener ($WindowSeconds + 0.5) "$loadName-floor-$c" 'normal' 'FLOOR'
                $windows.Add([pscustomobject]@{ Kind = 'floor'; W = (Measure-FixtureWindow $fixture $f.Start $f.End) })
            }
        }
        Add-OffWindow
    }
    finally {
        if ($listener) { Stop-Listener $listener }
        try { $fixture.Process.StandardInput.WriteLine('exit') } catch { }
        if (-not $fixture.Process.WaitForExit(5000)) { $fixture.Process.Kill() }
    }

    # Each on window against the mean of the off windows just before and just after it (drift between windows cancels out).
    function New-ByKind { @{ 'Get-GcPause' = @(); 'dotnet-trace' = @(); 'floor' = @() } }
    $ratio = New-ByKind; $cpuRatio = New-ByKind; $threadRatio = New-ByKind; $pauseRatio = New-ByKind; $mutatorRatio = New-ByKind
    $startRatio = @()
    for ($i = 1; $i -lt $windows.Count - 1; $i++) {
        $w = $windows[$i]
        if ($w.Kind -eq 'off') { continue }
        $before = $windows[$i - 1].W; $after = $windows[$i + 1].W
        $r = $w.W.Throughput / (($before.Throughput + $after.Throughput) / 2)
        $rc = $w.W.PerCpu / (($before.PerCpu + $after.PerCpu) / 2)
        $ratio[$w.Kind] += $r; $cpuRatio[$w.Kind] += $rc
        if ($w.Kind -eq 'Get-GcPause') { $startRatio += $w.S.Throughput / (($before.Throughput + $after.Throughput) / 2) }
        Write-Host ("  {0} {1,-12}: off {2,6:N0} MB/s | on {3,6:N0} MB/s | off {4,6:N0} MB/s -> cost {5,6:N1}%; per target CPU-s: off {6,6:N0} | on {7,6:N0} | off {8,6:N0} MB -> cost {9,6:N1}%" -f $loadName, $w.Kind, $before.Throughput, $w.W.Throughput, $after.Throughput, (100 * (1 - $r)), $before.PerCpu, $w.W.PerCpu, $after.PerCpu, (100 * (1 - $rc)))
        if (-not [double]::IsNaN($w.W.PauseUsPerGc)) {
            $rt = $w.W.PerThreadCpu / (($before.PerThreadCpu + $after.PerThreadCpu) / 2)
            $rp = $w.W.PauseUsPerGc / (($before.PauseUsPerGc + $after.PauseUsPerGc) / 2)
            $rm = $w.W.MutatorNsPerKB / (($before.MutatorNsPerKB + $after.MutatorNsPerKB) / 2)
            $threadRatio[$w.Kind] += $rt; $pauseRatio[$w.Kind] += $rp; $mutatorRatio[$w.Kind] += $rm
            Write-Host ("      per allocating-thread CPU-s cost {0,6:N1}%; pause per GC {1,5:N1} | {2,5:N1} | {3,5:N1} us ({4:+0.0;-0.0}%); paused {5:P1} | {6:P1} | {7:P1}; allocating code per KB {8,5:N1} | {9,5:N1} | {10,5:N1} ns ({11:+0.0;-0.0}%)" -f (100 * (1 - $rt)), $before.PauseUsPerGc, $w.W.PauseUsPerGc, $after.PauseUsPerGc, (100 * ($rp - 1)), $before.PauseShare, $w.W.PauseShare, $after.PauseShare, $before.MutatorNsPerKB, $w.W.MutatorNsPerKB, $after.MutatorNsPerKB, (100 * ($rm - 1)))
        }
    }
    $offRates = @($windows | Where-Object Kind -eq 'off' | ForEach-Object { $_.W.GcRate })
    [pscustomobject]@{
        Load                        = $loadName
        GcPerSecond                 = [math]::Round((Get-Median $offRates), 0)
        GetGcPauseOverheadPercent   = [math]::Round((1 - (Get-Median $ratio['Get-GcPause'])) * 100, 1)
        DotnetTraceOverheadPercent  = if ($dotnetTrace) { [math]::Round((1 - (Get-Median $ratio['dotnet-trace'])) * 100, 1) } else { $null }
        # The mean cost and its standard error: the spread of the on windows, which the median alone hides.
        GetGcPauseOverheadMean      = Format-Cost $ratio['Get-GcPause']
        DotnetTraceOverheadMean     = if ($dotnetTrace) { Format-Cost $ratio['dotnet-trace'] } else { $null }
        FloorOverheadMean           = if ($ratio['floor']) { Format-Cost $ratio['floor'] } else { $null }
        # The first -SkipSeconds of each Get-GcPause window, which the figures above leave out: a session's start.
        GetGcPauseStartCostPercent  = [math]::Round((1 - (Get-Median $startRatio)) * 100, 1)
        GetGcPauseCpuCostPercent    = [math]::Round((1 - (Get-Median $cpuRatio['Get-GcPause'])) * 100, 1)
        GetGcPauseCpuCostMean       = Format-Cost $cpuRatio['Get-GcPause']
        GetGcPauseThreadCpuCostPercent = if ($threadRatio['Get-GcPause']) { [math]::Round((1 - (Get-Median $threadRatio['Get-GcPause'])) * 100, 1) } else { $null }
        GetGcPausePausePerGcPercent = if ($pauseRatio['Get-GcPause']) { [math]::Round(((Get-Median $pauseRatio['Get-GcPause']) - 1) * 100, 1) } else { $null }
        GetGcPauseAllocCodePercent  = if ($mutatorRatio['Get-GcPause']) { [math]::Round(((Get-Median $mutatorRatio['Get-GcPause']) - 1) * 100, 1) } else { $null }
        FloorOverheadPercent        = if ($ratio['floor']) { [math]::Round((1 - (Get-Median $ratio['floor'])) * 100, 1) } else { $null }
        FloorCpuCostPercent         = if ($cpuRatio['floor']) { [math]::Round((1 - (Get-Median $cpuRatio['floor'])) * 100, 1) } else { $null }
        FloorPausePerGcPercent      = if ($pauseRatio['floor']) { [math]::Round(((Get-Median $pauseRatio['floor']) - 1) * 100, 1) } else { $null }
        DotnetTraceThreadCpuCostPercent = if ($threadRatio['dotnet-trace']) { [math]::Round((1 - (Get-Median $threadRatio['dotnet-trace'])) * 100, 1) } else { $null }
        DotnetTracePausePerGcPercent = if ($pauseRatio['dotnet-trace']) { [math]::Round(((Get-Median $pauseRatio['dotnet-trace']) - 1) * 100, 1) } else { $null }
        DotnetTraceAllocCodePercent = if ($mutatorRatio['dotnet-trace']) { [math]::Round(((Get-Median $mutatorRatio['dotnet-trace']) - 1) * 100, 1) } else { $null }
        DotnetTraceCpuCostPercent   = if ($dotnetTrace) { [math]::Round((1 - (Get-Median $cpuRatio['dotnet-trace'])) * 100, 1) } else { $null }
        LatencyP50Ms                = [math]::Round((Get-Percentile $lags 50), 1)
        LatencyP99Ms                = [math]::Round((Get-Percentile $lags 99), 1)
        LatencyMaxMs                = [math]::Round(($lags | Measure-Object -Maximum).Maximum, 1)
        GetGcPauseCpuSeconds        = [math]::Round((Get-Median $cpuG), 2)
        # JIT time inside the listener during a measured session (0 once it has settled; more means the warm-up was too short).
        GetGcPauseJitSeconds        = [math]::Round((Get-Median $jitG), 3)
        GetGcPauseCpuMicrosPerGc    = [math]::Round((Get-Median $perGc), 1)
        GetGcPausePeakRssMB         = [math]::Round((Get-Median $peakG), 0)
        DotnetTraceCpuSeconds       = if ($dotnetTrace) { [math]::Round((Get-Median $cpuD), 2) } else { $null }
        DotnetTracePeakRssMB        = if ($dotnetTrace) { [math]::Round((Get-Median $peakD), 0) } else { $null }
        GcsPerSession               = [math]::Round((Get-Median $countG), 0)
    }
}

if ($MemorySeconds -gt 0) {
    $fixture = [BenchProcess]::new('dotnet', [string[]]@($fixtureDll, 'gcBench', '64', '500'), 'DOTNET_GCgen0size', '0x20000')
    $listener = $null
    try {
        $listener = Start-Listener $fixture
        $g = Invoke-GcTriageWindow $listener $MemorySeconds 'memory' 'memory'
        Write-Host ("Memory: {0:N0} GCs in {1} s; listener after a full GC: at 10k GCs RSS {2:N1} MB, managed heap {3:N1} MB; at 1M GCs RSS {4:N1} MB, managed heap {5:N1} MB; at the end RSS {6:N1} MB, managed heap {7:N1} MB; peak RSS {8:N1} MB" -f $g.Count, $MemorySeconds, $g.Rss10kMB, $g.Heap10kMB, $g.Rss1MMB, $g.Heap1MMB, $g.RssEndMB, $g.HeapEndMB, $g.PeakRssMB)
    }
    finally {
        if ($listener) { Stop-Listener $listener }
        try { $fixture.Process.StandardInput.WriteLine('exit') } catch { }
        if (-not $fixture.Process.WaitForExit(5000)) { $fixture.Process.Kill() }
    }
}

Remove-Item $temp -Recurse -Force -ErrorAction SilentlyContinue
$report | Format-List
