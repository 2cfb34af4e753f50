#!/usr/bin/env pwsh
<#
.SYNOPSIS
Heap statistics on a big dump: Get-GcHeapStat (in an open session, and as a fresh process) against dotnet-dump's dumpheap -stat.

.DESCRIPTION
1. Starts the fixture in its "bigheap" mode (about 10.6 million objects, 1.5 GB), writes a Heap dump of it with Save-GcDump
   into a private temp folder, and stops the fixture.
2. Installs dotnet-dump (-DotnetDumpVersion) into a temp tool path.
3. On that same dump, -Runs rounds, each round running the three contenders one after the other (so that load from other
   processes on the machine falls on all three alike):
   (a) session: in one pwsh that stays up between runs, Open-GcDump + Get-GcHeapStat (every row) + Close-GcDump, timed
       from the open to the close;
   (b) fresh:   pwsh -NoProfile -c "Import-Module GcTriage.psd1; Get-GcHeapStat -Path <dump> | Out-Null", the whole process;
   (c) dotnet-dump analyze <dump> -c "dumpheap -stat" -c exit, the whole process.
   Wall time, CPU time (user + system) and peak resident memory of each; medians over the rounds.
4. Compares every row of Get-GcHeapStat with dumpheap -stat's table (by method table, type name and count; total size too),
   reports the heap index's bytes per object, prints one table, and deletes the dump.
Peak memory is the kernel's high-water mark of resident memory ("Maximum resident set size" of /usr/bin/time, which the
script installs from Debian's "time" package when it is missing; VmHWM from /proc otherwise). For (a) it is the peak of the
whole session process over all its runs, with the pwsh + module baseline (before the first open) shown beside it.

.EXAMPLE
dotnet pwsh ./build.ps1 Bench

