<#
.SYNOPSIS
What a GC event session adds to each GC's pause, by what it asks the runtime for: the floor under Get-GcPause's overhead.

.DESCRIPTION
The throughput bench (Pauses.Bench.ps1) cannot resolve a few percent on these VMs: the fixture's throughput swings by up to 2x
between windows with nothing attached. This one prices a session per GC instead, where the signal is large.
1. Starts the fixture in gcLoop mode: its main thread induces gen0 GCs back to back, nothing surviving (about 50-70 µs each here), and
   prints, every 250 ms, its pause per GC (GC.GetTotalPauseDuration) and its wall time per GC.
2. Windows alternate inside that one process: off, session, off, ... Each session is a bare NETCore.Client session of one
   configuration (-Configs), no stacks, no rundown, its bytes read and discarded (no parsing, so the listener costs nothing).
3. A window's figure is the median of its 250 ms samples, its first 600 ms dropped (the session's start). The extra pause of a
   session window is its pause per GC minus the mean of the off windows on either side; the median over -Cycles is reported,
   with the mean and its standard error.

Configurations (-Configs), each a string:
  none          a session on a provider that does not exist: what any EventPipe session costs (its streaming thread)
  999           the runtime provider's GC keyword at Informational, filtered to an event id that does not exist: the GC
                keyword switched on, not one event written
  1             GCStart alone
  1,3,4,8,9,204 Get-GcPause's six events
  all           the whole GC keyword at Informational, unfiltered
  <ids>;stack   the same with stacks requested
  module        Get-GcPause itself (@(Get-GcPause -Id <fixture> -Duration <window + 0.5 s>)), in a second runspace of
                this process: the bare six-event session plus everything the module's listener does per GC (parsing, pairing,
                handing objects to the pipeline). Against '1,3,4,8,9,204' it prices the listener's share of the cost, at
                ~16,000 GCs/s. Three untimed sessions warm it up first (JIT and tiering of the module, TraceEvent and
                PowerShell). Each window also reports the share of the GCs, numbered from its first to its last, that it
                emitted.

Re-run: dotnet pwsh -NoProfile -File ./bench/PauseFloor.Bench.ps1 -Cycles 12
        dotnet pwsh -NoProfile -File ./bench/PauseFloor.Bench.ps1 -Cycles 24 -Configs 'module 1,3,4,8,9,204 999'
