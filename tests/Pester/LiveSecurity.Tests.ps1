# Issue 13, the live-process rules, staged for real: a SIGSTOPped fixture, a socket that accepts and never answers, a socket
# whose key is not the process's start time, targets killed mid-command, a long -Action under -Duration, an unwritable
# -OutFile folder, and root dumping another user's process. Each case gets the module's own ErrorId, and leaves no socket open.
BeforeDiscovery {
    # The nine live commands, each against process $id, writing (if anything) into $Dir/live.dmp or $Dir/live-triage.
    $LiveCommands = @(
        @{ Name = 'Get-GcPause'; Command = { param($id) Get-GcPause -Id $id -Duration 00:00:02 } }
        @{ Name = 'Measure-GcPause'; Command = { param($id) Measure-GcPause -Id $id -Duration 00:00:02 } }
        @{ Name = 'Watch-GcPause'; Command = { param($id) Watch-GcPause -Id $id -ThresholdMs 0 -Duration 00:00:02 } }
        @{ Name = 'Get-GcSetting'; Command = { param($id) Get-GcSetting -Id $id } }
        @{ Name = 'Get-GcAllocation'; Command = { param($id) Get-GcAllocation -Id $id -Duration 00:00:02 } }
        @{ Name = 'Save-GcDump'; Command = { param($id) Save-GcDump -Id $id -Path (Join-Path $Dir 'live.dmp') -Type Mini } }
        @{ Name = 'Invoke-GcTriage'; Command = { param($id) Invoke-GcTriage -ProcessId $id -OutputDirectory (Join-Path $Dir 'live-triage') } }
        @{ Name = 'Get-GcProcess -Id'; Command = { param($id) Get-GcProcess -Id $id } }
    )
}

BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-GcTriageUnderTest
    $script:Dir = New-GcTempDirectory

    function script:Get-StartTimeKey([int] $ProcessId) {
        $stat = Get-Content -Raw "/proc/$ProcessId/stat"
        ($stat.Substring($stat.LastIndexOf(')') + 2) -split ' ')[19]
    }

    # Sockets this process holds open: a command that leaves one open makes the count grow.
    function script:Get-OpenFdCount {
        @(Get-ChildItem /proc/self/fd -ErrorAction SilentlyContinue | Where-Object { $_.LinkTarget -like 'socket:*' }).Count
    }

    # A Unix socket listening at $Path that never accepts: the kernel completes connections into its backlog, nobody answers.
    function script:New-SilentSocket([string] $Path) {
        $s = [System.Net.Sockets.Socket]::new([System.Net.Sockets.AddressFamily]::Unix, [System.Net.Sockets.SocketType]::Stream, [System.Net.Sockets.ProtocolType]::Unspecified)
        $s.Bind([System.Net.Sockets.UnixDomainSocketEndPoint]::new($Path))
        $s.Listen(16)
        $s
    }

    # Runs $Command; returns what it wrote, its errors (terminating or not) and its warnings, apart.
    # Runs one live command against $Id: it must fail with $ErrorId, write no dump and leave no socket open. Returns the error.
    function script:Assert-LiveFailure([scriptblock] $Command, [int] $Id, [string] $ErrorId) {
        $before = Get-OpenFdCount
        $err = @((Invoke-Caught $Command $Id).Errors)
        $err.Count | Should -BeGreaterThan 0
        $err[0].FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
        Join-Path $Dir 'live.dmp' | Should -Not -Exist
        Get-OpenFdCount | Should -BeLessOrEqual $before
        $err[0]
    }

    function script:Invoke-Caught([scriptblock] $Command, [object[]] $ArgumentList = @()) {
        $all = [System.Collections.Generic.List[object]]::new()
        try { & $Command @ArgumentList 2>&1 3>&1 | ForEach-Object { $all.Add($_) } }
        catch { $all.Add($_) }
        [pscustomobject]@{
            Output   = @($all | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] -and $_ -isnot [System.Management.Automation.WarningRecord] })
            Errors   = @($all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
            Warnings = @($all | Where-Object { $_ -is [System.Management.Automation.WarningRecord] } | ForEach-Object Message)
        }
    }
}

