#!/usr/bin/env pwsh
<#
.SYNOPSIS
The incident service's GC pauses (examples/IncidentService), as built, and with each half of what it holds taken away.

.DESCRIPTION
For each case, starts the incident service with that case's arguments, waits for READY (its warm-up builds the state it would
have after days of traffic) and a few seconds of serving, records every GC for -Seconds with Get-GcPause, stops the service and
prints Measure-GcPause over the window (all GCs, then by generation) with the host's load average. Cases:
- demo: as the demo runs it (a million reference-rich sessions written with a fresh record by every request, and the pointer-free
  set of seen ids);
- set-only: one session, the same set;
- sessions-only: the sessions, no set;
- sessions-unwritten: the sessions and the set, requests only read the sessions (the environment variable
  INCIDENT_READ_ONLY=1).
-Nice runs the service under nice -n -19 (root only): its GC threads then win the cores from the rest of a loaded host.

.EXAMPLE
dotnet pwsh -NoProfile -File ./bench/Incident.Bench.ps1 -Seconds 15
#>
[CmdletBinding()]
param(
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',
    [ValidateRange(2, 600)]
    [int] $Seconds = 15,
    [ValidateSet('demo', 'set-only', 'sessions-only', 'sessions-unwritten')]
    [string[]] $Case = @('demo', 'set-only', 'sessions-only', 'sessions-unwritten'),
    [switch] $Nice
)

$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot -Parent
Import-Module (Join-Path $root 'GcTriage.psd1') -Force
$service = Join-Path $root "examples/IncidentService/bin/$Configuration/net10.0/IncidentService.dll"
if (-not (Test-Path $service)) { throw "The incident service is not built: run build.ps1 Build ($service)" }

$cases = @{
    'demo'               = @{ Args = @(); Env = @{} }
    'set-only'           = @{ Args = @('--sessions', '1'); Env = @{} }
    'sessions-only'      = @{ Args = @('--seen', '0'); Env = @{} }
    'sessions-unwritten' = @{ Args = @(); Env = @{ INCIDENT_READ_ONLY = '1' } }
}

foreach ($name in $Case) {
    $c = $cases[$name]
    $psi = if ($Nice) { [System.Diagnostics.ProcessStartInfo]::new('nice') } else { [System.Diagnostics.ProcessStartInfo]::new('dotnet') }
    if ($Nice) { foreach ($a in '-n', '-19', 'dotnet') { $psi.ArgumentList.Add($a) } }
    $psi.ArgumentList.Add($service)
    foreach ($a in $c.Args) { $psi.ArgumentList.Add($a) }
    foreach ($k in $c.Env.Keys) { $psi.Environment[$k] = $c.Env[$k] }
    $psi.RedirectStandardOutput = $true; $psi.RedirectStandardInput = $true; $psi.UseShellExecute = $false
    $proc = [System.Diagnostics.Process]::Start($psi)
    try {
        $null = $proc.StandardOutput.ReadLine()   # READY <pid>
        for ($i = 0; $i -lt 3; $i++) { $null = $proc.StandardOutput.ReadLine() }
        $pauses = @(Get-GcPause -ProcessId $proc.Id -Duration ([TimeSpan]::FromSeconds($Seconds)))
        $load = (Get-Content /proc/loadavg -ErrorAction Ignore) -split ' ' | Select-Object -First 3
        Write-Host ("== {0} ({1} s, load average {2}{3})" -f $name, $Seconds, ($load -join ' '), $(if ($Nice) { ', nice -19' } else { '' })) -ForegroundColor Cyan
        $pauses | Measure-GcPause | Format-Table -AutoSize | Out-String -Width 200 | Out-Host
        $pauses | Measure-GcPause -GroupBy Generation | Format-Table -AutoSize | Out-String -Width 200 | Out-Host
    }
    finally {
        if (-not $proc.HasExited) { try { $proc.StandardInput.WriteLine('exit') } catch { }; if (-not $proc.WaitForExit(5000)) { $proc.Kill($true) } }
        $proc.Dispose()
    }
}