#>
[CmdletBinding()]
param(
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',
    [int] $Cycles = 12,
    [double] $WindowSeconds = 3,
    [string[]] $Configs = @('none', '999', '1', '1,3,4,8,9,204', 'all')
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = (Resolve-Path "$PSScriptRoot/..").Path
$fixtureDll = Join-Path $root "tests/GcTriage.Fixture/bin/$Configuration/net10.0/GcTriage.Fixture.dll"
$clientDll = Join-Path $root 'module/bin/dependencies/Microsoft.Diagnostics.NETCore.Client.dll'
foreach ($f in $fixtureDll, $clientDll) { if (-not (Test-Path $f)) { throw "Build first (./build.ps1 Build): $f is missing." } }
Import-Module (Join-Path $PSScriptRoot 'BenchTools.psm1') -Force
# NETCore.Client alone, loaded here and not through the module: the sessions below are the least a listener can ask for.
Add-Type -Path $clientDll
$psd1 = Join-Path $root 'GcTriage.psd1'

# Several configurations from the command line arrive as one comma-separated string with -File: split on ' ' or '|' instead.
if ($Configs.Count -eq 1 -and $Configs[0] -match '[ |]') { $Configs = $Configs[0] -split '[ |]+' }

$fixture = [BenchProcess]::new('dotnet', [string[]]@($fixtureDll, 'gcLoop', '250'), $null, $null)

function Measure-LoopWindow([double] $seconds) {
    # The fixture's LOOP samples of one window, its first 600 ms dropped: median pause and wall time per GC (µs).
    $from = [DateTime]::UtcNow.AddMilliseconds(600)
    Start-Sleep -Milliseconds ([int]($seconds * 1000))
    $to = [DateTime]::UtcNow
    $inv = [cultureinfo]::InvariantCulture
    $rows = @(foreach ($t in $fixture.Lines.ToArray()) {
            if ($t.Item2 -like 'LOOP *' -and $t.Item1 -ge $from -and $t.Item1 -le $to) { , ($t.Item2 -split ' ') }
        })
    [pscustomobject]@{
        Pause = Get-Median @($rows | ForEach-Object { [double]::Parse($_[3], $inv) })
        Wall  = Get-Median @($rows | ForEach-Object { [double]::Parse($_[4], $inv) })
    }
}

function Start-FloorSession([int] $processId, [string] $config) {
    if ($config -eq 'module') {
        # Get-GcPause in a runspace of its own, for a little longer than the window: the measured window sees the module's whole
        # listener. Its objects are only collected (no per-object script), and their count says whether it kept up.
        $ps = [powershell]::Create()
        $script = 'param($psd1, $id, $seconds) Import-Module $psd1; $p = @(Get-GcPause -Id $id -Duration ([timespan]::FromSeconds($seconds))); if ($p.Count) { $p.Count / ($p[-1].Number - $p[0].Number + 1) }'
        $null = $ps.AddScript($script).AddArgument($psd1).AddArgument($processId).AddArgument($WindowSeconds + 0.5)
        return [pscustomobject]@{ PowerShell = $ps; Async = $ps.BeginInvoke() }
    }
    $ids, $option = $config -split ';'
    $name = if ($ids -eq 'none') { 'GcTriage-NoSuchProvider' } else { 'Microsoft-Windows-DotNETRuntime' }
    $filter = if ($ids -in 'none', 'all') { $null } else { [Microsoft.Diagnostics.NETCore.Client.EventPipeProviderEventFilter]::new($true, [uint32[]]@($ids -split ',')) }
    $provider = [Microsoft.Diagnostics.NETCore.Client.EventPipeProvider]::new($name, [System.Diagnostics.Tracing.EventLevel]::Informational, 1, $null, $filter)
    $sessionConfig = [Microsoft.Diagnostics.NETCore.Client.EventPipeSessionConfiguration]::new([Microsoft.Diagnostics.NETCore.Client.EventPipeProvider[]]@($provider), 16, 0, ($option -eq 'stack'))
    $session = [Microsoft.Diagnostics.NETCore.Client.DiagnosticsClient]::new($processId).StartEventPipeSession($sessionConfig)
    [pscustomobject]@{ Session = $session; Copy = $session.EventStream.CopyToAsync([IO.Stream]::Null) }
}

function Stop-FloorSession($s) {
    if ($s.PSObject.Properties['PowerShell']) {
        # The session ends by its -Duration; Stop (Ctrl+C for the runspace) only if it has not within 10 s. Returns the share of
        # the GCs numbered from its first to its last that it emitted (1: none missed).
        $share = 0
        if ($s.Async.AsyncWaitHandle.WaitOne(10000)) { $share = @($s.PowerShell.EndInvoke($s.Async))[0] }
        else { Write-Warning 'Get-GcPause did not end within 10 s of its -Duration; stopping it.'; $s.PowerShell.Stop() }
        foreach ($e in $s.PowerShell.Streams.Error) { Write-Warning "Get-GcPause: $e" }
        foreach ($w in $s.PowerShell.Streams.Warning) { Write-Warning "Get-GcPause: $w" }
        $s.PowerShell.Dispose()
        return $share
    }
    $s.Session.Stop(); $null = $s.Copy.Wait(5000); $s.Session.Dispose()
}

$results = @{}
try {
    $deadline = [DateTime]::UtcNow.AddSeconds(30)
    while (-not ($fixture.Lines.ToArray() | Where-Object { $_.Item2 -like 'READY *' })) {
        if ($fixture.Process.HasExited -or [DateTime]::UtcNow -gt $deadline) { throw 'the gcLoop fixture did not start' }
        Start-Sleep -Milliseconds 100
    }
    Start-Sleep -Seconds 3 # tiering of the loop
    if ($Configs -contains 'module') {
        for ($w = 1; $w -le 3; $w++) { $null = Stop-FloorSession (Start-FloorSession $fixture.Process.Id 'module') }
    }
    foreach ($c in $Configs) { $results[$c] = [System.Collections.Generic.List[object]]::new() }
    $before = Measure-LoopWindow $WindowSeconds
    for ($cycle = 1; $cycle -le $Cycles; $cycle++) {
        foreach ($c in $Configs) {
            $s = Start-FloorSession $fixture.Process.Id $c
            $seen = $null
            try { $on = Measure-LoopWindow $WindowSeconds }
            finally { $seen = Stop-FloorSession $s }
            $after = Measure-LoopWindow $WindowSeconds
            $extraPause = $on.Pause - ($before.Pause + $after.Pause) / 2
            $extraWall = $on.Wall - ($before.Wall + $after.Wall) / 2
            $results[$c].Add([pscustomobject]@{ Pause = $extraPause; Wall = $extraWall; OffPause = ($before.Pause + $after.Pause) / 2; Seen = $seen })
            $seenText = if ($null -ne $seen) { '; {0:P1} of its GCs emitted' -f $seen } else { '' }
            Write-Host ('  {0,-16} pause per GC: off {1,6:N1} | on {2,6:N1} | off {3,6:N1} µs ({4:+0.0;-0.0} µs); wall per GC {5:+0.0;-0.0} µs{6}' -f $c, $before.Pause, $on.Pause, $after.Pause, $extraPause, $extraWall, $seenText)
            $before = $after
        }
    }
}
finally {
    # gcLoop has no stdin protocol (it would end by itself after its seconds): it is killed.
    try { $fixture.Process.Kill() } catch { }
}

foreach ($c in $Configs) {
    $pause = @($results[$c] | ForEach-Object Pause)
    $m = Get-MeanError $pause
    [pscustomobject]@{
        Config                 = $c
        ExtraPauseUsPerGc      = [math]::Round((Get-Median $pause), 2)
        ExtraPauseMean         = '{0:N2} ± {1:N2} µs (n={2})' -f $m.Mean, $m.Error, $pause.Count
        ExtraWallUsPerGc       = [math]::Round((Get-Median @($results[$c] | ForEach-Object Wall)), 2)
        OffPauseUsPerGc        = [math]::Round((Get-Median @($results[$c] | ForEach-Object OffPause)), 1)
        GcsEmitted             = if ($c -eq 'module') { '{0:P1} (lowest of the windows)' -f (@($results[$c] | ForEach-Object Seen) | Measure-Object -Minimum).Minimum } else { '' }
    }
}
