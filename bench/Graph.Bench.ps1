<#
.SYNOPSIS
The reference graph on a big dump: its build against the heap walk, -Live and Get-GcRoot over it, its bytes per object and per
edge, and dotnet-dump's dumpheap -stat -live and gcroot on the same dump in the same run.

.DESCRIPTION
1. Starts tests/GcTriage.Fixture in -Heap bigheap (HeapStat.Bench.ps1's heap: about 10.6 million objects, 1.5 GB; the root search
   target is its largest dictionary) or chains (ChainsMode: 1,000 chains of 100,000 ChainNode, 100 million objects, 3.2 GB; the
   target is the first ChainNode in address order, somewhere inside a chain), writes a Heap dump with Save-GcDump, stops it.
2. -Runs rounds (default 3; medians), each on a fresh session in this pwsh (Open-GcDump ... Close-GcDump):
   heap walk (DumpSession.GetIndex), graph build (GetGraph), root set (GetRootSet), Get-GcHeapStat -Live once both exist (the
   marking), Get-GcHeapStat without -Live on the same session (the statistics alone, for scale), Get-GcRoot -MaxPaths 1 of the
   target; and, per round, dotnet-dump analyze -c "dumpheap -stat -live" and -c "gcroot <target>" (whole processes).
3. Prints bytes per object of the index and the graph, bytes per edge, the graph's edges and dropped pointers, this pwsh's
   peak RSS (VmHWM) against its baseline, and the live object count against dumpheap -stat -live's total.
Re-run: dotnet pwsh -NoProfile -File ./bench/Graph.Bench.ps1            (after build.ps1 Build)
        dotnet pwsh -NoProfile -File ./bench/Graph.Bench.ps1 -Heap chains -Runs 1
#>
[CmdletBinding()]
param(
    [ValidateSet('bigheap', 'chains')]
    [string] $Heap = 'bigheap',
    [string[]] $FixtureArguments = @(),
    [int] $Runs = 3,
    [string] $DotnetDumpVersion = '10.0.750501',
    [switch] $SkipDotnetDump,
    [switch] $KeepDump
)

$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot
Import-Module (Join-Path $root 'tests/Pester/TestHelpers.psm1') -Force
Import-Module (Join-Path $PSScriptRoot 'BenchTools.psm1') -Force
Import-GcTriageUnderTest
function Get-HwmKb { [long]((Get-Content /proc/self/status | Where-Object { $_ -like 'VmHWM:*' }) -split '\s+')[1] }
function Get-Seconds([scriptblock] $Work) { $sw = [Diagnostics.Stopwatch]::StartNew(); $null = & $Work; $sw.Elapsed.TotalSeconds }
$none = [System.Threading.CancellationToken]::None

