<#
.SYNOPSIS
How fast Ctrl+C and Close-GcDump end a heap walk in progress (issue 13, rules 4 and 5).

.DESCRIPTION
Starts the fixture's bigheap mode (scaled by -Leaves: that many BigLeaf, BigPair and BigRecord objects and strings), writes a
heap dump, then -Runs times on a fresh session each:
  1. Ctrl+C: runs Get-GcHeapStat -Dump in a runspace of its own, calls Stop() on it -Delay seconds in (mid-walk), and times
     Stop() until the pipeline has ended;
  2. Close: runs the same, calls Close-GcDump from this runspace -Delay seconds in, and times Close-GcDump (it cancels the
     walk and waits for the reader's lease) and the end of the reader (DumpClosed).
Prints the median and the worst of each; the state of the reader after Stop (Stopped) and the error of the reader after Close
(DumpClosed) are printed too. The dump is deleted at the end.
#>
[CmdletBinding()]
param(
    [string] $Configuration = 'Release',
    [int] $Leaves = 2000000,
    [double] $Delay = 0.5,
    [int] $Runs = 5
)

$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot
Import-Module (Join-Path $root 'tests/Pester/TestHelpers.psm1') -Force
Import-Module (Join-Path $PSScriptRoot 'BenchTools.psm1') -Force
Import-GcTriageUnderTest

$temp = New-GcTempDirectory
try {
    $n = [string]$Leaves
    $dump = Join-Path $temp 'walkstop.dmp'
    Save-BenchFixtureDump -Heap bigheap -FixtureArguments $n, $n, $n, '1000', '1000', '2000', '0' -Path $dump
    Write-Host ("dump: {0:N0} MB; load average {1}" -f ((Get-Item $dump).Length / 1MB), (Get-Content /proc/loadavg -ErrorAction SilentlyContinue))

    $module = Join-Path $root 'GcTriage.psd1'
    $iss = [System.Management.Automation.Runspaces.InitialSessionState]::CreateDefault()
    $iss.ImportPSModule($module)
    $stopMs = @(); $closeMs = @(); $readerEndMs = @(); $states = @(); $errors = @()
    for ($i = 0; $i -lt $Runs; $i++) {
        # 1. Ctrl+C
        $d = Open-GcDump $dump
        $ps = [powershell]::Create($iss)
        $null = $ps.AddScript('param($d) Get-GcHeapStat -Dump $d').AddArgument($d)
        $async = $ps.BeginInvoke()
        Start-Sleep -Seconds $Delay
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $ps.Stop()
        $stopMs += $sw.Elapsed.TotalMilliseconds
        $states += "$($ps.InvocationStateInfo.State)"
        $ps.Dispose()
        Close-GcDump $d

        # 2. Close-GcDump from another runspace
        $d = Open-GcDump $dump
        $ps = [powershell]::Create($iss)
        $null = $ps.AddScript('param($d) Get-GcHeapStat -Dump $d -ErrorAction SilentlyContinue -ErrorVariable e; $e | ForEach-Object { $_.FullyQualifiedErrorId }').AddArgument($d)
        $async = $ps.BeginInvoke()
        Start-Sleep -Seconds $Delay
        $sw = [Diagnostics.Stopwatch]::StartNew()
        Close-GcDump $d
        $closeMs += $sw.Elapsed.TotalMilliseconds
        $out = $ps.EndInvoke($async)
        $readerEndMs += $sw.Elapsed.TotalMilliseconds
        $errors += @($out | Where-Object { $_ -is [string] }) -join ';'
        $ps.Dispose()
    }

    '{0,-34} {1,10} {2,10}' -f 'figure (ms)', 'median', 'worst'
    '{0,-34} {1,10:N0} {2,10:N0}' -f 'Ctrl+C: Stop() to stopped', (Get-Median $stopMs), ($stopMs | Measure-Object -Maximum).Maximum
    '{0,-34} {1,10:N0} {2,10:N0}' -f 'Close-GcDump during the walk', (Get-Median $closeMs), ($closeMs | Measure-Object -Maximum).Maximum
    '{0,-34} {1,10:N0} {2,10:N0}' -f 'Close-GcDump to reader ended', (Get-Median $readerEndMs), ($readerEndMs | Measure-Object -Maximum).Maximum
    "reader states after Stop: $(($states | Sort-Object -Unique) -join ', ')"
    "reader errors after Close: $(($errors | Sort-Object -Unique) -join ', ')"
    "load average after: $(Get-Content /proc/loadavg -ErrorAction SilentlyContinue)"
}
finally {
    Close-GcDump -All
    Remove-GcTempDirectory $temp
}