.EXAMPLE
dotnet pwsh -NoProfile -File ./bench/HeapStat.Bench.ps1 -Configuration Release -Runs 5
#>
[CmdletBinding()]
param(
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Rounds of measurement (each runs all three contenders once); at least 3.
    [ValidateRange(3, 100)]
    [int] $Runs = 5,

    [string] $DotnetDumpVersion = '10.0.750501',

    # Arguments for the fixture's bigheap mode (leaves pairs records buffers setKeys setCapacity threads); empty: its defaults.
    [string[]] $FixtureArguments = @(),

    # Keep the temp folder (dump and tool) for a look afterwards.
    [switch] $KeepDump,

    # Measure on this existing dump instead of making one (it is not deleted).
    [string] $DumpPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$Root = (Resolve-Path (Join-Path $PSScriptRoot '..')).Path
$Manifest = Join-Path $Root 'GcTriage.psd1'
Import-Module (Join-Path $PSScriptRoot 'BenchTools.psm1') -Force

function Get-TimeTool {
    if (Test-Path '/usr/bin/time') { return '/usr/bin/time' }
    if ((Get-Command apt-get -ErrorAction Ignore) -and [Environment]::UserName -eq 'root') {
        Write-Host 'Installing /usr/bin/time (Debian package "time") for peak-memory figures'
        & apt-get install -y -qq time *> $null
        if ($LASTEXITCODE -ne 0) { & apt-get update -qq *> $null; & apt-get install -y -qq time *> $null }
        if (Test-Path '/usr/bin/time') { return '/usr/bin/time' }
    }
    Write-Host '/usr/bin/time is not available: peak memory is read from /proc/<pid>/status (VmHWM) while each process runs'
    $null
}

function Read-VmHwmKb([int] $ProcessId) {
    try {
        $line = Get-Content "/proc/$ProcessId/status" -ErrorAction Stop | Where-Object { $_ -like 'VmHWM:*' }
        if ($line) { return [long](($line -split '\s+')[1]) }
    }
    catch { }
    0
}

# Runs a command to its end; returns wall seconds, CPU seconds, peak RSS in KB, exit code and stdout.
function Invoke-Measured {
    param([string] $Exe, [string[]] $Arguments, [string] $TimeTool, [string] $WorkFolder)
    $stdout = Join-Path $WorkFolder 'stdout.txt'
    $stderr = Join-Path $WorkFolder 'stderr.txt'
    $timeOut = Join-Path $WorkFolder 'time.txt'
    $psi = [System.Diagnostics.ProcessStartInfo]::new()
    if ($TimeTool) {
        $psi.FileName = $TimeTool
        foreach ($a in @('-v', '-o', $timeOut, $Exe) + $Arguments) { $psi.ArgumentList.Add($a) }
    }
    else {
        $psi.FileName = $Exe
        foreach ($a in $Arguments) { $psi.ArgumentList.Add($a) }
    }
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.RedirectStandardInput = $true
    $psi.UseShellExecute = $false
    $sw = [System.Diagnostics.Stopwatch]::StartNew()
    $p = [System.Diagnostics.Process]::Start($psi)
    $p.StandardInput.Close()
    $outTask = $p.StandardOutput.ReadToEndAsync()
    $errTask = $p.StandardError.ReadToEndAsync()
    $peak = 0L
    while (-not $p.WaitForExit(25)) {
        if (-not $TimeTool) { $peak = [math]::Max($peak, (Read-VmHwmKb $p.Id)) }
    }
    $p.WaitForExit()
    $wall = $sw.Elapsed.TotalSeconds
    [System.IO.File]::WriteAllText($stdout, $outTask.Result)
    [System.IO.File]::WriteAllText($stderr, $errTask.Result)
    $cpu = [double]::NaN
    try { $cpu = $p.TotalProcessorTime.TotalSeconds } catch { }
    if ($TimeTool -and (Test-Path $timeOut)) {
        $t = Get-Content $timeOut
        $get = { param($label) (($t | Where-Object { $_ -match [regex]::Escape($label) }) -replace '^.*:\s*', '') | Select-Object -First 1 }
        $peak = [long](& $get 'Maximum resident set size (kbytes)')
        $cpu = [double](& $get 'User time (seconds)') + [double](& $get 'System time (seconds)')
    }
    [pscustomobject]@{ Wall = $wall; Cpu = $cpu; PeakKb = $peak; ExitCode = $p.ExitCode; Output = $outTask.Result; Error = $errTask.Result }
}

# dumpheap -stat's table: MT, Count, TotalSize, Class Name (the header line "MT Count TotalSize Class Name", then rows, then "Total ...").
function ConvertFrom-DumpHeapStat([string] $Text) {
    $rows = [System.Collections.Generic.List[object]]::new()
    $inTable = $false
    $total = $null
    foreach ($line in $Text -split '\r?\n') {
        if ($line -match '^\s*MT\s+Count\s+TotalSize\s+Class Name') { $inTable = $true; continue }
        if (-not $inTable) { continue }
        if ($line -match '^\s*Total\s+([\d,]+)\s+objects,\s+([\d,]+)\s+bytes') {
            $total = [pscustomobject]@{ Objects = [long]($Matches[1] -replace ',', ''); Bytes = [long]($Matches[2] -replace ',', '') }
            break
        }
        if ($line -match '^\s*([0-9a-fA-F]+)\s+([\d,]+)\s+([\d,]+)\s+(.+?)\s*$') {
            $rows.Add([pscustomobject]@{
                    MethodTable = [Convert]::ToUInt64($Matches[1], 16)
                    Count       = [long]($Matches[2] -replace ',', '')
                    TotalSize   = [long]($Matches[3] -replace ',', '')
                    TypeName    = $Matches[4]
                })
        }
    }
    [pscustomobject]@{ Rows = $rows; Total = $total }
}

# The session runner: one pwsh that imports the module once, then measures a run per "run" line on stdin.
$SessionRunner = @'
param([string] $Manifest, [string] $Dump, [string] $RowsFile)
$ErrorActionPreference = 'Stop'
Import-Module $Manifest
function Get-Hwm { [long]((Get-Content /proc/self/status | Where-Object { $_ -like 'VmHWM:*' }) -split '\s+')[1] }
# Warm nothing: the first run pays the JIT like any first command in a session; the median shows the steady state.
[Console]::Out.WriteLine("BASELINE $(Get-Hwm)")
$me = [System.Diagnostics.Process]::GetCurrentProcess()
$n = 0
while ($null -ne ($line = [Console]::In.ReadLine())) {
    if ($line -eq 'exit') { break }
    $n++
    $me.Refresh()
    $cpu0 = $me.TotalProcessorTime
    $sw = [System.Diagnostics.Stopwatch]::StartNew()
    $d = Open-GcDump -Path $Dump
    $rows = @(Get-GcHeapStat -Dump $d)
    $lastRow = $sw.Elapsed.TotalSeconds
    $objects = $d.ObjectCount
    $bytesPerObject = [double]::NaN
    try {
        # DumpSession.GetIndex is public in Core (the object is a DumpSession); the index is already built, so this is free.
        $index = $d.GetIndex([System.Threading.CancellationToken]::None, $null)
        $bytesPerObject = $index.IndexBytes / [double]$index.Count
    }
    catch { }
    Close-GcDump -Dump $d
    $closed = $sw.Elapsed.TotalSeconds
    $me.Refresh()
    $cpu = ($me.TotalProcessorTime - $cpu0).TotalSeconds
    if ($n -eq 1) {
        $rows | Select-Object TypeName, MethodTable, Count, TotalSize | ConvertTo-Json -Depth 2 -Compress | Set-Content -LiteralPath $RowsFile
    }
    $result = @{ LastRow = $lastRow; Closed = $closed; Cpu = $cpu; Rows = $rows.Count; Objects = $objects; BytesPerObject = $bytesPerObject; Hwm = (Get-Hwm) }
    $rows = $null; $d = $null; $index = $null
    [GC]::Collect()
    [Console]::Out.WriteLine('RESULT ' + ($result | ConvertTo-Json -Compress))
}
[Console]::Out.WriteLine("PEAK $(Get-Hwm)")
'@

# --- setup --------------------------------------------------------------------------------------------------------------
$fixtureDll = Join-Path $Root "tests/GcTriage.Fixture/bin/$Configuration/net10.0/GcTriage.Fixture.dll"
if (-not (Test-Path $fixtureDll)) { throw "The fixture is not built ($fixtureDll); run build.ps1 Build -Configuration $Configuration first." }
if (-not (Test-Path (Join-Path $Root 'module/bin/GcTriage.Commands.dll'))) { throw 'The module is not built; run build.ps1 Build first.' }
$env:GCTRIAGE_FIXTURE = $fixtureDll

$work = Join-Path ([System.IO.Path]::GetTempPath()) ('gctriage-bench-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
if ($IsWindows) { $null = New-Item -ItemType Directory -Path $work }
else { $null = [System.IO.Directory]::CreateDirectory($work, [System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute') }
$dump = Join-Path $work 'bigheap.dmp'
$fixture = $null
$session = $null
$pwsh = @(Get-PwshCommand)

try {
    Import-Module (Join-Path $Root 'tests/Pester/TestHelpers.psm1') -Force
    Import-Module $Manifest -Force
    $loadBefore = (Get-Content /proc/loadavg -ErrorAction Ignore) -split ' ' | Select-Object -First 3

    if ($DumpPath) {
        $dump = (Resolve-Path -LiteralPath $DumpPath).Path
        $file = Get-Item -LiteralPath $dump
        Write-Host ("Using the existing dump {0} ({1:N0} MB)" -f $dump, ($file.Length / 1MB))
    }
    else {
        Write-Host "Starting the fixture (bigheap $($FixtureArguments -join ' '))"
        $sw = [System.Diagnostics.Stopwatch]::StartNew()
        $fixture = Start-GcFixture -Mode bigheap -ArgumentList $FixtureArguments -TimeoutSeconds 600
        $fixtureLine = $fixture.Lines | Where-Object { $_ -like 'BIGHEAP*' } | Select-Object -First 1
        Write-Host "  $fixtureLine ($([int]$sw.Elapsed.TotalSeconds) s)"
        $sw.Restart()
        $file = Save-GcDump -ProcessId $fixture.Id -Path $dump -Type Heap
        Write-Host ("  Heap dump: {0:N0} MB in {1:N1} s" -f ($file.Length / 1MB), $sw.Elapsed.TotalSeconds)
        Stop-GcFixture $fixture
        $fixture = $null
    }

    $toolPath = Join-Path $work 'tools'
    Write-Host "Installing dotnet-dump $DotnetDumpVersion into $toolPath"
    $out = & dotnet tool install dotnet-dump --version $DotnetDumpVersion --tool-path $toolPath 2>&1
    if ($LASTEXITCODE -ne 0) { throw "dotnet tool install dotnet-dump failed: $out" }
    $dotnetDump = Join-Path $toolPath ($IsWindows ? 'dotnet-dump.exe' : 'dotnet-dump')
    $timeTool = Get-TimeTool

    # Can dotnet-dump read this dump as it is, or must it be told where the runtime (and its DAC) is?
    $ddArgs = @('analyze', $dump, '-c', 'dumpheap -stat', '-c', 'exit')
    $probe = Invoke-Measured -Exe $dotnetDump -Arguments $ddArgs -TimeTool $null -WorkFolder $work
    $ddNote = 'reads the dump as it is'
    if ($probe.Output -notmatch 'Statistics:') {
        $runtimeVersion = (Open-GcDump -Path $dump | ForEach-Object { $v = $_.RuntimeVersion; Close-GcDump -Dump $_; $v })
        $runtimeDir = Join-Path (Split-Path (Get-Command dotnet).Source) "shared/Microsoft.NETCore.App/$runtimeVersion"
        $ddArgs = @('analyze', $dump, '-c', "setclrpath $runtimeDir", '-c', 'dumpheap -stat', '-c', 'exit')
        $probe = Invoke-Measured -Exe $dotnetDump -Arguments $ddArgs -TimeTool $null -WorkFolder $work
        if ($probe.Output -notmatch 'Statistics:') { throw "dotnet-dump cannot read the dump, even with setclrpath $runtimeDir`n$($probe.Output)`n$($probe.Error)" }
        $ddNote = "needs setclrpath $runtimeDir"
    }
    Write-Host "  dotnet-dump $ddNote"
    $dumpHeap = ConvertFrom-DumpHeapStat $probe.Output

    # --- measurement ----------------------------------------------------------------------------------------------------
    $runnerFile = Join-Path $work 'session-runner.ps1'
    $rowsFile = Join-Path $work 'session-rows.json'
    Set-Content -LiteralPath $runnerFile -Value $SessionRunner
    $psi = [System.Diagnostics.ProcessStartInfo]::new($pwsh[0])
    foreach ($a in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $runnerFile, $Manifest, $dump, $rowsFile)) { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardInput = $true
    $psi.RedirectStandardOutput = $true
    $psi.UseShellExecute = $false
    $session = [System.Diagnostics.Process]::Start($psi)
    $readTagged = {
        param($prefix)
        while ($true) {
            $l = $session.StandardOutput.ReadLine()
            if ($null -eq $l) { throw "the session pwsh ended before '$prefix'" }
            if ($l.StartsWith($prefix)) { return $l.Substring($prefix.Length).Trim() }
        }
    }
    $baselineKb = [long](& $readTagged 'BASELINE')

    $freeArgs = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', "Import-Module '$Manifest'; Get-GcHeapStat -Path '$dump' | Out-Null")
    $sessionRuns = [System.Collections.Generic.List[object]]::new()
    $freshRuns = [System.Collections.Generic.List[object]]::new()
    $ddRuns = [System.Collections.Generic.List[object]]::new()
    for ($i = 1; $i -le $Runs; $i++) {
        $session.StandardInput.WriteLine('run')
        $session.StandardInput.Flush()
        $r = (& $readTagged 'RESULT') | ConvertFrom-Json
        $sessionRuns.Add($r)

        $f = Invoke-Measured -Exe $pwsh[0] -Arguments $freeArgs -TimeTool $timeTool -WorkFolder $work
        if ($f.ExitCode -ne 0) { throw "fresh Get-GcHeapStat failed ($($f.ExitCode)): $($f.Error)" }
        $freshRuns.Add($f)

        $dd = Invoke-Measured -Exe $dotnetDump -Arguments $ddArgs -TimeTool $timeTool -WorkFolder $work
        if ($dd.Output -notmatch 'Statistics:') { throw "dotnet-dump run $i printed no statistics: $($dd.Error)" }
        $ddRuns.Add($dd)

        Write-Host ("  round {0}/{1}: session {2:N2} s (cpu {3:N2}), fresh {4:N2} s (cpu {5:N2}), dotnet-dump {6:N2} s (cpu {7:N2})" -f `
                $i, $Runs, $r.Closed, $r.Cpu, $f.Wall, $f.Cpu, $dd.Wall, $dd.Cpu)
    }
    $session.StandardInput.WriteLine('exit')
    $session.StandardInput.Flush()
    $sessionPeakKb = [long](& $readTagged 'PEAK')
    $session.WaitForExit()
    $session = $null
    $loadAfter = (Get-Content /proc/loadavg -ErrorAction Ignore) -split ' ' | Select-Object -First 3

    # --- parity ---------------------------------------------------------------------------------------------------------
    $ours = @(Get-Content -LiteralPath $rowsFile -Raw | ConvertFrom-Json)
    $theirsByMt = @{}
    foreach ($row in $dumpHeap.Rows) { $theirsByMt[[uint64]$row.MethodTable] = $row }
    $mismatches = [System.Collections.Generic.List[string]]::new()
    $sizeMismatches = 0
    $seen = @{}
    foreach ($row in $ours) {
        $mt = [uint64]$row.MethodTable
        $seen[$mt] = $true
        $t = $theirsByMt[$mt]
        if ($null -eq $t) { $mismatches.Add("$($row.TypeName) (MT {0:x}): {1} objects in Get-GcHeapStat, no row in dumpheap -stat" -f $mt, $row.Count); continue }
        if ($t.TypeName -ne $row.TypeName) { $mismatches.Add("MT {0:x}: '{1}' in Get-GcHeapStat, '{2}' in dumpheap -stat" -f $mt, $row.TypeName, $t.TypeName) }
        if ($t.Count -ne $row.Count) { $mismatches.Add("$($row.TypeName): count $($row.Count) in Get-GcHeapStat, $($t.Count) in dumpheap -stat") }
        if ($t.TotalSize -ne $row.TotalSize) { $sizeMismatches++ }
    }
    foreach ($row in $dumpHeap.Rows) {
        if (-not $seen.ContainsKey([uint64]$row.MethodTable)) { $mismatches.Add("$($row.TypeName): $($row.Count) objects in dumpheap -stat, no row in Get-GcHeapStat") }
    }
    $freeRows = @($dumpHeap.Rows | Where-Object TypeName -eq 'Free')
    $ourFree = @($ours | Where-Object TypeName -eq 'Free')
    $ourObjects = ($ours | Measure-Object Count -Sum).Sum
    $ourBytes = ($ours | Measure-Object TotalSize -Sum).Sum

    # --- report ---------------------------------------------------------------------------------------------------------
    $sessionMedian = Get-Median ($sessionRuns | ForEach-Object Closed)
    $freshMedian = Get-Median ($freshRuns | ForEach-Object Wall)
    $ddMedian = Get-Median ($ddRuns | ForEach-Object Wall)
    $mb = { param($kb) '{0:N0} MB' -f ($kb / 1024) }
    $table = @(
        [pscustomobject]@{
            Contender   = '(a) Get-GcHeapStat, open session'
            'Median s'  = '{0:N2}' -f $sessionMedian
            'Runs s'    = ($sessionRuns | ForEach-Object { '{0:N2}' -f $_.Closed }) -join ' '
            'CPU s'     = '{0:N2}' -f (Get-Median ($sessionRuns | ForEach-Object Cpu))
            'Peak RSS'  = '{0} (pwsh+module {1})' -f (& $mb $sessionPeakKb), (& $mb $baselineKb)
            'vs dotnet-dump' = '{0:N2}x faster' -f ($ddMedian / $sessionMedian)
        }
        [pscustomobject]@{
            Contender   = '(b) Get-GcHeapStat, fresh pwsh'
            'Median s'  = '{0:N2}' -f $freshMedian
            'Runs s'    = ($freshRuns | ForEach-Object { '{0:N2}' -f $_.Wall }) -join ' '
            'CPU s'     = '{0:N2}' -f (Get-Median ($freshRuns | ForEach-Object Cpu))
            'Peak RSS'  = & $mb (Get-Median ($freshRuns | ForEach-Object PeakKb))
            'vs dotnet-dump' = '{0:N2}x faster' -f ($ddMedian / $freshMedian)
        }
        [pscustomobject]@{
            Contender   = '(c) dotnet-dump dumpheap -stat'
            'Median s'  = '{0:N2}' -f $ddMedian
            'Runs s'    = ($ddRuns | ForEach-Object { '{0:N2}' -f $_.Wall }) -join ' '
            'CPU s'     = '{0:N2}' -f (Get-Median ($ddRuns | ForEach-Object Cpu))
            'Peak RSS'  = & $mb (Get-Median ($ddRuns | ForEach-Object PeakKb))
            'vs dotnet-dump' = '1.00x'
        }
    )

    $bytesPerObject = ($sessionRuns | Select-Object -First 1).BytesPerObject
    $objects = ($sessionRuns | Select-Object -First 1).Objects
    Write-Host ''
    Write-Host "== Heap statistics on a $('{0:N0}' -f ($file.Length / 1MB)) MB dump of $('{0:N0}' -f $objects) objects ($Runs rounds, medians)" -ForegroundColor Cyan
    $table | Format-Table -AutoSize -Wrap | Out-String -Width 200 | Write-Host
    $countsAgree = $mismatches.Count -eq 0
    Write-Host ("Per-type counts agree with dumpheap -stat: {0} ({1} types, {2:N0} objects, {3:N0} bytes in Get-GcHeapStat; dumpheap -stat: {4} rows, {5:N0} objects, {6:N0} bytes; total sizes differ for {7} types)" -f `
        ($countsAgree ? 'yes' : 'NO'), $ours.Count, $ourObjects, $ourBytes, $dumpHeap.Rows.Count, $dumpHeap.Total.Objects, $dumpHeap.Total.Bytes, $sizeMismatches)
    Write-Host ("Free rows: dumpheap -stat {0}; Get-GcHeapStat {1}" -f `
        (($freeRows | ForEach-Object { "$($_.Count) blocks, $($_.TotalSize) bytes" }) -join ', ' | ForEach-Object { $_ ? $_ : 'none' }),
        (($ourFree | ForEach-Object { "$($_.Count) blocks, $($_.TotalSize) bytes" }) -join ', ' | ForEach-Object { $_ ? $_ : 'none' }))
    foreach ($m in $mismatches | Select-Object -First 20) { Write-Host "  mismatch: $m" -ForegroundColor Yellow }
    Write-Host ("Heap index: {0:N4} bytes per object (IndexBytes / Count)" -f $bytesPerObject)
    Write-Host ("Targets: session >= 2x faster than dotnet-dump: {0} ({1:N2}x); identical counts: {2}; index <= 16 bytes/object: {3}" -f `
        (($ddMedian / $sessionMedian) -ge 2 ? 'met' : 'NOT met'), ($ddMedian / $sessionMedian), ($countsAgree ? 'met' : 'NOT met'),
        ([math]::Round($bytesPerObject, 2) -le 16 ? 'met (16 per entry + the type table)' : 'NOT met'))
    Write-Host "dotnet-dump $DotnetDumpVersion $ddNote. Machine: $([Environment]::ProcessorCount) cores; load average $($loadBefore -join ' ') before, $($loadAfter -join ' ') after."
}
finally {
    if ($session -and -not $session.HasExited) { try { $session.Kill($true) } catch { } }
    if ($fixture) { Stop-GcFixture $fixture }
    if ($KeepDump) { Write-Host "Kept: $work" }
    else { Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue }
}
exit 0