Write-Host ("load average before: {0}" -f ((Get-Content /proc/loadavg) -split ' ' | Select-Object -First 3))
$temp = New-GcTempDirectory
try {
    $dump = Join-Path $temp "$Heap.dmp"
    Write-Host "Starting fixture $Heap $($FixtureArguments -join ' ')"
    $fixture = Start-GcFixture -Mode $Heap -ArgumentList $FixtureArguments -TimeoutSeconds 1800
    try {
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $null = Save-GcDump -ProcessId $fixture.Id -Path $dump -Type Heap
        Write-Host ("dump written: {0:N0} MB in {1:N1} s" -f ((Get-Item $dump).Length / 1MB), $sw.Elapsed.TotalSeconds)
    }
    finally { Stop-GcFixture $fixture }

    # The root search target, found outside the timed runs.
    $d = Open-GcDump -Path $dump
    try {
        $target = if ($Heap -eq 'bigheap') { Get-GcDictionary -Dump $d -Top 1 } else { Get-GcObject -Dump $d -TypeName 'GcTriage.Fixture.ChainNode' | Select-Object -First 1 }
        $targetAddress = [uint64]$target.Address
        Write-Host ("root search target: {0} at 0x{1:x}" -f $target.TypeName, $targetAddress)
    }
    finally { Close-GcDump -Dump $d }
    [GC]::Collect()
    $baselineKb = Get-HwmKb

    $rounds = [System.Collections.Generic.List[object]]::new()
    $dd = $null
    $ddArgsPrefix = @()
    if (-not $SkipDotnetDump) {
        $tools = Join-Path $temp 'tools'
        $null = & dotnet tool install dotnet-dump --version $DotnetDumpVersion --tool-path $tools 2>&1
        if ($LASTEXITCODE -ne 0) { throw "dotnet tool install dotnet-dump $DotnetDumpVersion failed" }
        $dd = Join-Path $tools 'dotnet-dump'
        $probe = & $dd analyze $dump -c 'eeheap -gc' -c exit 2>&1 | Out-String
        if ($probe -notmatch 'GC Heap Size|Total') {
            $d = Open-GcDump -Path $dump; $runtimeVersion = $d.RuntimeVersion; Close-GcDump -Dump $d
            $runtimeDir = Join-Path (Split-Path (Get-Command dotnet).Source) "shared/Microsoft.NETCore.App/$runtimeVersion"
            $ddArgsPrefix = @('-c', "setclrpath $runtimeDir")
            Write-Host "dotnet-dump needs setclrpath $runtimeDir"
        }
    }

    for ($i = 1; $i -le $Runs; $i++) {
        [GC]::Collect()
        $d = Open-GcDump -Path $dump
        try {
            $r = [ordered]@{}
            $r.Walk = Get-Seconds { $script:index = $d.GetIndex($none, $null) }
            $r.Graph = Get-Seconds { $script:graph = $d.GetGraph($none, $null) }
            $r.Roots = Get-Seconds { $script:roots = $d.GetRootSet($none, $null) }
            $r.Live = Get-Seconds { $script:liveRows = Get-GcHeapStat -Dump $d -Live }
            $r.Stat = Get-Seconds { $null = Get-GcHeapStat -Dump $d }
            $r.GcRoot = Get-Seconds { $script:paths = @(Get-GcRoot -Dump $d -Address $targetAddress -MaxPaths 1) }
            $r.Objects = $index.Count
            $r.IndexBytes = $index.IndexBytes
            $r.Edges = $graph.EdgeCount
            $r.GraphBytes = $graph.MemoryBytes
            $r.Dropped = $graph.DroppedPointers
            $r.Dependent = $graph.DependentHandleEdges
            $r.BuildTime = $graph.BuildTime.TotalSeconds
            $r.RootEntries = $roots.Entries.Count
            $r.LiveObjects = ($liveRows | Measure-Object Count -Sum).Sum
            $r.PathDepth = $paths[0].Depth
            $r.PathRoot = "$($paths[0].RootKind) $($paths[0].RootName)"
        }
        finally { Close-GcDump -Dump $d }
        $script:index = $null; $script:graph = $null; $script:roots = $null

        if ($dd) {
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $liveOut = & $dd analyze $dump @ddArgsPrefix -c 'dumpheap -stat -live' -c exit 2>&1 | Out-String
            $r.DdLive = $sw.Elapsed.TotalSeconds
            $r.DdLiveObjects = if ($liveOut -match 'Total\s+([\d,]+)\s+objects') { [long]($Matches[1] -replace ',', '') } else { -1 }
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $rootOut = & $dd analyze $dump @ddArgsPrefix -c ('gcroot {0:x}' -f $targetAddress) -c exit 2>&1 | Out-String
            $r.DdGcRoot = $sw.Elapsed.TotalSeconds
            $r.DdGcRootSaid = (($rootOut -split '\r?\n') | Where-Object { $_ -match 'Found \d+ unique roots|unique root' } | Select-Object -First 1)
        }

        $rounds.Add([pscustomobject]$r)
        Write-Host ("  round {0}/{1}: walk {2:N2} s, graph {3:N2} s, roots {4:N2} s, -Live {5:N2} s, stat {6:N2} s, Get-GcRoot {7:N3} s{8}" -f `
                $i, $Runs, $r.Walk, $r.Graph, $r.Roots, $r.Live, $r.Stat, $r.GcRoot,
            ($dd ? (", dotnet-dump -stat -live {0:N2} s, gcroot {1:N2} s" -f $r.DdLive, $r.DdGcRoot) : ''))
    }

    $peakKb = Get-HwmKb
    $m = { param($name) Get-Median ($rounds | ForEach-Object { [double]$_.$name }) }
    $last = $rounds[-1]
    $walk = & $m 'Walk'
    $graphSeconds = & $m 'Graph'
    $live = & $m 'Live'
    Write-Host ''
    Write-Host ("heap: {0:N0} objects, {1:N0} edges ({2:N2} per object), {3:N0} dropped pointers, {4:N0} dependent-handle edges, {5:N0} roots" -f `
            $last.Objects, $last.Edges, ($last.Edges / $last.Objects), $last.Dropped, $last.Dependent, $last.RootEntries)
    Write-Host ("heap walk (GetIndex):            {0,8:N2} s" -f $walk)
    Write-Host ("graph build (GetGraph):          {0,8:N2} s   ({1:N2}x the walk; target <= 3x)" -f $graphSeconds, ($graphSeconds / $walk))
    Write-Host ("root set (GetRootSet):           {0,8:N2} s" -f (& $m 'Roots'))
    Write-Host ("Get-GcHeapStat -Live, after it:  {0,8:N2} s   ({1:N2}x the walk; target <= 1x); without -Live {2:N2} s" -f $live, ($live / $walk), (& $m 'Stat'))
    Write-Host ("first -Live, end to end:         {0,8:N2} s   (walk + graph + roots + -Live)" -f ($walk + $graphSeconds + (& $m 'Roots') + $live))
    Write-Host ("Get-GcRoot -MaxPaths 1:          {0,8:N3} s   (depth {1}, {2})" -f (& $m 'GcRoot'), $last.PathDepth, $last.PathRoot)
    Write-Host ("index: {0:N2} B/object; graph: {1:N2} B/object, {2:N2} B/edge; index + graph {3:N2} B/object" -f `
            ($last.IndexBytes / $last.Objects), ($last.GraphBytes / $last.Objects), ($last.GraphBytes / [math]::Max(1, $last.Edges)), (($last.IndexBytes + $last.GraphBytes) / $last.Objects))
    Write-Host ("pwsh peak RSS {0:N0} MB (baseline before the runs {1:N0} MB)" -f ($peakKb / 1KB), ($baselineKb / 1KB))
    Write-Host ("live objects: {0:N0}" -f $last.LiveObjects)
    if ($dd) {
        Write-Host ("dotnet-dump dumpheap -stat -live: {0,8:N2} s   (live objects {1:N0}; -Live after the graph is {2:N2}x faster, end to end {3:N2}x)" -f `
                (& $m 'DdLive'), $last.DdLiveObjects, ((& $m 'DdLive') / $live), ((& $m 'DdLive') / ($walk + $graphSeconds + (& $m 'Roots') + $live)))
        Write-Host ("dotnet-dump gcroot:               {0,8:N2} s   ({1})" -f (& $m 'DdGcRoot'), $last.DdGcRootSaid)
    }

    Write-Host ("load average after: {0}" -f ((Get-Content /proc/loadavg) -split ' ' | Select-Object -First 3))
}
finally {
    if ($KeepDump) { Write-Host "kept $temp" } else { Remove-GcTempDirectory $temp }
}
