#!/usr/bin/env pwsh
<#
.SYNOPSIS
The GC-cost commands (Get-GcFragmentation, Get-GcHandle, Get-GcFinalizable, Get-GcDuplicateString) on a big dump, against the
one heap walk of the session they run in.

.DESCRIPTION
1. Starts the fixture in its "bigheap" mode (about 10.6 million objects, 1.5 GB; see HeapStat.Bench.ps1), writes a Heap dump of it
   with Save-GcDump into a private temp folder, and stops the fixture (or uses -DumpPath).
2. -Runs rounds, in one pwsh child that imports the module once: Open-GcDump, then
   (walk) Get-GcHeapStat -Dump $d (the heap walk that builds the session's index, plus its statistics pass), then on the same
   session each GC-cost command with every row: Get-GcFragmentation (per generation, then -BySegment), Get-GcHandle,
   Get-GcFinalizable, Get-GcDuplicateString (-Top 100, with the holding-field search), each timed; then the two graph commands,
   Get-GcCrossGenerationReference (its first call builds the session's reference graph) and Get-GcMarkCost (its first call marks
   the live set), each a second time once those exist; then Close-GcDump.
   Wall time of each; the session's peak resident memory (VmHWM) before the first open and at the end.
3. Prints the medians, and the target of issue 15: the graph-free GC-cost commands together in at most 2x the walk (the graph's
   own cost is Graph.Bench.ps1's).
Deletes the dump unless -KeepDump (or -DumpPath).

.EXAMPLE
dotnet pwsh -NoProfile -File ./bench/GcCost.Bench.ps1 -Runs 3
#>
[CmdletBinding()]
param(
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    [ValidateRange(1, 50)]
    [int] $Runs = 3,

    # Arguments for the fixture's bigheap mode; empty: its defaults.
    [string[]] $FixtureArguments = @(),

    [switch] $KeepDump,

    # Measure on this existing dump instead of making one (it is not deleted).
    [string] $DumpPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$Root = (Resolve-Path (Join-Path $PSScriptRoot '..')).Path
$Manifest = Join-Path $Root 'GcTriage.psd1'
Import-Module (Join-Path $PSScriptRoot 'BenchTools.psm1') -Force
Import-Module (Join-Path $Root 'tests/Pester/TestHelpers.psm1') -Force

$Runner = @'
param([string] $Manifest, [string] $Dump, [int] $Runs)
$ErrorActionPreference = 'Stop'
Import-Module $Manifest
function Get-Hwm { [long]((Get-Content /proc/self/status | Where-Object { $_ -like 'VmHWM:*' }) -split '\s+')[1] }
[Console]::Out.WriteLine("BASELINE $(Get-Hwm)")
for ($i = 1; $i -le $Runs; $i++) {
    $t = [ordered]@{}
    $d = Open-GcDump -Path $Dump
    $sw = [System.Diagnostics.Stopwatch]::StartNew()
    $null = @(Get-GcHeapStat -Dump $d)
    $t.Walk = $sw.Elapsed.TotalSeconds
    $sw.Restart(); $frag = @(Get-GcFragmentation -Dump $d); $t.Fragmentation = $sw.Elapsed.TotalSeconds
    $sw.Restart(); $seg = @(Get-GcFragmentation -Dump $d -BySegment); $t.FragmentationBySegment = $sw.Elapsed.TotalSeconds
    $sw.Restart(); $handles = @(Get-GcHandle -Dump $d); $t.Handle = $sw.Elapsed.TotalSeconds
    $sw.Restart(); $fin = @(Get-GcFinalizable -Dump $d -WarningAction SilentlyContinue); $t.Finalizable = $sw.Elapsed.TotalSeconds
    $sw.Restart(); $dups = @(Get-GcDuplicateString -Dump $d -Top 100); $t.DuplicateString = $sw.Elapsed.TotalSeconds
    $sw.Restart(); $null = @(Get-GcDuplicateString -Dump $d -Top 100 -NoHoldingField); $t.DuplicateStringNoHolder = $sw.Elapsed.TotalSeconds
    $sw.Restart(); $cross = @(Get-GcCrossGenerationReference -Dump $d); $t.CrossGenerationWithGraph = $sw.Elapsed.TotalSeconds
    $sw.Restart(); $mark = @(Get-GcMarkCost -Dump $d); $t.MarkCostWithLive = $sw.Elapsed.TotalSeconds
    $sw.Restart(); $null = @(Get-GcCrossGenerationReference -Dump $d); $t.CrossGeneration = $sw.Elapsed.TotalSeconds
    $sw.Restart(); $null = @(Get-GcMarkCost -Dump $d); $t.MarkCost = $sw.Elapsed.TotalSeconds
    $t.Objects = $d.ObjectCount
    $t.Rows = '{0} generations, {1} segments, {2} handle rows, {3} finalizable types, {4} duplicate values, {5} old-to-young rows, {6} mark-cost types' -f $frag.Count, $seg.Count, $handles.Count, $fin.Count, $dups.Count, $cross.Count, $mark.Count
    $t.Hwm = Get-Hwm
    Close-GcDump -Dump $d
    $d = $null; $frag = $null; $seg = $null; $handles = $null; $fin = $null; $dups = $null; $cross = $null; $mark = $null
    [GC]::Collect()
    [Console]::Out.WriteLine('RESULT ' + ($t | ConvertTo-Json -Compress))
}
[Console]::Out.WriteLine("PEAK $(Get-Hwm)")
'@

$fixtureDll = Join-Path $Root "tests/GcTriage.Fixture/bin/$Configuration/net10.0/GcTriage.Fixture.dll"
if (-not (Test-Path $fixtureDll)) { throw "The fixture is not built ($fixtureDll); run build.ps1 Build -Configuration $Configuration first." }
if (-not (Test-Path (Join-Path $Root 'module/bin/GcTriage.Commands.dll'))) { throw 'The module is not built; run build.ps1 Build first.' }
$env:GCTRIAGE_FIXTURE = $fixtureDll

$work = New-GcTempDirectory
$dump = Join-Path $work 'bigheap.dmp'
$child = $null
$pwsh = @(Get-PwshCommand)

try {
    Import-Module $Manifest -Force
    $loadBefore = (Get-Content /proc/loadavg -ErrorAction Ignore) -split ' ' | Select-Object -First 3
    if ($DumpPath) {
        $dump = (Resolve-Path -LiteralPath $DumpPath).Path
        $file = Get-Item -LiteralPath $dump
    }
    else {
        Save-BenchFixtureDump -Heap bigheap -FixtureArguments $FixtureArguments -Path $dump
        $file = Get-Item -LiteralPath $dump
    }
    Write-Host ("Dump: {0} ({1:N0} MB)" -f $dump, ($file.Length / 1MB))

    $runnerFile = Join-Path $work 'cost-runner.ps1'
    Set-Content -LiteralPath $runnerFile -Value $Runner
    $psi = [System.Diagnostics.ProcessStartInfo]::new($pwsh[0])
    foreach ($a in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $runnerFile, $Manifest, $dump, $Runs)) { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardOutput = $true
    $psi.UseShellExecute = $false
    $child = [System.Diagnostics.Process]::Start($psi)
    $results = [System.Collections.Generic.List[object]]::new()
    $baselineKb = 0L; $peakKb = 0L
    while ($null -ne ($line = $child.StandardOutput.ReadLine())) {
        if ($line.StartsWith('BASELINE ')) { $baselineKb = [long]$line.Substring(9) }
        elseif ($line.StartsWith('PEAK ')) { $peakKb = [long]$line.Substring(5) }
        elseif ($line.StartsWith('RESULT ')) {
            $r = $line.Substring(7) | ConvertFrom-Json
            $results.Add($r)
            Write-Host ("  round {0}/{1}: walk {2:N2} s; fragmentation {3:N2} s, -BySegment {4:N2} s, handles {5:N2} s, finalizable {6:N2} s, duplicate strings {7:N2} s ({8:N2} s without the holding field)" -f `
                    $results.Count, $Runs, $r.Walk, $r.Fragmentation, $r.FragmentationBySegment, $r.Handle, $r.Finalizable, $r.DuplicateString, $r.DuplicateStringNoHolder)
        }
    }
    $child.WaitForExit()
    if ($results.Count -ne $Runs) { throw "the runner ended after $($results.Count) of $Runs rounds" }
    $loadAfter = (Get-Content /proc/loadavg -ErrorAction Ignore) -split ' ' | Select-Object -First 3

    $median = { param($name) Get-Median ($results | ForEach-Object { [double]$_.$name }) }
    $walk = & $median 'Walk'
    $parts = 'Fragmentation', 'FragmentationBySegment', 'Handle', 'Finalizable', 'DuplicateString'
    $table = foreach ($p in @('Walk') + $parts + @('DuplicateStringNoHolder', 'CrossGenerationWithGraph', 'MarkCostWithLive', 'CrossGeneration', 'MarkCost')) {
        $m = & $median $p
        [pscustomobject]@{
            Step       = $p
            'Median s' = '{0:N2}' -f $m
            'Runs s'   = ($results | ForEach-Object { '{0:N2}' -f [double]$_.$p }) -join ' '
            'x walk'   = '{0:N2}' -f ($m / $walk)
        }
    }
    $sum = ($parts | ForEach-Object { & $median $_ } | Measure-Object -Sum).Sum
    Write-Host ''
    Write-Host ("== GC-cost commands on a {0:N0} MB dump of {1:N0} objects ({2} rounds, medians)" -f ($file.Length / 1MB), $results[0].Objects, $Runs) -ForegroundColor Cyan
    $table | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
    Write-Host "Rows: $($results[0].Rows)"
    Write-Host ("All GC-cost commands after the walk: {0:N2} s = {1:N2}x the walk ({2:N2} s); target <= 2x: {3}" -f $sum, ($sum / $walk), $walk, (($sum / $walk) -le 2 ? 'met' : 'NOT met'))
    Write-Host ("Graph commands: the first Get-GcCrossGenerationReference builds the session's reference graph (CrossGenerationWithGraph), the first Get-GcMarkCost its live set (MarkCostWithLive); CrossGeneration and MarkCost are the same commands once those exist.")
    Write-Host ("Session peak RSS {0:N0} MB (pwsh + module {1:N0} MB)" -f ($peakKb / 1024), ($baselineKb / 1024))
    Write-Host "Machine: $([Environment]::ProcessorCount) cores; load average $($loadBefore -join ' ') before, $($loadAfter -join ' ') after."
}
finally {
    if ($child -and -not $child.HasExited) { try { $child.Kill($true) } catch { } }
    if ($KeepDump) { Write-Host "Kept: $work" }
    else { Remove-GcTempDirectory $work }
}
exit 0
