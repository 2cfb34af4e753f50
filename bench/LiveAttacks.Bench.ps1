<#
.SYNOPSIS
Runs issue 13's live-process attacks against a build of the module and prints, per case, what happened and how long it took:
the table of the closing note (run it against main's build for "before" and this branch's for "after").

.DESCRIPTION
Each case runs in a child pwsh with a hard limit (-LimitSeconds): a case that reaches it is reported as HANG and its child and
fixture are killed. Cases: a SIGSTOPped fixture, a diagnostics socket that accepts and never answers (named for a real `sleep`
process with its true start-time key), a socket whose key is not the start time (planted beside a fixture's own), targets
killed mid-command, Watch-GcPause -Duration 3 s with a 20 s action, Get-GcAllocation -OutFile into a missing folder and onto a
full 1 MB tmpfs, root dumping a fixture run as nobody, and Ctrl+C (PowerShell.Stop) on Get-GcPause against a healthy and a
stopped target. Linux, as root. Example: ./bench/LiveAttacks.Bench.ps1 -Module /tmp/main-build/GcTriage.psd1
#>
param(
    [string] $Module = (Join-Path $PSScriptRoot '../GcTriage.psd1'),
    [string] $Fixture = (Join-Path $PSScriptRoot '../tests/GcTriage.Fixture/bin/Release/net10.0/GcTriage.Fixture.dll'),
    [int] $LimitSeconds = 40,
    [string[]] $Case
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'BenchTools.psm1') -Force
$Case = @($Case | ForEach-Object { $_ -split "," } | Where-Object { $_ })
$Module = (Resolve-Path $Module).Path
$Fixture = (Resolve-Path $Fixture).Path
$work = Join-Path ([System.IO.Path]::GetTempPath()) ('gctriage-attacks-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
$null = [System.IO.Directory]::CreateDirectory($work, [System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute')

# Shared by every case: start a fixture (its pid goes to pids.txt, so a killed case's fixture is killed too), and report.
$prelude = @'
param($Module, $Fixture, $Work)
$ErrorActionPreference = 'Continue'
Import-Module $Module
function Start-Fx([string] $Mode, [string[]] $Prefix = @()) {
    $psi = [System.Diagnostics.ProcessStartInfo]::new($(if ($Prefix) { $Prefix[0] } else { 'dotnet' }))
    foreach ($a in @($Prefix | Select-Object -Skip 1)) { $psi.ArgumentList.Add($a) }
    if ($Prefix) { $psi.ArgumentList.Add((Get-Command dotnet).Source) }
    $psi.ArgumentList.Add($Fixture); $psi.ArgumentList.Add($Mode)
    $psi.RedirectStandardInput = $true; $psi.RedirectStandardOutput = $true; $psi.UseShellExecute = $false
    $p = [System.Diagnostics.Process]::Start($psi)
    do { $l = $p.StandardOutput.ReadLine() } while ($null -ne $l -and $l -notlike 'READY *')
    $id = [int]($l -split ' ')[1]
    Add-Content (Join-Path $Work 'pids.txt') $id
    [pscustomobject]@{ Id = $id; P = $p }
}
function Send($fx, $line) { $fx.P.StandardInput.WriteLine($line); $fx.P.StandardInput.Flush() }
function Key([int] $id) { $s = Get-Content -Raw "/proc/$id/stat"; ($s.Substring($s.LastIndexOf(')') + 2) -split ' ')[19] }
function Silent([string] $path) {
    Add-Content (Join-Path $Work 'paths.txt') $path
    $s = [System.Net.Sockets.Socket]::new('Unix', 'Stream', 'Unspecified'); $s.Bind([System.Net.Sockets.UnixDomainSocketEndPoint]::new($path)); $s.Listen(16); $s
}
function Sleeper { $p = Start-Process sleep 120 -PassThru; Add-Content (Join-Path $Work 'pids.txt') $p.Id; $p }
function Report([scriptblock] $Command) {
    $sw = [System.Diagnostics.Stopwatch]::StartNew()
    $all = [System.Collections.Generic.List[object]]::new()
    try { & $Command 2>&1 3>&1 | ForEach-Object { $all.Add($_) } } catch { $all.Add($_) }
    $errs = @($all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] } | ForEach-Object { ($_.FullyQualifiedErrorId -split ',')[0] })
    $warns = @($all | Where-Object { $_ -is [System.Management.Automation.WarningRecord] } | ForEach-Object { $_.Message.Substring(0, [math]::Min(60, $_.Message.Length)) })
    $objs = @($all | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] -and $_ -isnot [System.Management.Automation.WarningRecord] })
    $what = @()
    if ($errs) { $what += 'error ' + (($errs | Select-Object -Unique) -join '+') }
    if ($warns) { $what += 'warning "' + ($warns[0]) + '"' }
    $what += "$($objs.Count) object(s)"
    "RESULT $($what -join '; ') in $([math]::Round($sw.Elapsed.TotalSeconds, 1)) s"
}
'@

