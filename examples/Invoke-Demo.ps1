#!/usr/bin/env pwsh
<#
.SYNOPSIS
The README's main job: triage the incident service in examples/IncidentService end to end.

.DESCRIPTION
Starts the incident service (a static Dictionary<long,bool> used as a set grows while requests allocate short-lived buffers),
lets it grow for a few seconds, lists it with Get-GcProcess, dumps it with Save-GcDump, and shows what fills its heap with
Get-GcHeapStat (all objects, then live ones only). Everything it starts and writes is removed at the end.
#>
[CmdletBinding()]
param(
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',
    [int] $GrowSeconds = 8,
    # Keep the dump and report folder instead of deleting them.
    [switch] $Keep
)

$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot -Parent
Import-Module (Join-Path $root 'GcTriage.psd1') -Force

$service = Join-Path $root "examples/IncidentService/bin/$Configuration/net10.0/IncidentService.dll"
if (-not (Test-Path $service)) { throw "The incident service is not built: run build.ps1 Build ($service)" }

$work = Join-Path ([System.IO.Path]::GetTempPath()) ('gctriage-demo-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
if ($IsWindows) { $null = New-Item -ItemType Directory $work } else { $null = [System.IO.Directory]::CreateDirectory($work, [System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute') }

$psi = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
$psi.ArgumentList.Add($service); $psi.ArgumentList.Add('--seconds'); $psi.ArgumentList.Add('300')
$psi.RedirectStandardOutput = $true; $psi.RedirectStandardInput = $true; $psi.UseShellExecute = $false
$proc = [System.Diagnostics.Process]::Start($psi)
$dump = $null
try {
    $null = $proc.StandardOutput.ReadLine()   # READY <pid>
    Write-Host "`n== The incident service (pid $($proc.Id)) is running; letting its set grow for $GrowSeconds s" -ForegroundColor Cyan
    for ($i = 0; $i -lt $GrowSeconds; $i++) { Write-Host "   $($proc.StandardOutput.ReadLine())" }

    Write-Host "`n== Get-GcProcess" -ForegroundColor Cyan
    Get-GcProcess -ProcessId $proc.Id | Format-Table ProcessId, Name, RuntimeVersion, GcMode, Concurrent, HeapCount -AutoSize | Out-String -Width 220 | Out-Host

    Write-Host "== Save-GcDump -Type Heap" -ForegroundColor Cyan
    $file = Save-GcDump -ProcessId $proc.Id -Path (Join-Path $work 'incident.dmp')
    Write-Host ("   {0} ({1:N0} MB, mode {2})" -f $file.FullName, ($file.Length / 1MB), $(if ($IsWindows) { 'owner ACL' } else { $file.UnixFileMode }))

    Write-Host "`n== Open-GcDump" -ForegroundColor Cyan
    $dump = Open-GcDump $file.FullName
    $dump | Format-List Path, RuntimeVersion, GcMode, HeapCount, @{ n = 'Dac'; e = { "$($_.Dac.DacPath) ($($_.Dac.Reason))" } } | Out-Host

    Write-Host "== What fills the heap: Get-GcHeapStat -Top 8" -ForegroundColor Cyan
    Get-GcHeapStat -Dump $dump -Top 8 | Format-Table -AutoSize | Out-String -Width 220 | Out-Host

    Write-Host "== Only what is alive: Get-GcHeapStat -Live -Top 5" -ForegroundColor Cyan
    Get-GcHeapStat -Dump $dump -Live -Top 5 | Format-Table -AutoSize | Out-String -Width 220 | Out-Host

    $dead = Get-GcHeapStat -Dump $dump -TypeName '*Dictionary<System.Int64, System.Boolean>+Entry*'
    $live = Get-GcHeapStat -Dump $dump -TypeName '*Dictionary<System.Int64, System.Boolean>+Entry*' -Live
    Write-Host ("The Dictionary<long,bool> set: {0:N1} MB live in {1} entries array(s); {2} more array(s), {3:N1} MB, were left behind by its resizes." -f `
        ($live.TotalSize / 1MB), $live.Count, ($dead.Count - $live.Count), (($dead.TotalSize - $live.TotalSize) / 1MB)) -ForegroundColor Yellow
    if (Get-Command Get-GcDictionary -ErrorAction Ignore) {
        Write-Host "`n== The oversized set and what it would cost otherwise: Get-GcDictionary -Top 3" -ForegroundColor Cyan
        Get-GcDictionary -Dump $dump -Top 3 | Format-Table -AutoSize | Out-String -Width 220 | Out-Host
    }
}
finally {
    if ($dump) { Close-GcDump $dump }
    if (-not $proc.HasExited) { try { $proc.StandardInput.WriteLine('exit') } catch { }; if (-not $proc.WaitForExit(5000)) { $proc.Kill($true) } }
    $proc.Dispose()
    if ($Keep) { Write-Host "Kept $work" } else { Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue }
}
