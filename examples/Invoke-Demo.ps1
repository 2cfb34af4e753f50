#!/usr/bin/env pwsh
<#
.SYNOPSIS
The README's main job: triage the incident service in examples/IncidentService end to end.

.DESCRIPTION
Starts the incident service (a million reference-rich sessions that every request writes a fresh object into, beside a
pointer-free Dictionary<long,bool> used as a set, the largest object on the heap), lets it serve for a few seconds, lists it with
Get-GcProcess and Get-GcSetting, then runs Invoke-GcTriage on it: GC pauses over EventPipe, a dump, the heap statistics, the
collection census with advice, what the GC traces (mark cost, old-to-young references), the root paths, the likely causes, and
the report files (report.html, report.json, CSVs). It ends with the key lines: the pauses and the first likely cause. The dump is deleted by the triage once read (-RemoveDump; kept with -Keep), so the report
names no file that is gone; the service is stopped at the end and the report's folder printed.
#>
[CmdletBinding()]
param(
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',
    [int] $GrowSeconds = 5,
    [int] $TriageSeconds = 10,
    # Where the report goes (kept after the demo; the dump is deleted).
    [string] $ReportDirectory,
    # Keep the captured dump beside the report instead of deleting it.
    [switch] $Keep
)

$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot -Parent
Import-Module (Join-Path $root 'GcTriage.psd1') -Force

$service = Join-Path $root "examples/IncidentService/bin/$Configuration/net10.0/IncidentService.dll"
if (-not (Test-Path $service)) { throw "The incident service is not built: run build.ps1 Build ($service)" }


$reportDir = if ($ReportDirectory) { $ReportDirectory } else { Join-Path $root ('artifacts/demo/report-{0:yyyyMMddTHHmmss}' -f [DateTime]::UtcNow) }

$psi = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
$psi.ArgumentList.Add($service); $psi.ArgumentList.Add('--seconds'); $psi.ArgumentList.Add('300')
$psi.RedirectStandardOutput = $true; $psi.RedirectStandardInput = $true; $psi.UseShellExecute = $false
$proc = [System.Diagnostics.Process]::Start($psi)
$dump = $null
try {
    $null = $proc.StandardOutput.ReadLine()   # READY <pid>
    Write-Host "`n== The incident service (pid $($proc.Id)) is running; letting it serve for $GrowSeconds s" -ForegroundColor Cyan
    for ($i = 0; $i -lt $GrowSeconds; $i++) { Write-Host "   $($proc.StandardOutput.ReadLine())" }

    Write-Host "`n== Get-GcProcess" -ForegroundColor Cyan
    Get-GcProcess -ProcessId $proc.Id | Format-Table ProcessId, Name, RuntimeVersion, GcMode, Concurrent, HeapCount -AutoSize | Out-String -Width 220 | Out-Host

    Write-Host "== Get-GcSetting" -ForegroundColor Cyan
    Get-GcSetting -ProcessId $proc.Id | Format-List GcMode, HeapCount, Concurrent, ProcessorCount, CpuQuota, MemoryLimitBytes, Findings | Out-String -Width 220 | Out-Host

    Write-Host "== Invoke-GcTriage: $TriageSeconds s of GC pauses, a dump, the heap, its collections and their roots" -ForegroundColor Cyan
    # The dump holds the service's memory: without -Keep the triage deletes it once read, so the report names no missing file.
    $report = Invoke-GcTriage -ProcessId $proc.Id -Duration ([TimeSpan]::FromSeconds($TriageSeconds)) -CaptureDump Always -PauseThresholdMs 50 -OutputDirectory $reportDir -Top 10 -RemoveDump:(-not $Keep)
    $report.PauseSummaryByGeneration | Format-Table -AutoSize | Out-String -Width 220 | Out-Host

    Write-Host "== What fills the heap (from the captured dump)" -ForegroundColor Cyan
    $report.TopTypes | Select-Object -First 8 | Format-Table -AutoSize | Out-String -Width 220 | Out-Host

    Write-Host "== The largest collections, and what they would cost otherwise" -ForegroundColor Cyan
    $report.Collections | Select-Object -First 3 | Format-Table -AutoSize | Out-String -Width 220 | Out-Host

    Write-Host "== What the GC traces: live objects and the references they hold, by type" -ForegroundColor Cyan
    $report.MarkCost | Select-Object -First 5 | Format-Table -AutoSize | Out-String -Width 220 | Out-Host

    Write-Host "== References from old objects to young ones (a card each, for every gen0/gen1 GC)" -ForegroundColor Cyan
    $report.CrossGenerationReferences | Select-Object -First 5 | Format-Table -AutoSize | Out-String -Width 220 | Out-Host

    Write-Host "== Why they are alive" -ForegroundColor Cyan
    $report.RootPaths | Select-Object -First 3 | Format-Table -AutoSize | Out-String -Width 220 | Out-Host

    Write-Host "== Likely causes" -ForegroundColor Cyan
    $report.LikelyCauses | ForEach-Object { Write-Host ("  {0}. [{1}] {2}" -f $_.Rank, $_.Severity, $_.Text) -ForegroundColor Yellow }

    Write-Host "`n== In short" -ForegroundColor Cyan
    $s = $report.PauseSummary
    if ($s) {
        Write-Host ("  Pauses: {0} GCs in {1} s, p50 {2:0.#} ms, p99 {3:0.#} ms, max {4:0.#} ms, {5:0.#} % of the time paused" -f `
            $s.Count, $TriageSeconds, $s.P50PauseMs, $s.P99PauseMs, $s.MaxPauseMs, $s.PauseTimePercent) -ForegroundColor Green
    }
    $first = $report.LikelyCauses | Select-Object -First 1
    if ($first) { Write-Host ("  First likely cause: [{0}] {1}" -f $first.Code, $first.Text) -ForegroundColor Green }
    if ($report.DumpPath) {
        $dump = Open-GcDump $report.DumpPath
        $all = Get-GcHeapStat -Dump $dump -TypeName '*Dictionary<System.Int64, System.Boolean>+Entry*'
        $live = Get-GcHeapStat -Dump $dump -TypeName '*Dictionary<System.Int64, System.Boolean>+Entry*' -Live
        Write-Host ("  The set's entries: {0:N1} MB live; {1} older array(s), {2:N1} MB, left behind by its resizes and not yet collected." -f `
            ($live.TotalSize / 1MB), ($all.Count - $live.Count), (($all.TotalSize - $live.TotalSize) / 1MB)) -ForegroundColor Yellow
    }
}
finally {
    if ($dump) { Close-GcDump $dump }
    # A triage that failed half-way may have left its dump: it does not outlive the demo either. The report (HTML, JSON, CSV) stays.
    if (-not $Keep) { Get-ChildItem $reportDir -Filter '*.dmp' -ErrorAction Ignore | Remove-Item -Force }
    if (Test-Path (Join-Path $reportDir 'report.html')) {
        Write-Host "`nThe report: $(Join-Path $reportDir 'report.html')  (and report.json, *.csv beside it)" -ForegroundColor Green
    }
    if (-not $proc.HasExited) { try { $proc.StandardInput.WriteLine('exit') } catch { }; if (-not $proc.WaitForExit(5000)) { $proc.Kill($true) } }
    $proc.Dispose()
}
