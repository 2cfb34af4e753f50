#!/usr/bin/env pwsh
<#
.SYNOPSIS
Waits for the first GC pause over a threshold in a process, captures a dump right after it, and ends.

.DESCRIPTION
Runs Watch-GcPause for up to -Duration. On the first pause of at least -ThresholdMs it writes a Heap dump into -DumpFolder
(owner-only), logs a line, and stops (-MaxCaptures 1). Dumps are skipped with a warning when the heap is larger than
-MaxHeapBytes. Emits the pause that crossed the threshold, with the dump it captured.

Schedule it: as a long-running job next to the service, e.g. a systemd unit with
  ExecStart=/usr/bin/pwsh -NoProfile -File .../Watch-PauseAndDump.ps1 -ProcessName api -ThresholdMs 200 -DumpFolder /var/lib/gctriage/dumps -Duration 1.00:00:00
  and Restart=on-success with RestartSec=1h; on Windows, a Task Scheduler task at startup with the same pwsh command line.

.EXAMPLE
./Watch-PauseAndDump.ps1 -ProcessName api -ThresholdMs 200 -DumpFolder /var/tmp/dumps
#>
[CmdletBinding(DefaultParameterSetName = 'Name')]
param(
    [Parameter(Mandatory, ParameterSetName = 'Name')] [string] $ProcessName,
    [Parameter(Mandatory, ParameterSetName = 'Id')] [int] $ProcessId,
    [double] $ThresholdMs = 200,
    [Parameter(Mandatory)] [string] $DumpFolder,
    [TimeSpan] $Duration = '01:00:00',
    [long] $MaxHeapBytes = 8GB,
    [string] $ModulePath = 'GcTriage'
)

$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
if ($PSCmdlet.ParameterSetName -eq 'Name') {
    $target = @(Get-GcProcess -Name $ProcessName)
    if ($target.Count -ne 1) { throw "Expected one .NET process named '$ProcessName', found $($target.Count)." }
    $ProcessId = $target[0].ProcessId
}
if ($IsWindows) { $null = New-Item -ItemType Directory -Force $DumpFolder }
else { $null = [System.IO.Directory]::CreateDirectory($DumpFolder, [System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute') }

# Select-Object -First 1 ends the watch (and its EventPipe session) right after the first crossing pause and its capture.
Watch-GcPause -ProcessId $ProcessId -ThresholdMs $ThresholdMs -CaptureDump $DumpFolder -MaxCaptures 1 -Duration $Duration -MaxHeapBytes $MaxHeapBytes |
    Select-Object -First 1 |
    ForEach-Object {
        Write-Host ("{0:u} gen{1} {2} pause {3:N1} ms in process {4}" -f $_.Timestamp, $_.Generation, $_.Reason, $_.PauseMs, $ProcessId)
        $_
    }
