<#
.SYNOPSIS
Collection census and root search on a heap of more than 5 million objects, against a plain heap-stat walk and dotnet-dump gcroot.

.DESCRIPTION
Starts the fixture's bigHeap mode (a Dictionary<long,bool> of -Keys entries held by a static, plus -Nodes small objects), writes a
heap dump, then times, each on a fresh session (Open-GcDump ... Close-GcDump):
  1. Get-GcHeapStat (the heap walk and the per-type statistics);
  2. Get-GcDictionary (the same walk, then every collection read, with Advice);
  3. Get-GcRoot on the largest dictionary, end to end (open, index, search) and on a session whose index exists;
  4. dotnet-dump analyze <dump> -c "gcroot <address>" -c exit (dotnet-dump installed into a temporary tool path), and the same
     with only -c exit (its start-up and dump load).
Prints one line per figure and the ratios; the dump and the tool are deleted at the end.
#>
[CmdletBinding()]
param(
    [string] $Configuration = 'Release',
    [int] $Keys = 5000000,
    [int] $Nodes = 5000000,
    [string] $DotnetDumpVersion = '10.0.750501',
    [int] $Repeat = 3
)

$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot
Import-Module (Join-Path $root 'tests/Pester/TestHelpers.psm1') -Force
Import-GcTriageUnderTest

$temp = New-GcTempDirectory
try {
    Write-Host "Starting fixture bigHeap ($Keys keys, $Nodes nodes)"
    $fixture = Start-GcFixture -Mode bigHeap -ArgumentList $Keys, $Nodes -TimeoutSeconds 600
    $dump = Join-Path $temp 'bighheap.dmp'
    try {
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $null = Save-GcDump -ProcessId $fixture.Id -Path $dump -Type Heap
        Write-Host ("dump written: {0:N0} MB in {1:N1} s" -f ((Get-Item $dump).Length / 1MB), $sw.Elapsed.TotalSeconds)
    }
    finally { Stop-GcFixture $fixture }

    function Measure-Fresh([scriptblock] $Work) {
        $best = [double]::MaxValue
        $result = $null
        for ($i = 0; $i -lt $Repeat; $i++) {
            [GC]::Collect()
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $d = Open-GcDump -Path $dump
            try { $result = & $Work $d }
            finally { Close-GcDump -Dump $d }
            $best = [Math]::Min($best, $sw.Elapsed.TotalSeconds)
        }
        [pscustomobject]@{ Seconds = $best; Result = $result }
    }

    $stat = Measure-Fresh { param($d) Get-GcHeapStat -Dump $d }
    $objects = ($stat.Result | Measure-Object Count -Sum).Sum
    Write-Host ("objects on the heap: {0:N0}" -f $objects)
    Write-Host ("Get-GcHeapStat (fresh session):               {0,8:N2} s" -f $stat.Seconds)

    $census = Measure-Fresh { param($d) Get-GcDictionary -Dump $d }
    $largest = $census.Result | Select-Object -First 1
    Write-Host ("Get-GcDictionary with Advice (fresh session): {0,8:N2} s   ({1:N0} collections; ratio to heap stat {2:N2}, target < 1.3)" -f $census.Seconds, @($census.Result).Count, ($census.Seconds / $stat.Seconds))
    Write-Host ("  largest: {0} Count {1:N0} Capacity {2:N0} {3:N1} MB; {4}" -f $largest.TypeName, $largest.Count, $largest.Capacity, ($largest.ShallowBytes / 1MB), $largest.Advice.Recommendation)

    $censusWarm = Measure-Fresh { param($d) $null = Get-GcHeapStat -Dump $d; $sw = [Diagnostics.Stopwatch]::StartNew(); $null = Get-GcDictionary -Dump $d; $sw.Elapsed.TotalSeconds }
    Write-Host ("Get-GcDictionary, index already built (census alone): {0,8:N2} s" -f $censusWarm.Result)

    $address = $largest.Address
    $rootFresh = Measure-Fresh { param($d) Get-GcRoot -Dump $d -Address $address -MaxPaths 1 }
    Write-Host ("Get-GcRoot largest, end to end (open, index, search): {0,8:N2} s   -> {1} {2}" -f $rootFresh.Seconds, $rootFresh.Result.RootKind, $rootFresh.Result.RootName)
    $rootAll = Measure-Fresh { param($d) Get-GcRoot -Dump $d -Address $address -MaxPaths 1000 }
    Write-Host ("Get-GcRoot largest, every path (-MaxPaths 1000), end to end: {0,8:N2} s   ({1} paths)" -f $rootAll.Seconds, @($rootAll.Result).Count)
    $warm = Measure-Fresh { param($d) $null = Get-GcHeapStat -Dump $d; $sw = [Diagnostics.Stopwatch]::StartNew(); $null = Get-GcRoot -Dump $d -Address $address -MaxPaths 1000; $sw.Elapsed.TotalSeconds }
    Write-Host ("Get-GcRoot largest, every path, index already built:  {0,8:N2} s" -f $warm.Result)

    $tools = Join-Path $temp 'tools'
    & dotnet tool install dotnet-dump --version $DotnetDumpVersion --tool-path $tools | Out-Null
    if ($LASTEXITCODE -ne 0) { throw "dotnet tool install dotnet-dump $DotnetDumpVersion failed" }
    $dd = Join-Path $tools 'dotnet-dump'
    $hex = '{0:x}' -f $address
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $ddLoad = & $dd analyze $dump -c exit 2>&1
    $loadSeconds = $sw.Elapsed.TotalSeconds
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $ddOut = & $dd analyze $dump -c "gcroot $hex" -c exit 2>&1
    $gcrootSeconds = $sw.Elapsed.TotalSeconds
    Write-Host ("dotnet-dump analyze -c exit (load only):       {0,8:N2} s" -f $loadSeconds)
    Write-Host ("dotnet-dump analyze -c 'gcroot {0}':  {1,8:N2} s   (Get-GcRoot end to end is {2:N2}x of it)" -f $hex, $gcrootSeconds, ($rootFresh.Seconds / $gcrootSeconds))
    Write-Host 'dotnet-dump gcroot said:'
    $ddOut | Select-Object -Last 12 | ForEach-Object { Write-Host "  $_" }
}
finally {
    Remove-GcTempDirectory $temp
}
