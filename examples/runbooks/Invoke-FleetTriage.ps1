#!/usr/bin/env pwsh
<#
.SYNOPSIS
Fans the triage out to many hosts over PowerShell remoting and gathers the results back as objects with their host name.

.DESCRIPTION
Runs, on each host, Get-GcProcess and Invoke-GcTriage for each matching .NET process (reports written on that host under
-RemoteOutputRoot), and returns a summary object per process: HostName (PSComputerName), ProcessId, Name, and the report's
key figures. Uses SSH remoting (-HostName; PowerShell 7 with a `Subsystem powershell` line in sshd_config on each host) or
WinRM (-ComputerName). GcTriage must be installed on each host (see build.ps1 Package), or -RemoteModulePath given.

Schedule it from a management host: cron / systemd timer / Task Scheduler running
  pwsh -NoProfile -File .../Invoke-FleetTriage.ps1 -HostName web1,web2 -UserName ops -KeyFilePath ~/.ssh/gctriage | Export-Csv fleet.csv

.EXAMPLE
./Invoke-FleetTriage.ps1 -HostName web1, web2 -UserName ops -KeyFilePath ~/.ssh/id_ed25519 -Name 'api*' | Format-Table
#>
[CmdletBinding(DefaultParameterSetName = 'Ssh')]
param(
    [Parameter(Mandatory, ParameterSetName = 'Ssh')] [string[]] $HostName,
    [Parameter(ParameterSetName = 'Ssh')] [string] $UserName,
    [Parameter(ParameterSetName = 'Ssh')] [string] $KeyFilePath,
    [Parameter(ParameterSetName = 'Ssh')] [int] $Port = 22,
    [Parameter(ParameterSetName = 'Ssh')] [hashtable] $SshOptions,
    [Parameter(Mandatory, ParameterSetName = 'WinRM')] [string[]] $ComputerName,
    [Parameter(ParameterSetName = 'WinRM')] [pscredential] $Credential,
    [string[]] $Name,
    [TimeSpan] $Duration = '00:00:20',
    [string] $RemoteOutputRoot = '/var/tmp/gctriage',
    [string] $RemoteModulePath = 'GcTriage'
)

$ErrorActionPreference = 'Stop'
$remote = {
    param($Name, $Duration, $OutputRoot, $ModulePath)
    $ErrorActionPreference = 'Stop'
    Import-Module $ModulePath
    $targets = if ($Name) { Get-GcProcess -Name $Name } else { Get-GcProcess }
    foreach ($p in $targets) {
        if ($p.ProcessId -eq $PID) { continue }
        $folder = Join-Path $OutputRoot ('{0}_{1}_{2:yyyyMMddTHHmmssZ}' -f $p.Name, $p.ProcessId, [DateTime]::UtcNow)
        $r = Invoke-GcTriage -ProcessId $p.ProcessId -Duration $Duration -OutputDirectory $folder -CaptureDump Never
        [pscustomobject]@{
            ProcessId       = $p.ProcessId
            Name            = $p.Name
            RuntimeVersion  = $p.RuntimeVersion
            GcMode          = $p.GcMode
            PauseCount      = $r.PauseSummary.Count
            P99PauseMs      = $r.PauseSummary.P99PauseMs
            MaxPauseMs      = $r.PauseSummary.MaxPauseMs
            Findings        = @($r.Findings).Count
            LikelyCause     = @($r.LikelyCauses)[0]
            ReportDirectory = $folder
        }
    }
}

$invoke = @{ ScriptBlock = $remote; ArgumentList = @($Name, $Duration, $RemoteOutputRoot, $RemoteModulePath) }
if ($PSCmdlet.ParameterSetName -eq 'Ssh') {
    $invoke.HostName = $HostName
    $invoke.Port = $Port
    if ($UserName) { $invoke.UserName = $UserName }
    if ($KeyFilePath) { $invoke.KeyFilePath = $KeyFilePath }
    if ($SshOptions) { $invoke.Options = $SshOptions }
}
else {
    $invoke.ComputerName = $ComputerName
    if ($Credential) { $invoke.Credential = $Credential }
}

Invoke-Command @invoke | Select-Object @{ n = 'HostName'; e = { $_.PSComputerName } }, * -ExcludeProperty PSComputerName, RunspaceId, PSShowComputerName
