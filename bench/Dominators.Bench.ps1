<#
.SYNOPSIS
The dominator tree on a big dump: its build time after the reference graph, its bytes per object, and the commands over it
(Get-GcRetained, -GroupBy Type, Get-GcLeakSuspect, Get-GcDictionary -Retained).

.DESCRIPTION
1. Starts tests/GcTriage.Fixture in -Heap bigheap (HeapStat.Bench.ps1's heap: about 10.6 million objects, 1.5 GB) or chains
   (ChainsMode: 1,000 chains of 100,000 ChainNode, 100 million objects), writes a Heap dump with Save-GcDump, stops it; or takes
   -DumpPath as it is.
2. -Runs rounds (default 3; medians), each on a fresh session in this pwsh (Open-GcDump ... Close-GcDump): heap walk
   (GetIndex), graph (GetGraph), roots (GetRootSet), then the timed part: the dominator tree with every retained size
   (GetDominatorTree), Get-GcRetained -Top 20, Get-GcRetained -GroupBy Type, Get-GcLeakSuspect, Get-GcDictionary -Retained.
   Then Get-GcDominator of the top retainer (one scan of the dominators) and, alone, the grouping by dominator that
   -GroupBy Type and Get-GcLeakSuspect build for their own length.
3. Prints bytes per object of the index, the graph and the tree (index + graph + tree: target <= 40 B/object), the tree's bytes
   after every command (the session at rest), the grouping's bytes while a command holds it, this pwsh's peak RSS against its baseline, and the first leak suspect.
Re-run: dotnet pwsh -NoProfile -File ./bench/Dominators.Bench.ps1            (after build.ps1 Build)
        dotnet pwsh -NoProfile -File ./bench/Dominators.Bench.ps1 -Heap chains -Runs 1
#>
[CmdletBinding()]
param(
    [ValidateSet('bigheap', 'chains')]
    [string] $Heap = 'bigheap',
    [string[]] $FixtureArguments = @(),
    [int] $Runs = 3,
    # Measure on this existing dump instead of making one (it is not deleted).
    [string] $DumpPath,
    [switch] $KeepDump
)

$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot
Import-Module (Join-Path $root 'tests/Pester/TestHelpers.psm1') -Force
Import-Module (Join-Path $PSScriptRoot 'BenchTools.psm1') -Force
Import-GcTriageUnderTest
$none = [System.Threading.CancellationToken]::None

Write-Host ("load average before: {0}" -f ((Get-Content /proc/loadavg) -split ' ' | Select-Object -First 3))
$temp = New-GcTempDirectory
try {
    if ($DumpPath) { $dump = (Resolve-Path $DumpPath).Path }
    else {
        $dump = Join-Path $temp "$Heap.dmp"
        Save-BenchFixtureDump $Heap $FixtureArguments $dump
    }

    [GC]::Collect()
    $baselineKb = Get-HwmKb
    $rounds = [System.Collections.Generic.List[object]]::new()
    for ($i = 1; $i -le $Runs; $i++) {
        [GC]::Collect()
        $d = Open-GcDump -Path $dump
        try {
            $r = [ordered]@{}
            $r.Walk = Get-Seconds { $script:index = $d.GetIndex($none, $null) }
            $r.Graph = Get-Seconds { $script:graph = $d.GetGraph($none, $null) }
            $r.Roots = Get-Seconds { $script:roots = $d.GetRootSet($none, $null) }
            [GC]::Collect()
            $r.Tree = Get-Seconds { $script:tree = $d.GetDominatorTree($none, $null) }
            $r.TreeBytes = $tree.MemoryBytes
            $r.Top = Get-Seconds { $script:top = @(Get-GcRetained -Dump $d -Top 20) }
            $r.ByType = Get-Seconds { $null = Get-GcRetained -Dump $d -GroupBy Type }
            $r.Suspects = Get-Seconds { $script:suspects = @(Get-GcLeakSuspect -Dump $d) }
            $r.Dictionary = Get-Seconds { $null = Get-GcDictionary -Dump $d -Retained }
            $r.Dominator = Get-Seconds { $null = @($top[0] | Get-GcDominator -Dump $d) }
            $r.TreeBytesAtRest = $tree.MemoryBytes
            Clear-ManagedHeap
            $r.Grouping = Get-Seconds { $script:grouped = $tree.GroupDominated($none) }
            $r.GroupingBytes = $grouped.MemoryBytes
            $script:grouped = $null
            $r.Objects = $index.Count
            $r.Reachable = $tree.ReachableCount
            $r.ReachableBytes = $tree.ReachableBytes
            $r.IndexBytes = $index.IndexBytes
            $r.Edges = $graph.EdgeCount
            $r.GraphBytes = $graph.MemoryBytes
            $r.TopRow = "$($top[0].TypeName) retains $($top[0].RetainedBytes) B in $($top[0].RetainedCount) objects"
            $r.Suspect = if ($suspects.Count) { $suspects[0].Suspect } else { '(none)' }
        }
        finally { Close-GcDump -Dump $d }
        $script:index = $null; $script:graph = $null; $script:roots = $null; $script:tree = $null
        $rounds.Add([pscustomobject]$r)
        Write-Host ("  round {0}/{1}: walk {2:N2} s, graph {3:N2} s, roots {4:N2} s, dominators {5:N2} s, Get-GcRetained {6:N2} s, -GroupBy Type {7:N2} s, Get-GcLeakSuspect {8:N2} s, Get-GcDictionary -Retained {9:N2} s" -f `
                $i, $Runs, $r.Walk, $r.Graph, $r.Roots, $r.Tree, $r.Top, $r.ByType, $r.Suspects, $r.Dictionary)
    }

    $peakKb = Get-HwmKb
    $m = { param($name) Get-Median ($rounds | ForEach-Object { [double]$_.$name }) }
    $last = $rounds[-1]
    Write-Host ''
    Write-Host ("heap: {0:N0} objects ({1:N0} reachable, {2:N0} MB), {3:N0} edges" -f $last.Objects, $last.Reachable, ($last.ReachableBytes / 1MB), $last.Edges)
    Write-Host ("heap walk {0:N2} s, graph {1:N2} s, roots {2:N2} s (not part of the figures below)" -f (& $m 'Walk'), (& $m 'Graph'), (& $m 'Roots'))
    Write-Host ("dominator tree + retained sizes:  {0,8:N2} s   (target < 10 s on 10.5M objects)" -f (& $m 'Tree'))
    Write-Host ("Get-GcRetained -Top 20:           {0,8:N2} s   ({1})" -f (& $m 'Top'), $last.TopRow)
    Write-Host ("Get-GcRetained -GroupBy Type:     {0,8:N2} s" -f (& $m 'ByType'))
    Write-Host ("Get-GcLeakSuspect:                {0,8:N2} s   ({1})" -f (& $m 'Suspects'), $last.Suspect)
    Write-Host ("Get-GcDictionary -Retained:       {0,8:N2} s" -f (& $m 'Dictionary'))
    Write-Host ("Get-GcDominator of the top row:   {0,8:N2} s   (one scan of the dominators, nothing kept)" -f (& $m 'Dominator'))
    Write-Host ("grouping by dominator:            {0,8:N2} s   ({1:N2} B/object while -GroupBy Type or Get-GcLeakSuspect runs, let go after)" -f `
            (& $m 'Grouping'), ($last.GroupingBytes / $last.Objects))
    Write-Host ("index {0:N2} B/object, graph {1:N2} B/object, tree {2:N2} B/object: index + graph + tree {3:N2} B/object (target <= 40); the tree after every command above {4:N2} B/object" -f `
            ($last.IndexBytes / $last.Objects), ($last.GraphBytes / $last.Objects), ($last.TreeBytes / $last.Objects),
            (($last.IndexBytes + $last.GraphBytes + $last.TreeBytes) / $last.Objects), ($last.TreeBytesAtRest / $last.Objects))
    Write-Host ("pwsh peak RSS {0:N0} MB (baseline before the runs {1:N0} MB)" -f ($peakKb / 1KB), ($baselineKb / 1KB))
    Write-Host ("load average after: {0}" -f ((Get-Content /proc/loadavg) -split ' ' | Select-Object -First 3))
}
finally {
    if ($KeepDump) { Write-Host "kept $temp" } else { Remove-GcTempDirectory $temp }
}
