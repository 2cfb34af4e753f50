#!/usr/bin/env pwsh
<#
.SYNOPSIS
Nightly heap-growth check: today's heap statistics against yesterday's CSV.

.DESCRIPTION
Takes today's heap statistics (from -DumpPath, or by dumping -ProcessId into -SnapshotFolder and deleting the dump after),
writes them to <SnapshotFolder>/heapstat_<yyyyMMdd>.csv, compares them with the newest earlier CSV in that folder
(Compare-GcHeap over Import-Csv rows), and emits the types that grew by more than -MinGrowthBytes. With -FailOnGrowth, ends
with an error when any type grew by more than that, so a scheduler marks the run failed.

Schedule it: cron `30 2 * * * pwsh -NoProfile -File .../Test-HeapGrowth.ps1 -ProcessId $(pgrep -f Api.dll) -SnapshotFolder /var/lib/gctriage/heap`;
a systemd timer with OnCalendar=*-*-* 02:30; Windows: schtasks /Create /SC DAILY /ST 02:30 /TN GcTriageHeapGrowth /TR "pwsh -File ...".

.EXAMPLE
./Test-HeapGrowth.ps1 -ProcessId 4242 -SnapshotFolder /var/lib/gctriage/heap -MinGrowthBytes 50MB -FailOnGrowth
#>
[CmdletBinding(DefaultParameterSetName = 'Process')]
param(
    [Parameter(Mandatory, ParameterSetName = 'Process')] [int] $ProcessId,
    [Parameter(Mandatory, ParameterSetName = 'Dump')] [string] $DumpPath,
    [Parameter(Mandatory)] [string] $SnapshotFolder,
    [long] $MinGrowthBytes = 10MB,
    [switch] $Live,
    [switch] $FailOnGrowth,
    [DateTime] $Today = [DateTime]::UtcNow,
    [string] $ModulePath = 'GcTriage'
)

$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
if ($IsWindows) { $null = New-Item -ItemType Directory -Force $SnapshotFolder }
else { $null = [System.IO.Directory]::CreateDirectory($SnapshotFolder, [System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute') }

$todayCsv = Join-Path $SnapshotFolder ('heapstat_{0:yyyyMMdd}.csv' -f $Today)
$ownDump = $null
try {
    if ($PSCmdlet.ParameterSetName -eq 'Process') {
        $ownDump = Save-GcDump -ProcessId $ProcessId -Path (Join-Path $SnapshotFolder ("heap_{0}.dmp" -f $ProcessId)) -Force
        $DumpPath = $ownDump.FullName
    }
    $stats = Get-GcHeapStat -Path $DumpPath -Live:$Live
    $stats | Export-Csv $todayCsv -NoTypeInformation
    if (-not $IsWindows) { [System.IO.File]::SetUnixFileMode($todayCsv, [System.IO.UnixFileMode]'UserRead, UserWrite') }
}
finally {
    if ($ownDump) { Remove-Item $ownDump.FullName -Force -ErrorAction SilentlyContinue }
}

$previous = Get-ChildItem $SnapshotFolder -Filter 'heapstat_*.csv' | Where-Object FullName -ne $todayCsv | Sort-Object Name -Descending | Select-Object -First 1
if (-not $previous) {
    Write-Warning "No earlier snapshot in $SnapshotFolder; today's is $todayCsv."
    return
}

$grown = Compare-GcHeap -ReferenceObject (Import-Csv $previous.FullName) -DifferenceObject $stats | Where-Object SizeDelta -ge $MinGrowthBytes
$grown
if ($FailOnGrowth -and $grown) {
    throw ("{0} type(s) grew by {1:N0} bytes or more since {2}: {3}" -f @($grown).Count, $MinGrowthBytes, $previous.Name, (($grown | Select-Object -First 3).TypeName -join ', '))
}