AfterAll { Remove-GcTempDirectory $Dir }

Describe 'A SIGSTOPped .NET process' -Skip:(-not $IsLinux) {
    BeforeAll {
        $script:Stopped = Start-GcFixture -Mode gc
        & kill -STOP $Stopped.Id
    }
    AfterAll {
        & kill -CONT $Stopped.Id
        Stop-GcFixture $Stopped
    }

    It 'gives ProcessStopped to <Name>' -TestCases $LiveCommands {
        param($Name, $Command)
        $null = Assert-LiveFailure $Command $Stopped.Id 'ProcessStopped'
    }

    It 'is listed by plain Get-GcProcess from /proc, with a warning, and the others still are' {
        $other = Start-GcFixture -Mode gc
        try {
            $r = Invoke-Caught { Get-GcProcess }
            $list = $r.Output; $warn = $r.Warnings
            $list.ProcessId | Should -Contain $Stopped.Id
            $list.ProcessId | Should -Contain $other.Id
            ($list | Where-Object ProcessId -EQ $Stopped.Id).CommandLine | Should -BeLike '*GcTriage.Fixture.dll gc*'
            @($warn) -match "Process $($Stopped.Id) .*stopped" | Should -Not -BeNullOrEmpty
        }
        finally { Stop-GcFixture $other }
    }
}

Describe 'A diagnostics socket that accepts and never answers' -Skip:(-not $IsLinux) {
    BeforeAll {
        # A real process (sleep) and a socket named as its runtime's would be, with its true start time as the key.
        $script:Sleep = Start-NonDotNetProcess
        $script:SilentPath = Join-Path ([System.IO.Path]::GetTempPath()) "dotnet-diagnostic-$($Sleep.Id)-$(Get-StartTimeKey $Sleep.Id)-socket"
        $script:Silent = New-SilentSocket $SilentPath
    }
    AfterAll {
        $Silent.Dispose()
        Remove-Item -LiteralPath $SilentPath -ErrorAction SilentlyContinue
        $Sleep.Kill(); $Sleep.Dispose()
    }

    It 'gives DiagnosticsTimeout naming what was waited for, to <Name>' -TestCases $LiveCommands {
        param($Name, $Command)
        $err = Assert-LiveFailure $Command $Sleep.Id 'DiagnosticsTimeout'
        $err.CategoryInfo.Category | Should -Be 'OperationTimeout'
        $err.Exception.Message | Should -BeLike '*ProcessInfo request*'
    }

    It 'keeps plain Get-GcProcess going: the process is left out with a warning naming the wait' {
        $other = Start-GcFixture -Mode gc
        try {
            $r = Invoke-Caught { Get-GcProcess }
            @($r.Output | Where-Object ProcessId -EQ $Sleep.Id).Count | Should -Be 0
            $r.Output.ProcessId | Should -Contain $other.Id
            @($r.Warnings) -match "Process $($Sleep.Id).*ProcessInfo request" | Should -Not -BeNullOrEmpty
        }
        finally { Stop-GcFixture $other }
    }
}

Describe 'A socket whose key is not the process start time' -Skip:(-not $IsLinux) {
    It 'is refused by <Name> with DiagnosticsSocketMismatch, even beside the real one' -TestCases @(
        @{ Name = 'Get-GcPause'; Command = { param($id) Get-GcPause -Id $id -Duration 00:00:01 } }
        @{ Name = 'Get-GcSetting'; Command = { param($id) Get-GcSetting -Id $id } }
        @{ Name = 'Save-GcDump'; Command = { param($id) Save-GcDump -Id $id -Path (Join-Path $Dir 'wrongkey.dmp') -Type Mini } }
        @{ Name = 'Get-GcAllocation'; Command = { param($id) Get-GcAllocation -Id $id -Duration 00:00:01 } }
    ) {
        param($Name, $Command)
        $f = Start-GcFixture -Mode gc
        # Newer than the runtime's own socket, so NETCore.Client would pick it: a planted listener that never answers.
        $path = Join-Path ([System.IO.Path]::GetTempPath()) "dotnet-diagnostic-$($f.Id)-1-socket"
        $planted = New-SilentSocket $path
        try {
            $err = (Invoke-Caught $Command $f.Id).Errors
            @($err)[0].FullyQualifiedErrorId | Should -BeLike 'DiagnosticsSocketMismatch*'
            @($err)[0].TargetObject | Should -Be $path
            Join-Path $Dir 'wrongkey.dmp' | Should -Not -Exist
        }
        finally {
            $planted.Dispose(); Remove-Item -LiteralPath $path -ErrorAction SilentlyContinue
            Stop-GcFixture $f
        }
    }
}

