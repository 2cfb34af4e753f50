#!/usr/bin/env pwsh
<#
.SYNOPSIS
Scheduled triage of every .NET process on this host; keeps the last N reports per process.

.DESCRIPTION
For each .NET process that Get-GcProcess lists (optionally only those matching -Name), runs Invoke-GcTriage into
<OutputRoot>/<host>_<name>_<pid>_<utc time>/ and then deletes all but the newest -Keep report folders of that process name.
Emits the GcTriageReport objects (each with its HostName and OutputDirectory), so a caller can filter or export them.

Schedule it:
  cron (every 15 minutes):
    */15 * * * * pwsh -NoProfile -File /opt/gctriage/examples/runbooks/Invoke-ScheduledTriage.ps1 -OutputRoot /var/lib/gctriage
  systemd: a gctriage.service (Type=oneshot, ExecStart=/usr/bin/pwsh -NoProfile -File .../Invoke-ScheduledTriage.ps1 -OutputRoot /var/lib/gctriage)
    and a gctriage.timer with OnCalendar=*:0/15 and Persistent=true; `systemctl enable --now gctriage.timer`.
  Windows Task Scheduler:
    schtasks /Create /SC MINUTE /MO 15 /TN GcTriage /TR "pwsh -NoProfile -File C:\gctriage\examples\runbooks\Invoke-ScheduledTriage.ps1 -OutputRoot C:\gctriage\reports"

.EXAMPLE
./Invoke-ScheduledTriage.ps1 -OutputRoot /var/lib/gctriage -Name 'api*' -Duration 00:00:30 -Keep 10
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $OutputRoot,
    [string[]] $Name,
    [int[]] $ProcessId,
    [TimeSpan] $Duration = '00:00:30',
    [ValidateRange(1, 1000)] [int] $Keep = 5,
    [ValidateSet('Never', 'OnThreshold', 'Always')] [string] $CaptureDump = 'OnThreshold',
    [double] $PauseThresholdMs = 200,
    [string] $ModulePath = 'GcTriage'
)

$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
$hostName = [System.Net.Dns]::GetHostName()
$null = New-Item -ItemType Directory -Force -Path $OutputRoot

$targets = if ($ProcessId) { Get-GcProcess -ProcessId $ProcessId } elseif ($Name) { Get-GcProcess -Name $Name } else { Get-GcProcess }
foreach ($p in $targets) {
    if ($p.ProcessId -eq $PID) { continue }
    $safeName = $p.Name -replace '[^\w.-]', '_'
    $folder = Join-Path $OutputRoot ('{0}_{1}_{2}_{3:yyyyMMddTHHmmssZ}' -f $hostName, $safeName, $p.ProcessId, [DateTime]::UtcNow)
    try {
        # The report carries HostName and OutputDirectory itself.
        Invoke-GcTriage -ProcessId $p.ProcessId -Duration $Duration -OutputDirectory $folder -CaptureDump $CaptureDump -PauseThresholdMs $PauseThresholdMs
    }
    catch {
        Write-Warning "Triage of $($p.Name) ($($p.ProcessId)) failed: $_"
    }

    # Keep the newest $Keep report folders of this process name on this host.
    Get-ChildItem $OutputRoot -Directory -Filter "$($hostName)_$($safeName)_*" |
        Sort-Object CreationTimeUtc, Name -Descending |
        Select-Object -Skip $Keep |
        Remove-Item -Recurse -Force
}
