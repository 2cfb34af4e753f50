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
   target; and, per round, dotnet-dump (installed into a temp tool path, -DotnetDumpVersion) analyze -c "dumpheap -stat -live" and -c "gcroot <target>" (whole processes).
   CPU seconds (user + system) are printed beside wall time: the steadier figure on a shared machine.
3. Prints bytes per object of the index and the graph, bytes per edge, the graph's edges and dropped pointers, this pwsh's
   peak RSS (VmHWM) against its baseline, and the live object count against dumpheap -stat -live's total.
Re-run: dotnet pwsh -NoProfile -File ./bench/Graph.Bench.ps1            (after build.ps1 Build; -DumpPath <bigheap.dmp> reuses a dump)
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
    # Measure on this existing dump of -Heap's kind instead of making one (it is not deleted).
    [string] $DumpPath,
    [switch] $KeepDump
)

$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot
Import-Module (Join-Path $root 'tests/Pester/TestHelpers.psm1') -Force
Import-Module (Join-Path $PSScriptRoot 'BenchTools.psm1') -Force
Import-GcTriageUnderTest
$self = [Diagnostics.Process]::GetCurrentProcess()
function Get-CpuSeconds { $self.Refresh(); $self.TotalProcessorTime.TotalSeconds }
# Wall seconds of a step; its CPU seconds (user + system, all threads) go to $script:cpu[$Name].
$script:cpu = @{}
function Measure-Step([string] $Name, [scriptblock] $Work) {
    $c = Get-CpuSeconds
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $null = & $Work
    $wall = $sw.Elapsed.TotalSeconds
    $script:cpu[$Name] = (Get-CpuSeconds) - $c
    $wall
}
# dotnet-dump on the dump, as a whole process: wall seconds and what it printed.
function Invoke-DotnetDump([string[]] $Commands) {
    $psi = [Diagnostics.ProcessStartInfo]::new($ddExe)
    foreach ($a in @('analyze', $dump) + ($Commands | ForEach-Object { '-c', $_ }) + @('-c', 'exit')) { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardOutput = $true; $psi.RedirectStandardError = $true; $psi.UseShellExecute = $false; $psi.WorkingDirectory = $root
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $p = [Diagnostics.Process]::Start($psi)
    $err = $p.StandardError.ReadToEndAsync()
    $out = $p.StandardOutput.ReadToEnd()
    $p.WaitForExit()
    [pscustomobject]@{ Wall = $sw.Elapsed.TotalSeconds; Output = $out + $err.Result }
}
$none = [System.Threading.CancellationToken]::None

Write-Host ("load average before: {0}" -f ((Get-Content /proc/loadavg) -split ' ' | Select-Object -First 3))
$temp = New-GcTempDirectory
try {
    if ($DumpPath) { $dump = (Resolve-Path $DumpPath).Path }
    else {
        $dump = Join-Path $temp "$Heap.dmp"
        Save-BenchFixtureDump $Heap $FixtureArguments $dump
    }

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
    # dotnet-dump is told where the dumped runtime is (harmless when it would find it; needed when it reads the version as 0.0).
    $d = Open-GcDump -Path $dump; $runtimeVersion = $d.RuntimeVersion; Close-GcDump -Dump $d
    $runtimeDir = (& dotnet --list-runtimes | Where-Object { $_ -match "^Microsoft\.NETCore\.App $([regex]::Escape($runtimeVersion)) \[(.+)\]" } | ForEach-Object { Join-Path $Matches[1] $runtimeVersion } | Select-Object -First 1)
    [string[]] $setClr = @(if ($runtimeDir) { "setclrpath $runtimeDir" })
    $dd = -not $SkipDotnetDump
    if ($dd) {
        $tools = Join-Path $temp 'tools'
        $null = & dotnet tool install dotnet-dump --version $DotnetDumpVersion --tool-path $tools 2>&1
        if ($LASTEXITCODE -ne 0) { throw "dotnet tool install dotnet-dump $DotnetDumpVersion failed" }
        $ddExe = Join-Path $tools 'dotnet-dump'
    }

    for ($i = 1; $i -le $Runs; $i++) {
        Clear-ManagedHeap
        $d = Open-GcDump -Path $dump
        try {
            $r = [ordered]@{}
            $r.Walk = Measure-Step Walk { $script:index = $d.GetIndex($none, $null) }
            $r.Graph = Measure-Step Graph { $script:graph = $d.GetGraph($none, $null) }
            $r.Roots = Measure-Step Roots { $script:roots = $d.GetRootSet($none, $null) }
            # A collection of this pwsh's own heap (the graph's arrays just came), and the finalizers it queues, would otherwise
            # fall inside whichever step comes next; each of the two compared steps starts after them.
            Clear-ManagedHeap
            $r.Live = Measure-Step Live { $script:liveRows = Get-GcHeapStat -Dump $d -Live }
            Clear-ManagedHeap
            $r.Stat = Measure-Step Stat { $null = Get-GcHeapStat -Dump $d }
            $r.GcRoot = Measure-Step GcRoot { $script:paths = @(Get-GcRoot -Dump $d -Address $targetAddress -MaxPaths 1) }
            foreach ($k in 'Walk', 'Graph', 'Live', 'Stat') { $r["${k}Cpu"] = $script:cpu[$k] }
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
            $live = Invoke-DotnetDump (@($setClr) + 'dumpheap -stat -live')
            $r.DdLive = $live.Wall
            $r.DdLiveObjects = if ($live.Output -match 'Total\s+([\d,]+)\s+objects') { [long]($Matches[1] -replace ',', '') } else { -1 }
            $gcroot = Invoke-DotnetDump (@($setClr) + ('gcroot {0:x}' -f $targetAddress))
            $r.DdGcRoot = $gcroot.Wall
            $r.DdGcRootSaid = (($gcroot.Output -split '\r?\n') | Where-Object { $_ -match 'Found \d+ unique root' } | Select-Object -First 1)
            if ($r.DdLiveObjects -lt 0) { Write-Warning "dotnet-dump printed no total: $($live.Output | Select-Object -Last 1)" }
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
    $stat = & $m 'Stat'
    Write-Host ("heap walk (GetIndex):            {0,8:N2} s   cpu {1:N2} s; Get-GcHeapStat in session (walk + statistics) {2:N2} s" -f $walk, (& $m 'WalkCpu'), ($walk + $stat))
    Write-Host ("graph build (GetGraph):          {0,8:N2} s   cpu {1:N2} s ({2:N2}x the walk, cpu {3:N2}x; target <= 3x)" -f $graphSeconds, (& $m 'GraphCpu'), ($graphSeconds / $walk), ((& $m 'GraphCpu') / (& $m 'WalkCpu')))
    Write-Host ("root set (GetRootSet):           {0,8:N2} s" -f (& $m 'Roots'))
    Write-Host ("Get-GcHeapStat -Live, after it:  {0,8:N2} s   cpu {1:N2} s ({2:N2}x Get-GcHeapStat in session, {3:N2}x the bare walk; target <= 1x); statistics alone {4:N2} s" -f $live, (& $m 'LiveCpu'), ($live / ($walk + $stat)), ($live / $walk), $stat)
    Write-Host ("first -Live, end to end:         {0,8:N2} s   (walk + graph + roots + -Live)" -f ($walk + $graphSeconds + (& $m 'Roots') + $live))
    Write-Host ("Get-GcRoot -MaxPaths 1:          {0,8:N3} s   (depth {1}, {2})" -f (& $m 'GcRoot'), $last.PathDepth, $last.PathRoot)
    Write-Host ("index: {0:N2} B/object; graph: {1:N2} B/object (offsets {2:N2} B/object + targets {3:N2} B/edge); index + graph {4:N2} B/object" -f `
            ($last.IndexBytes / $last.Objects), ($last.GraphBytes / $last.Objects), (($last.GraphBytes - 4 * $last.Edges) / $last.Objects), 4, (($last.IndexBytes + $last.GraphBytes) / $last.Objects))
    Write-Host ("pwsh peak RSS {0:N0} MB (baseline before the runs {1:N0} MB)" -f ($peakKb / 1KB), ($baselineKb / 1KB))
    Write-Host ("live objects: {0:N0}" -f $last.LiveObjects)
    if ($dd) {
        Write-Host ("dotnet-dump dumpheap -stat -live: {0,8:N2} s   (live objects {1:N0}; ours after the graph {2:N1}x faster, first -Live end to end {3:N1}x)" -f `
                (& $m 'DdLive'), $last.DdLiveObjects, ((& $m 'DdLive') / $live), ((& $m 'DdLive') / ($walk + $graphSeconds + (& $m 'Roots') + $live)))
        Write-Host ("dotnet-dump gcroot:               {0,8:N2} s   ({1})" -f (& $m 'DdGcRoot'), $last.DdGcRootSaid)
    }

    Write-Host ("load average after: {0}" -f ((Get-Content /proc/loadavg) -split ' ' | Select-Object -First 3))
}
finally {
    if ($KeepDump) { Write-Host "kept $temp" } else { Remove-GcTempDirectory $temp }
}