$cases = [ordered]@{
    'stopped: Get-GcProcess'           = { $f = Start-Fx gc; kill -STOP $f.Id; Report { Get-GcProcess } }
    'stopped: Get-GcProcess -Id'       = { $f = Start-Fx gc; kill -STOP $f.Id; Report { Get-GcProcess -Id $f.Id } }
    'stopped: Get-GcPause -Id'         = { $f = Start-Fx gc; kill -STOP $f.Id; Report { Get-GcPause -Id $f.Id -Duration 00:00:03 } }
    'stopped: Get-GcSetting -Id'       = { $f = Start-Fx gc; kill -STOP $f.Id; Report { Get-GcSetting -Id $f.Id } }
    'stopped: Save-GcDump'             = { $f = Start-Fx gc; kill -STOP $f.Id; Report { Save-GcDump -Id $f.Id -Path (Join-Path $Work 's.dmp') -Type Mini } }
    'stopped: Get-GcAllocation'        = { $f = Start-Fx gc; kill -STOP $f.Id; Report { Get-GcAllocation -Id $f.Id -Duration 00:00:03 } }
    'silent socket: Get-GcProcess'     = { $s = Sleeper; $x = Silent "/tmp/dotnet-diagnostic-$($s.Id)-$(Key $s.Id)-socket"; Report { Get-GcProcess } }
    'silent socket: Get-GcProcess -Id' = { $s = Sleeper; $x = Silent "/tmp/dotnet-diagnostic-$($s.Id)-$(Key $s.Id)-socket"; Report { Get-GcProcess -Id $s.Id } }
    'silent socket: Get-GcPause'       = { $s = Sleeper; $x = Silent "/tmp/dotnet-diagnostic-$($s.Id)-$(Key $s.Id)-socket"; Report { Get-GcPause -Id $s.Id -Duration 00:00:03 } }
    'silent socket: Measure-GcPause'   = { $s = Sleeper; $x = Silent "/tmp/dotnet-diagnostic-$($s.Id)-$(Key $s.Id)-socket"; Report { Measure-GcPause -Id $s.Id -Duration 00:00:03 } }
    'silent socket: Watch-GcPause'     = { $s = Sleeper; $x = Silent "/tmp/dotnet-diagnostic-$($s.Id)-$(Key $s.Id)-socket"; Report { Watch-GcPause -Id $s.Id -ThresholdMs 0 -Duration 00:00:03 } }
    'silent socket: Get-GcSetting'     = { $s = Sleeper; $x = Silent "/tmp/dotnet-diagnostic-$($s.Id)-$(Key $s.Id)-socket"; Report { Get-GcSetting -Id $s.Id } }
    'silent socket: Get-GcAllocation'  = { $s = Sleeper; $x = Silent "/tmp/dotnet-diagnostic-$($s.Id)-$(Key $s.Id)-socket"; Report { Get-GcAllocation -Id $s.Id -Duration 00:00:03 } }
    'silent socket: Save-GcDump'       = { $s = Sleeper; $x = Silent "/tmp/dotnet-diagnostic-$($s.Id)-$(Key $s.Id)-socket"; Report { Save-GcDump -Id $s.Id -Path (Join-Path $Work 'x.dmp') -Type Mini } }
    'silent socket: Invoke-GcTriage'   = { $s = Sleeper; $x = Silent "/tmp/dotnet-diagnostic-$($s.Id)-$(Key $s.Id)-socket"; Report { Invoke-GcTriage -ProcessId $s.Id -OutputDirectory (Join-Path $Work 'triage') } }
    'wrong key: Get-GcPause'           = { $f = Start-Fx gc; $x = Silent "/tmp/dotnet-diagnostic-$($f.Id)-1-socket"; Report { Get-GcPause -Id $f.Id -Duration 00:00:02 } }
    'wrong key: Get-GcSetting'         = { $f = Start-Fx gc; $x = Silent "/tmp/dotnet-diagnostic-$($f.Id)-1-socket"; Report { Get-GcSetting -Id $f.Id } }
    'wrong key: Save-GcDump'           = { $f = Start-Fx gc; $x = Silent "/tmp/dotnet-diagnostic-$($f.Id)-1-socket"; Report { Save-GcDump -Id $f.Id -Path (Join-Path $Work 'k.dmp') -Type Mini } }
    'killed during Get-GcPause'        = { $f = Start-Fx gc; Send $f 'tick 50 gen0 1'; Send $f 'dieafter 1500'; Report { Get-GcPause -Id $f.Id -Duration 00:00:20 } }
    'killed during Measure-GcPause -Id' = { $f = Start-Fx gc; Send $f 'tick 50 gen0 1'; Send $f 'dieafter 1500'; Report { Measure-GcPause -Id $f.Id -Duration 00:00:20 } }
    'killed during Save-GcDump'        = {
        $f = Start-Fx heap
        $psi = [System.Diagnostics.ProcessStartInfo]::new('sh'); $psi.ArgumentList.Add('-c')
        $psi.ArgumentList.Add("i=0; while [ `$i -lt 500 ] && ! grep -qs '^createdump' /proc/[0-9]*/comm; do i=`$((i+1)); sleep 0.01; done; kill -9 $($f.Id)")
        $k = [System.Diagnostics.Process]::Start($psi)
        Report { Save-GcDump -Id $f.Id -Path (Join-Path $Work 'killed.dmp') -Type Full }
    }
    'exits as Get-GcSetting starts'    = { $f = Start-Fx gc; Send $f 'dieafter 150'; Start-Sleep -Milliseconds 120; Report { Get-GcSetting -Id $f.Id } }
    'Watch-GcPause -Duration 3 s, 20 s action' = { $f = Start-Fx gc; Send $f 'tick 200 gen0 1'; Report { Watch-GcPause -Id $f.Id -ThresholdMs 0 -Duration 00:00:03 -Action { Start-Sleep 20 } } }
    'Get-GcAllocation -OutFile missing folder' = { $f = Start-Fx alloc; Report { Get-GcAllocation -Id $f.Id -Duration 00:00:10 -OutFile (Join-Path $Work 'no/a.nettrace') } }
    'Get-GcAllocation -OutFile full disk' = {
        $m = Join-Path $Work 'tiny'; $null = New-Item -ItemType Directory $m; mount -t tmpfs -o size=1m tmpfs $m
        try { $f = Start-Fx alloc; Report { Get-GcAllocation -Id $f.Id -Duration 00:00:10 -IncludeStack -OutFile (Join-Path $m 'a.nettrace') } }
        finally { umount -l $m }
    }
    'root: Save-GcDump of a nobody process' = {
        $f = Start-Fx heap -Prefix 'runuser', '-u', 'nobody', '--', 'env', 'TMPDIR=/tmp', 'DOTNET_CLI_HOME=/tmp'
        Report { Save-GcDump -Id $f.Id -Path (Join-Path $Work 'nobody.dmp') -Type Mini }
    }
    'Ctrl+C: Get-GcPause, running target' = {
        $f = Start-Fx gc; Send $f 'tick 50 gen0 1'
        $ps = [powershell]::Create().AddScript("Import-Module '$Module'; Get-GcPause -Id $($f.Id)"); $h = $ps.BeginInvoke(); Start-Sleep 3
        $state = $ps.InvocationStateInfo.State; $sw = [System.Diagnostics.Stopwatch]::StartNew(); $ps.Stop(); "RESULT $state, stopped in $([math]::Round($sw.Elapsed.TotalSeconds, 2)) s"
    }
    'Ctrl+C: Get-GcPause, target stopped mid-session' = {
        $f = Start-Fx gc; Send $f 'tick 50 gen0 1'
        $ps = [powershell]::Create().AddScript("Import-Module '$Module'; Get-GcPause -Id $($f.Id)"); $h = $ps.BeginInvoke(); Start-Sleep 3; kill -STOP $f.Id; Start-Sleep 1
        $state = $ps.InvocationStateInfo.State; $sw = [System.Diagnostics.Stopwatch]::StartNew(); $ps.Stop(); "RESULT $state, stopped in $([math]::Round($sw.Elapsed.TotalSeconds, 2)) s"
    }
    'Ctrl+C: Get-GcAllocation, running target' = {
        $f = Start-Fx alloc
        $ps = [powershell]::Create().AddScript("Import-Module '$Module'; Get-GcAllocation -Id $($f.Id) -Duration 00:00:30"); $h = $ps.BeginInvoke(); Start-Sleep 3
        $state = $ps.InvocationStateInfo.State; $sw = [System.Diagnostics.Stopwatch]::StartNew(); $ps.Stop(); "RESULT $state, stopped in $([math]::Round($sw.Elapsed.TotalSeconds, 2)) s"
    }
}