Describe 'A target killed during a command' -Skip:(-not $IsLinux) {
    It 'Get-GcPause ends with the documented "exited" warning and the pauses so far' {
        $f = Start-GcFixture -Mode gc
        try {
            $f.Send('tick 50 gen0 1'); $f.Send('dieafter 1500'); $null = $f.WaitFor('DYING', 10)
            $r = Invoke-Caught { Get-GcPause -Id $f.Id -Duration 00:00:30 }
            @($r.Errors).Count | Should -Be 0
            $r.Output.Count | Should -BeGreaterThan 0
            @($r.Warnings) -match "Process $($f.Id) exited during the session; $($r.Output.Count) GC" | Should -Not -BeNullOrEmpty
        }
        finally { Stop-GcFixture $f }
    }

    It 'Measure-GcPause -Id keeps its summary' {
        $f = Start-GcFixture -Mode gc
        try {
            $f.Send('tick 50 gen0 1'); $f.Send('dieafter 1500'); $null = $f.WaitFor('DYING', 10)
            $r = Invoke-Caught { Measure-GcPause -Id $f.Id -Duration 00:00:30 }
            @($r.Errors).Count | Should -Be 0
            $r.Output.Count | Should -Be 1
            $r.Output[0].Count | Should -BeGreaterThan 0
        }
        finally { Stop-GcFixture $f }
    }

    It 'Save-GcDump gives TargetProcessExited and leaves no file or staging folder' {
        $f = Start-GcFixture -Mode heap
        try {
            $path = Join-Path $Dir 'killed.dmp'
            # Killed once its own runtime's createdump is running (a createdump whose parent is the fixture; another test's could
            # still be on the machine), or after 5 s.
            $psi = [System.Diagnostics.ProcessStartInfo]::new('sh')
            $psi.ArgumentList.Add('-c')
            $psi.ArgumentList.Add("fid=$($f.Id); found() { for p in /proc/[0-9]*; do grep -qs '^createdump' `$p/comm && [ `"`$(cut -d' ' -f4 `$p/stat 2>/dev/null)`" = `"`$fid`" ] && return 0; done; return 1; }; i=0; while [ `$i -lt 500 ] && ! found; do i=`$((i+1)); sleep 0.01; done; kill -9 `$fid")
            $killer = [System.Diagnostics.Process]::Start($psi)
            $r = Invoke-Caught { Save-GcDump -Id $f.Id -Path $path -Type Full }
            $null = $killer.WaitForExit(5000)
            if ($r.Output.Count -eq 0) {
                $r.Errors[0].FullyQualifiedErrorId | Should -BeLike 'TargetProcessExited*'
                $path | Should -Not -Exist
            }
            else { Set-ItResult -Inconclusive -Because 'the dump finished before the kill' }
            @(Get-ChildItem -Force $Dir -Filter '.gctriage-*').Count | Should -Be 0
        }
        finally { Stop-GcFixture $f }
    }

    It 'Get-GcSetting on a process that has just exited gives ProcessNotFound or TargetProcessExited' {
        $f = Start-GcFixture -Mode gc
        $id = $f.Id
        $f.Process.Kill()
        $r = Invoke-Caught { Get-GcSetting -Id $id }
        $r.Errors[0].FullyQualifiedErrorId | Should -Match '^(ProcessNotFound|TargetProcessExited),'
        Stop-GcFixture $f
    }
}

Describe 'Watch-GcPause -Duration bounds a running -Action' -Skip:(-not $IsLinux) {
    It 'stops the action at -Duration and says so' {
        $f = Start-GcFixture -Mode gc
        try {
            $f.Send('tick 200 gen0 1')
            $sw = [System.Diagnostics.Stopwatch]::StartNew()
            $r = Invoke-Caught { Watch-GcPause -Id $f.Id -ThresholdMs 0 -Duration 00:00:03 -Action { Start-Sleep 20 } }
            $sw.Stop()
            $r.Output[0].CaptureStatus | Should -Be 'ActionStopped'
            @($r.Warnings) -match 'stopped: -Duration' | Should -Not -BeNullOrEmpty
            $r.Output | Select-Object -Skip 1 | ForEach-Object { $_.CaptureStatus | Should -Be 'ActionSkipped' }
            Write-Host "    Watch-GcPause -Duration 3 s with a 20 s action took $([int]$sw.Elapsed.TotalSeconds) s"
        }
        finally { Stop-GcFixture $f }
    }
}

Describe 'Get-GcAllocation -OutFile where it cannot write' -Skip:(-not $IsLinux) {
    It 'fails with PathNotFound (the file writer''s ErrorId) before sampling (a folder that does not exist, <Name>)' -TestCases @(
        @{ Name = 'no stacks'; Stacks = $false }
        @{ Name = 'with stacks'; Stacks = $true }
    ) {
        param($Name, $Stacks)
        $f = Start-GcFixture -Mode alloc
        try {
            $sw = [System.Diagnostics.Stopwatch]::StartNew()
            $r = Invoke-Caught { Get-GcAllocation -Id $f.Id -Duration 00:00:30 -OutFile (Join-Path $Dir 'missing/a.nettrace') -IncludeStack:$Stacks }
            $r.Errors[0].FullyQualifiedErrorId | Should -BeLike 'PathNotFound,*'
            $sw.Elapsed.TotalSeconds | Should -BeLessThan 30 # it did not sample the 30 s window first
        }
        finally { Stop-GcFixture $f }
    }

    It 'fails with TraceWriteFailed on a full disk (a 1 MB tmpfs)' {
        $mnt = Join-Path $Dir 'tiny'
        $null = New-Item -ItemType Directory $mnt
        & mount -t tmpfs -o size=1m tmpfs $mnt 2>$null
        if ($LASTEXITCODE -ne 0) { Set-ItResult -Skipped -Because 'this machine cannot mount a tmpfs'; return }
        $f = Start-GcFixture -Mode alloc
        try {
            $r = Invoke-Caught { Get-GcAllocation -Id $f.Id -Duration 00:00:20 -OutFile (Join-Path $mnt 'a.nettrace') -IncludeStack }
            $r.Errors[0].FullyQualifiedErrorId | Should -BeLike 'TraceWriteFailed*'
        }
        finally { Stop-GcFixture $f; & umount $mnt }
    }
}

Describe 'Get-GcPause -OutFile on a full disk (a 1 MB tmpfs)' -Skip:(-not $IsLinux) {
    BeforeAll {
        $script:Tiny = Join-Path $Dir 'tiny-pause'
        $null = New-Item -ItemType Directory $Tiny
        & mount -t tmpfs -o size=1m,mode=0700 tmpfs $Tiny 2>$null
        $script:TinyMounted = $LASTEXITCODE -eq 0
        function script:Get-TinyNames { @(Get-ChildItem -LiteralPath $Tiny -Force | ForEach-Object Name | Sort-Object) }
    }
    AfterAll {
        if ($TinyMounted) { & umount $Tiny }
    }
    BeforeEach {
        if (-not $TinyMounted) { Set-ItResult -Skipped -Because 'mount -t tmpfs is not permitted here (it needs root or CAP_SYS_ADMIN)' }
    }
    AfterEach {
        if ($TinyMounted) { Get-ChildItem -LiteralPath $Tiny -Force | Remove-Item -Force }
    }

    It 'filling up <Name>: TraceWriteFailed last (WriteError, naming the file and the disk), the pauses so far kept, no file left, the target still traceable' -TestCases @(
        @{ Name = 'before the first write (0 bytes free)'; FillBlocks = 16; PausesBefore = $false }
        @{ Name = 'during the session (64 KB free)'; FillBlocks = 15; PausesBefore = $true }
    ) {
        param($Name, $FillBlocks, $PausesBefore)
        $filler = Join-Path $Tiny 'filler'
        & dd if=/dev/zero "of=$filler" bs=64k count=$FillBlocks 2>$null
        (Get-Item -LiteralPath $filler).Length | Should -Be ($FillBlocks * 64KB)
        $f = Start-GcFixture -Mode gc
        try {
            $f.Send('tick 20 gen0 1')
            $out = Join-Path $Tiny 'p.nettrace'
            $sw = [System.Diagnostics.Stopwatch]::StartNew()
            $r = Invoke-Caught { Get-GcPause -Id $f.Id -Duration 00:01:00 -OutFile $out }
            $sw.Stop()
            Write-Host "    Get-GcPause -OutFile on a full tmpfs ($Name) ended after $([math]::Round($sw.Elapsed.TotalSeconds, 1)) s with $($r.Output.Count) pauses"
            $sw.Elapsed.TotalSeconds | Should -BeLessThan 60 -Because 'it ended on the failure, not at the end of its -Duration'
            @($r.Errors).Count | Should -Be 1
            $r.Errors[0].FullyQualifiedErrorId | Should -BeLike 'TraceWriteFailed,*'
            $r.Errors[0].CategoryInfo.Category | Should -Be 'WriteError'
            $r.Errors[0].Exception.Message | Should -BeLike "*'$out'*No space left on device*"
            if ($PausesBefore) {
                $r.Output.Count | Should -BeGreaterThan 0 -Because 'the pauses read before the disk filled are written'
                $r.Output[-1] | Should -BeOfType ([GcTriage.GcPause])
            }
            Get-TinyNames | Should -Be @('filler') -Because 'neither the trace nor its temporary file is left'
            $again = @(Get-GcPause -Id $f.Id -Duration 00:00:02)
            $again.Count | Should -BeGreaterThan 0 -Because 'the failed session was stopped: the target and this host go on'
        }
        finally { Stop-GcFixture $f }
    }
}

Describe 'Root dumps another user''s process' -Skip:(-not $IsLinux) {
    It 'Save-GcDump of a fixture run as nobody gives a root-owned 0600 dump' {
        if ((& id -u) -ne '0') { Set-ItResult -Skipped -Because 'it needs root'; return }
        if (-not (Get-Command runuser -ErrorAction Ignore)) { Set-ItResult -Skipped -Because 'runuser is not installed'; return }
        $dll = Get-FixtureDll
        $psi = [System.Diagnostics.ProcessStartInfo]::new('runuser')
        foreach ($a in '-u', 'nobody', '--', 'env', "TMPDIR=$([System.IO.Path]::GetTempPath())", 'DOTNET_CLI_HOME=/tmp', (Get-Command dotnet).Source, $dll, 'heap') { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardInput = $true; $psi.RedirectStandardOutput = $true; $psi.UseShellExecute = $false
        $runner = [System.Diagnostics.Process]::Start($psi)
        try {
            do { $ready = $runner.StandardOutput.ReadLine() } while ($null -ne $ready -and $ready -notlike 'READY *')
            if ($ready -notlike 'READY *') { Set-ItResult -Skipped -Because "the fixture does not start as nobody (it needs a readable build): $ready"; return }
            $id = [int]($ready -split ' ')[1]
            (Get-Content "/proc/$id/status" | Where-Object { $_ -like 'Uid:*' }) | Should -Not -Match "`t0`t"
            $path = Join-Path $Dir 'nobody.dmp'
            $file = Save-GcDump -Id $id -Path $path -Type Mini
            $file.Length | Should -BeGreaterThan 0
            $file.UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite')
            (& stat -c '%u' $path) | Should -Be '0'
            @(Get-ChildItem -Force $Dir -Filter '.gctriage-*').Count | Should -Be 0
        }
        finally {
            try { $runner.StandardInput.WriteLine('exit') } catch { }
            if (-not $runner.WaitForExit(5000)) { $runner.Kill($true) }
            $runner.Dispose()
        }
    }
}
