#!/usr/bin/env pwsh
<#
.SYNOPSIS
Allocation-session overhead: the fixture's allocation throughput with and without a Get-GcAllocation session (default mode and
-IncludeStack), against dotnet-trace collect --profile gc-verbose.

.DESCRIPTION
One fixture process (tests/GcTriage.Fixture alloc: one thread allocating byte[1024] and a small class as fast as it can) runs
throughout. -Cycles times, the modes take turns, with an "off" window (no session) between any two "on" windows (a session attached;
measured from 1.5 s after the session starts, so the attach itself is not counted), each -WindowSeconds long. Modes:
Get-GcAllocation (its default duty cycle: listening 1 s of every 2 s), Get-GcAllocation -DutyCycle 1 (listening throughout),
Get-GcAllocation -IncludeStack, dotnet-trace --profile gc-verbose. Throughput is the fixture's own
count of bytes allocated per second in the window; it also reports the bytes allocated per CPU second of the whole target
process, which is robust to other load on the host (on a busy 2-core machine the wall figures swing by 2x between windows).
Cost = 1 - on / mean(off before, off after); the median over cycles is reported, with the median throughputs. dotnet-trace 10.0.750501 is installed into a temporary tool path when it is not given with -DotnetTrace.

Re-run: dotnet pwsh ./build.ps1 Bench   (or: dotnet pwsh ./bench/Allocations.Bench.ps1 after a Build)
#>
[CmdletBinding()]
param(
    [string] $Configuration = 'Release',
    [int] $Cycles = 5,
    [int] $WindowSeconds = 4,
    [string] $DotnetTrace
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = Resolve-Path "$PSScriptRoot/.."
Import-Module "$root/tests/Pester/TestHelpers.psm1" -Force
Import-GcTriageUnderTest
Import-Module (Join-Path $PSScriptRoot 'BenchTools.psm1') -Force

$toolDir = $null
if (-not $DotnetTrace) {
    $toolDir = Join-Path ([IO.Path]::GetTempPath()) ('gctriage-bench-tools-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    & dotnet tool install dotnet-trace --version 10.0.750501 --tool-path $toolDir | Out-Null
    if ($LASTEXITCODE -ne 0) { throw 'dotnet-trace could not be installed' }
    $DotnetTrace = Join-Path $toolDir 'dotnet-trace'
}
$work = New-GcTempDirectory

function Measure-Window([object] $fixture, [int] $seconds) {
    $null = $fixture.Send('rate'); $null = $fixture.WaitFor('RATE', 30)
    Start-Sleep -Seconds $seconds
    $null = $fixture.Send('rate')
    $parts = $fixture.WaitFor('RATE', 30) -split ' '
    # Wall throughput (what a user sees), and bytes per CPU second of the whole target process (robust to other load on the host).
    [pscustomobject]@{ Wall = [double]$parts[1]; PerCpu = [double]$parts[3] }
}

$psd1 = Join-Path $root 'GcTriage.psd1'
$modes = [ordered]@{
    'Get-GcAllocation'               = { param($id, $seconds) "Import-Module '$psd1'; `$null = Get-GcAllocation -Id $id -Duration ([TimeSpan]::FromSeconds($seconds))" }
    'Get-GcAllocation -DutyCycle 1'  = { param($id, $seconds) "Import-Module '$psd1'; `$null = Get-GcAllocation -Id $id -Duration ([TimeSpan]::FromSeconds($seconds)) -DutyCycle 1" }
    'Get-GcAllocation -IncludeStack' = { param($id, $seconds) "Import-Module '$psd1'; `$null = Get-GcAllocation -Id $id -Duration ([TimeSpan]::FromSeconds($seconds)) -IncludeStack" }
    'dotnet-trace gc-verbose'        = $null
}

function Measure-OnWindow([string] $mode, [object] $fixture, [int] $i) {
    # The session starts, then the window is measured from 1.5 s after its start (the attach is not counted); the session
    # runs 3 s longer than the window so that it covers all of it. A duty-cycled session's window spans whole 2 s periods.
    $sessionSeconds = $WindowSeconds + 3
    if ($mode -like 'dotnet-trace*') {
        $out = Join-Path $work "dt-$i.nettrace"
        $proc = Start-Process -FilePath $DotnetTrace -ArgumentList 'collect', '-p', $fixture.Id, '--profile', 'gc-verbose', '-o', $out, '--duration', ('00:00:00:{0:00}' -f $sessionSeconds) -PassThru -RedirectStandardOutput (Join-Path $work 'dt.out') -RedirectStandardError (Join-Path $work 'dt.err')
        Start-Sleep -Milliseconds 1500
        $rate = Measure-Window $fixture $WindowSeconds
        if (-not $proc.WaitForExit(60000)) { $proc.Kill($true) }
        Remove-Item $out -ErrorAction SilentlyContinue
    }
    else {
        $ps = [powershell]::Create()
        $null = $ps.AddScript((& $modes[$mode] $fixture.Id $sessionSeconds))
        $handle = $ps.BeginInvoke()
        Start-Sleep -Milliseconds 1500
        $rate = Measure-Window $fixture $WindowSeconds
        $null = $handle.AsyncWaitHandle.WaitOne(120000)
        if ($ps.HadErrors) { throw "session failed: $($ps.Streams.Error | Select-Object -First 1)" }
        $ps.Dispose()
    }
    $rate
}

$fixture = Start-GcFixture -Mode alloc
$results = @()
try {
    # Warm up: tiering and the GC's budgets settle, and the module is JIT-compiled by one untimed session.
    $null = Measure-Window $fixture 3
    $null = Measure-OnWindow 'Get-GcAllocation -DutyCycle 1' $fixture 0
    # off, mode 1, off, mode 2, ... off: every "on" window has an off window on each side, and the modes take turns so that
    # slow drift of the host falls on all of them alike. Cost of an on window = 1 - on / mean(off before, off after).
    $sequence = [System.Collections.Generic.List[object]]::new()
    $sequence.Add([pscustomobject]@{ Mode = 'off'; Rate = (Measure-Window $fixture $WindowSeconds) })
    for ($i = 1; $i -le $Cycles; $i++) {
        foreach ($mode in $modes.Keys) {
            $sequence.Add([pscustomobject]@{ Mode = $mode; Rate = (Measure-OnWindow $mode $fixture $i) })
            $sequence.Add([pscustomobject]@{ Mode = 'off'; Rate = (Measure-Window $fixture $WindowSeconds) })
        }
    }
    foreach ($mode in $modes.Keys) {
        $off = @(); $on = @(); $ratios = @(); $cpuRatios = @()
        for ($k = 1; $k -lt $sequence.Count - 1; $k++) {
            if ($sequence[$k].Mode -ne $mode) { continue }
            $o = $sequence[$k].Rate; $b = $sequence[$k - 1].Rate; $a = $sequence[$k + 1].Rate
            $offWall = ($b.Wall + $a.Wall) / 2; $offCpu = ($b.PerCpu + $a.PerCpu) / 2
            $off += $offWall; $on += $o.Wall; $ratios += 1 - $o.Wall / $offWall; $cpuRatios += 1 - $o.PerCpu / $offCpu
            Write-Host ("  {0,-32}: off {1,8:0.0} MB/s  on {2,8:0.0} MB/s  off {3,8:0.0} MB/s  cost {4,6:0.0} %   per target CPU-s cost {5,6:0.0} %" -f $mode, ($b.Wall / 1MB), ($o.Wall / 1MB), ($a.Wall / 1MB), (100 * (1 - $o.Wall / $offWall)), (100 * (1 - $o.PerCpu / $offCpu)))
        }
        $results += [pscustomobject]@{
            Mode             = $mode
            OffMBps          = [math]::Round((Get-Median $off) / 1MB, 1)
            OnMBps           = [math]::Round((Get-Median $on) / 1MB, 1)
            MedianCostPct    = [math]::Round(100 * (Get-Median $ratios), 1)
            MedianCpuCostPct = [math]::Round(100 * (Get-Median $cpuRatios), 1)
        }
    }
}
finally {
    Stop-GcFixture $fixture
    Remove-GcTempDirectory $work
    if ($toolDir) { Remove-Item $toolDir -Recurse -Force -ErrorAction SilentlyContinue }
}

$results | Format-Table -AutoSize | Out-String | Write-Host
foreach ($metric in 'MedianCostPct', 'MedianCpuCostPct') {
    $gcVerbose = ($results | Where-Object Mode -eq 'dotnet-trace gc-verbose').$metric
    $ours = ($results | Where-Object Mode -eq 'Get-GcAllocation').$metric
    Write-Host ("{0}: Get-GcAllocation {1} % vs gc-verbose {2} %: target at most half ({3} %): {4}" -f $metric, $ours, $gcVerbose, ($gcVerbose / 2), $(if ($ours -le $gcVerbose / 2) { 'met' } else { 'NOT met' }))
}