$pwshCommand = @(Get-PwshCommand)
$pwsh = $pwshCommand[0]
$pre = @($pwshCommand | Select-Object -Skip 1)
try {
    foreach ($name in $cases.Keys) {
        if ($Case -and -not ($Case | Where-Object { $name -like $_ })) { continue }
        $file = Join-Path $work 'case.ps1'
        Set-Content $file ($prelude + "`n" + $cases[$name].ToString())
        $psi = [System.Diagnostics.ProcessStartInfo]::new($pwsh)
        foreach ($a in $pre + @('-NoProfile', '-NonInteractive', '-File', $file, $Module, $Fixture, $work)) { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardOutput = $true; $psi.UseShellExecute = $false
        $sw = [System.Diagnostics.Stopwatch]::StartNew()
        $child = [System.Diagnostics.Process]::Start($psi)
        $out = $child.StandardOutput.ReadToEndAsync()
        $result = if ($child.WaitForExit($LimitSeconds * 1000)) {
            $line = @($out.Result -split "`n" | Where-Object { $_ -like 'RESULT *' } | Select-Object -Last 1)
            if ($line) { $line[0].Substring(7).Trim() } else { "no result (exit $($child.ExitCode))" }
        }
        else { $child.Kill($true); "HANG: still running after $LimitSeconds s (killed)" }
        foreach ($id in @(Get-Content (Join-Path $work 'pids.txt') -ErrorAction Ignore)) { kill -CONT $id 2>$null; kill -9 $id 2>$null }
        Remove-Item (Join-Path $work 'pids.txt') -ErrorAction Ignore
        foreach ($path in @(Get-Content (Join-Path $work 'paths.txt') -ErrorAction Ignore)) { Remove-Item -LiteralPath $path -ErrorAction Ignore }
        Remove-Item (Join-Path $work 'paths.txt') -ErrorAction Ignore
        '| {0} | {1} |' -f $name, $result
        $child.Dispose()
    }
}
finally { Remove-Item -Recurse -Force $work -ErrorAction Ignore }
