# Issue 13, the dump side, staged for real: planted DACs (a native library whose constructor writes a marker file), files
# that are not dumps (a FIFO, a device, a folder, /proc), and Close-GcDump racing commands from another runspace.
BeforeDiscovery {
    # What the machine can stage: a C compiler for the planted library, root to hand a folder to nobody.
    $HasGcc = [bool](Get-Command gcc -ErrorAction SilentlyContinue)
    $IsRoot = $IsLinux -and ((id -u) -eq '0')
}

BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-GcTriageUnderTest
    $script:Dir = New-GcTempDirectory
    $script:DumpFile = Save-FixtureDump -Directory $Dir
    $script:RuntimeFolder = [System.Runtime.InteropServices.RuntimeEnvironment]::GetRuntimeDirectory().TrimEnd('/')
    $script:Gcc = Get-Command gcc -ErrorAction SilentlyContinue

    # A shared library whose constructor appends a line to $Marker: proof that it was dlopen'ed.
    function New-PlantedLibrary {
        param([string] $Path, [string] $Marker)
        $c = Join-Path $Dir 'planted.c'
        Set-Content -LiteralPath $c -Value @"
#include <stdio.h>
__attribute__((constructor)) static void planted(void)
{
    FILE *f = fopen("$Marker", "a");
    if (f) { fputs("planted library ran\n", f); fclose(f); }
}
"@
        & $Gcc.Source -shared -fPIC -o $Path $c
        if ($LASTEXITCODE -ne 0) { throw "gcc failed ($LASTEXITCODE)" }
    }

    # The command line of the PowerShell running these tests (the local dotnet tool), to start child sessions with.
    function Get-ChildPwsh {
        $first = [Environment]::GetCommandLineArgs()[0]
        if ($first -like '*.dll') { return @([Environment]::ProcessPath, $first) }
        @([Environment]::ProcessPath)
    }
}

AfterAll { Close-GcDump -All; Remove-GcTempDirectory $Dir }

Describe 'Rule 1: a DAC is loaded only from a trusted place' -Skip:(-not $IsLinux) {
    BeforeAll {
        # A copy of the runtime whose libcoreclr.so has a build-id of its own (one byte changed): a dump of a fixture run on
        # it matches no installed runtime, so the search reaches the folder the dump names, the dump's own folder, and
        # -DacSearchPath, in that order, as it would for a dump from another machine.
        $script:Stage = Join-Path $Dir 'stage'
        $root = Split-Path (Split-Path (Split-Path $RuntimeFolder))
        $version = Split-Path $RuntimeFolder -Leaf
        $script:Rt = Join-Path $Stage 'rt'
        $script:RtFolder = Join-Path $Rt "shared/Microsoft.NETCore.App/$version"
        $null = New-Item -ItemType Directory -Path (Split-Path $RtFolder) -Force
        Copy-Item -LiteralPath (Join-Path $root 'dotnet') -Destination $Rt
        Copy-Item -LiteralPath (Join-Path $root 'host') -Destination $Rt -Recurse
        Copy-Item -LiteralPath $RuntimeFolder -Destination $RtFolder -Recurse
        $coreclr = Join-Path $RtFolder 'libcoreclr.so'
        $id = (& readelf -n $coreclr | Select-String 'Build ID: ([0-9a-f]+)').Matches[0].Groups[1].Value
        $bytes = [IO.File]::ReadAllBytes($coreclr)
        $at = [Convert]::ToHexString($bytes).ToLowerInvariant().IndexOf($id)
        $at % 2 | Should -Be 0
        $bytes[$at / 2 + $id.Length / 2 - 1] = $bytes[$at / 2 + $id.Length / 2 - 1] -bxor 0xff
        [IO.File]::WriteAllBytes($coreclr, $bytes)
        $script:PatchedId = (& readelf -n $coreclr | Select-String 'Build ID: ([0-9a-f]+)').Matches[0].Groups[1].Value
        $PatchedId | Should -Not -Be $id

        $script:StagedDump = Save-FixtureDump -Directory $Stage -Name 'staged.dmp' -DotnetHost (Join-Path $Rt 'dotnet')

        # Where the real DAC is kept for the open to succeed: root's own 0755 folder (the real DAC and the patched runtime).
        $script:Trusted = Join-Path $Stage 'trusted'
        $null = New-Item -ItemType Directory -Path $Trusted
        Copy-Item -LiteralPath (Join-Path $RuntimeFolder 'libmscordaccore.so') -Destination $Trusted
        Copy-Item -LiteralPath $coreclr -Destination $Trusted
        chmod 0755 $Stage $Trusted

        # As for a dump from another machine: the runtime folder it names does not exist here.
        function script:Hide-StagedRuntime { Move-Item -LiteralPath $RtFolder -Destination "$RtFolder.away" }
        function script:Show-StagedRuntime { if (Test-Path -LiteralPath "$RtFolder.away") { Move-Item -LiteralPath "$RtFolder.away" -Destination $RtFolder } }
    }

    BeforeEach { $script:Marker = Join-Path $Dir ("marker-" + [guid]::NewGuid().ToString('N')) }

    It 'does not load a DAC planted in the runtime folder the dump names when others can write that folder' -Skip:(-not $HasGcc) {
        $real = Join-Path $RtFolder 'libmscordaccore.so'
        Move-Item -LiteralPath $real -Destination "$real.real"
        try {
            New-PlantedLibrary -Path $real -Marker $Marker
            chmod 0777 $RtFolder
            $d = Open-GcDump $StagedDump.FullName -DacSearchPath $Trusted -Verbose 4>&1 | Tee-Object -Variable all | Where-Object { $_ -is [GcTriage.GcDump] }
            try {
                Test-Path -LiteralPath $Marker | Should -BeFalse -Because 'the planted constructor must never run'
                $d | Should -Not -BeNullOrEmpty
                $d.Dac.Source | Should -Be 'SearchPath'
                $d.Dac.DacPath | Should -Be (Join-Path $Trusted 'libmscordaccore.so')
                $verbose = ($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message
                $verbose | Should -Contain "DAC rejected: $real [RuntimeFolder]: not trusted: its folder '$RtFolder' is writable by others (mode 777)"
                (Get-GcHeapStat -Dump $d -TypeName 'GcTriage.Fixture.Widget').Count | Should -Be 1000
            }
            finally { if ($d) { Close-GcDump $d } }
        }
        finally {
            chmod 0755 $RtFolder
            Remove-Item -LiteralPath $real -Force
            Move-Item -LiteralPath "$real.real" -Destination $real
        }
    }

    It 'does not load a DAC planted beside the dump in a folder owned by nobody, nor one that is itself writable by others' -Skip:(-not $HasGcc -or -not $IsRoot) {
        $evil = Join-Path $Stage 'evil'
        $null = New-Item -ItemType Directory -Path $evil
        try {
            Copy-Item -LiteralPath $StagedDump.FullName -Destination $evil
            Copy-Item -LiteralPath (Join-Path $RtFolder 'libcoreclr.so') -Destination $evil
            Hide-StagedRuntime
            $planted = Join-Path $evil 'libmscordaccore.so'
            New-PlantedLibrary -Path $planted -Marker $Marker
            chmod 0755 $evil
            chown nobody $evil
            $dump = Join-Path $evil 'staged.dmp'

            $d = Open-GcDump $dump -DacSearchPath $Trusted -Verbose 4>&1 | Tee-Object -Variable all | Where-Object { $_ -is [GcTriage.GcDump] }
            try {
                Test-Path -LiteralPath $Marker | Should -BeFalse -Because 'the planted constructor must never run'
                $d.Dac.Source | Should -Be 'SearchPath'
                $verbose = ($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message
                $verbose | Should -Contain "DAC rejected: $planted [DumpFolder]: not trusted: its folder '$evil' is owned by uid $((id -u nobody)), neither root nor the current user"
            }
            finally { if ($d) { Close-GcDump $d } }

            # The folder back to root, the file itself writable by others.
            chown root $evil
            chmod 0666 $planted
            $d = Open-GcDump $dump -DacSearchPath $Trusted -Verbose 4>&1 | Tee-Object -Variable all | Where-Object { $_ -is [GcTriage.GcDump] }
            try {
                Test-Path -LiteralPath $Marker | Should -BeFalse
                ($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message |
                    Should -Contain "DAC rejected: $planted [DumpFolder]: not trusted: the file '$planted' is writable by others (mode 666)"
            }
            finally { if ($d) { Close-GcDump $d } }
        }
        finally { Show-StagedRuntime; chown -R root $evil; Remove-Item -LiteralPath $evil -Recurse -Force }
    }

    It 'names -DacPath in the error when every candidate is rejected' -Skip:(-not $HasGcc) {
        $lonely = Join-Path $Stage 'lonely'
        $null = New-Item -ItemType Directory -Path $lonely
        try {
            Copy-Item -LiteralPath $StagedDump.FullName -Destination $lonely
            Copy-Item -LiteralPath (Join-Path $RtFolder 'libcoreclr.so') -Destination $lonely
            New-PlantedLibrary -Path (Join-Path $lonely 'libmscordaccore.so') -Marker $Marker
            chmod 0777 $lonely
            Hide-StagedRuntime
            Open-GcDump (Join-Path $lonely 'staged.dmp') -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            Test-Path -LiteralPath $Marker | Should -BeFalse
            $err[0].FullyQualifiedErrorId | Should -BeLike 'DacNotFound,*'
            $err[0].Exception.Message | Should -BeLike '*not trusted*'
            $err[0].Exception.Message | Should -BeLike '*-DacPath*'
        }
        finally { Show-StagedRuntime; chmod 0755 $lonely; Remove-Item -LiteralPath $lonely -Recurse -Force }
    }

    It 'does not load the DAC of a live process whose runtime folder others can write (Get-GcSetting -ProcessId)' -Skip:(-not $HasGcc) {
        $fixture = Start-GcFixture -Mode heap -DotnetHost (Join-Path $Rt 'dotnet')
        $real = Join-Path $RtFolder 'libmscordaccore.so'
        try {
            # Planted after the process started (the runtime itself never loads its DAC; a diagnostics tool does).
            Move-Item -LiteralPath $real -Destination "$real.real"
            New-PlantedLibrary -Path $real -Marker $Marker
            chmod 0777 $RtFolder
            $setting = Get-GcSetting -ProcessId $fixture.Id -WarningVariable warn -WarningAction SilentlyContinue
            Test-Path -LiteralPath $Marker | Should -BeFalse -Because 'the planted constructor must never run'
            $setting.ProcessId | Should -Be $fixture.Id
            @($warn | ForEach-Object { "$_" } | Where-Object { $_ -like "Process $($fixture.Id): The GC globals could not be read*The DAC '$real' is not loaded: its folder '$RtFolder' is writable by others (mode 777).*" }).Count |
                Should -Be 1 -Because ($warn -join "`n")
        }
        finally {
            chmod 0755 $RtFolder
            if (Test-Path -LiteralPath "$real.real") { Remove-Item -LiteralPath $real -Force; Move-Item -LiteralPath "$real.real" -Destination $real }
            Stop-GcFixture $fixture
        }
    }

    It 'loads an explicit -DacPath that others could have written, with a warning' {
        $open = Join-Path $Stage 'open'
        $null = New-Item -ItemType Directory -Path $open
        try {
            $dac = Join-Path $open 'libmscordaccore.so'
            Copy-Item -LiteralPath (Join-Path $RuntimeFolder 'libmscordaccore.so') -Destination $dac
            chmod 0777 $open
            $d = Open-GcDump $StagedDump.FullName -DacPath $dac -WarningVariable warn -WarningAction SilentlyContinue
            try {
                $d.Dac.Source | Should -Be 'DacPath'
                @($warn).Count | Should -Be 1
                "$($warn[0])" | Should -Be "-DacPath '$dac' is loaded as given, but others could have written it: its folder '$open' is writable by others (mode 777)."
            }
            finally { if ($d) { Close-GcDump $d } }

            chmod 0755 $open
            $d = Open-GcDump $StagedDump.FullName -DacPath $dac -WarningVariable quiet -WarningAction SilentlyContinue
            try { @($quiet).Count | Should -Be 0 } finally { if ($d) { Close-GcDump $d } }
        }
        finally { Remove-Item -LiteralPath $open -Recurse -Force }
    }
}

Describe 'Rule 4: only regular files are opened as dumps' -Skip:(-not $IsLinux) {
    It 'refuses <Name> at once with DumpNotRegularFile' -ForEach @(
        @{ Name = 'a FIFO'; Make = { $p = Join-Path $Dir 'pipe.dmp'; if (-not (Test-Path $p)) { mkfifo $p }; $p }; What = 'a FIFO (named pipe)' }
        @{ Name = 'a device'; Make = { '/dev/null' }; What = 'a character device' }
        @{ Name = 'a folder'; Make = { $Dir }; What = 'a directory' }
        @{ Name = 'a file under /proc'; Make = { '/proc/self/environ' }; What = 'a file under /proc (a kernel interface)' }
        @{ Name = 'a link to a file under /proc'; Make = { $l = Join-Path $Dir 'proc.dmp'; if (-not (Test-Path $l)) { $null = New-Item -ItemType SymbolicLink -Path $l -Target '/proc/self/maps' }; $l }; What = 'a file under /proc (a kernel interface)' }
    ) {
        $path = & $Make
        # In a runspace of its own, so that a hang (the FIFO, before) fails this test instead of stopping the run.
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$(Join-Path (Get-RepoRoot) 'GcTriage.psd1')'; Open-GcDump -Path `$args[0] -ErrorVariable e -ErrorAction SilentlyContinue; `$e").AddArgument($path)
            $async = $ps.BeginInvoke()
            $done = $async.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds(60))
            if (-not $done -and $Name -eq 'a FIFO') {
                # Blocked in open(2) on the FIFO: open its other end so that the reader gets EOF and the runspace can end.
                [IO.File]::OpenWrite($path).Dispose()
            }
            $done | Should -BeTrue -Because 'opening it must not hang'
            $errors = @($ps.EndInvoke($async))
        }
        finally { $ps.Stop(); $ps.Dispose() }
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'DumpNotRegularFile,*'
        $errors[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $errors[0].Exception.Message | Should -BeLike "*is $What, not a dump file*"
    }
}

Describe 'Rule 5: Close-GcDump from another runspace never pulls the DAC from under a command' {
    It 'survives 100 races of Close-GcDump against Get-GcHeapStat, Get-GcHeapStat -Live and Get-GcDictionary' {
        # In a child pwsh: a crash (the DAC unloaded under a reader) ends that process, not this test run.
        $script = @'
param($module, $dump, $rounds)
Import-Module $module
$iss = [System.Management.Automation.Runspaces.InitialSessionState]::CreateDefault()
$iss.ImportPSModule($module)
$reader = [powershell]::Create($iss)
$closer = [powershell]::Create($iss)
$commands = @(
    { param($d) Get-GcHeapStat -Dump $d }
    { param($d) Get-GcHeapStat -Dump $d -Live }
    { param($d) Get-GcDictionary -Dump $d }
)
$outcomes = @{}
$rng = [Random]::new(13)
for ($i = 0; $i -lt $rounds; $i++) {
    $d = Open-GcDump $dump
    $reader.Commands.Clear(); $reader.Streams.Error.Clear()
    $null = $reader.AddScript($commands[$i % 3]).AddArgument($d)
    $closer.Commands.Clear()
    $null = $closer.AddScript('param($d, $ms) Start-Sleep -Milliseconds $ms; Close-GcDump $d').AddArgument($d).AddArgument($rng.Next(0, 200))
    $r = $reader.BeginInvoke()
    $c = $closer.BeginInvoke()
    $results = $null
    $outcome = try {
        $results = $reader.EndInvoke($r)
        if ($reader.Streams.Error.Count -gt 0) { ($reader.Streams.Error | ForEach-Object { $_.FullyQualifiedErrorId.Split(',')[0] } | Sort-Object -Unique) -join '+' }
        elseif ($results.Count -gt 0) { 'Result' }
        else { 'Nothing' }
    }
    catch { 'Terminating:' + $_.Exception.InnerException.ErrorRecord.FullyQualifiedErrorId }
    $null = $closer.EndInvoke($c)
    $outcomes[$outcome] = 1 + [int]$outcomes[$outcome]
    if ($d.IsOpen) { Close-GcDump $d }
}
$outcomes.GetEnumerator() | ForEach-Object { "OUTCOME $($_.Key) $($_.Value)" }
'SURVIVED'
'@
        $file = Join-Path $Dir 'race.ps1'
        Set-Content -LiteralPath $file -Value $script
        $pwsh = Get-ChildPwsh
        $exe = $pwsh[0]
        $pre = @($pwsh | Select-Object -Skip 1)
        $out = & $exe @pre -NoProfile -NonInteractive -File $file (Join-Path (Get-RepoRoot) 'GcTriage.psd1') $DumpFile.FullName 100 2>&1
        $code = $LASTEXITCODE
        $text = ($out | ForEach-Object { "$_" })
        $code | Should -Be 0 -Because ($text -join "`n")
        $text | Should -Contain 'SURVIVED'
        $outcomes = @{}
        foreach ($line in $text | Where-Object { $_ -like 'OUTCOME *' }) {
            $null, $name, $count = $line -split ' '
            $outcomes[$name] = [int]$count
        }
        ($outcomes.Values | Measure-Object -Sum).Sum | Should -Be 100
        foreach ($name in $outcomes.Keys) {
            $name | Should -BeIn @('Result', 'DumpClosed') -Because ($text -join "`n")
        }
        Write-Host "race outcomes: $(($outcomes.GetEnumerator() | Sort-Object Key | ForEach-Object { "$($_.Key)=$($_.Value)" }) -join ', ')"
        $outcomes['DumpClosed'] | Should -BeGreaterThan 0 -Because 'some closes must land during a command'
    }

    It 'gives DumpClosed to a command started after Close-GcDump' {
        $d = Open-GcDump $DumpFile.FullName
        Close-GcDump $d
        Get-GcHeapStat -Dump $d -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DumpClosed,*'
    }
}

Describe 'A dump this user cannot read (run as nobody on a root-owned 0600 dump)' {
    BeforeAll {
        $script:Nobody = $null
        $why = if (-not $IsLinux) { 'it needs Linux' }
        elseif ((id -u) -ne '0') { 'it needs root, to run the module as nobody' }
        elseif (-not (Get-Command runuser -ErrorAction Ignore)) { 'runuser is not installed' }
        if ($why) { $script:NobodySkip = $why; return }

        # Everything nobody runs is copied into a root-owned 0755 folder nobody can read (the repository and the PowerShell
        # tool may sit under a 0700 home): PowerShell itself, the built module, a home and a temp folder of nobody's, the script.
        $script:Stage = Join-Path '/tmp' ('gctriage-asnobody-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
        $null = [System.IO.Directory]::CreateDirectory($Stage, [System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute, GroupRead, GroupExecute, OtherRead, OtherExecute')
        Copy-Item -LiteralPath $PSHOME -Destination (Join-Path $Stage 'pwsh') -Recurse
        $moduleCopy = Join-Path $Stage 'GcTriage'
        $null = New-Item -ItemType Directory $moduleCopy
        Copy-Item -LiteralPath (Join-Path (Get-RepoRoot) 'GcTriage.psd1') -Destination $moduleCopy
        Copy-Item -LiteralPath (Join-Path (Get-RepoRoot) 'module') -Destination $moduleCopy -Recurse
        $script:NobodyHome = Join-Path $Stage 'home'
        $null = New-Item -ItemType Directory $NobodyHome
        chown nobody $NobodyHome
        chmod -R go+rX $Stage

        # The dump root keeps to itself: 0600, owned by root, in a folder anyone may enter (a hard link to the test's dump, so
        # the refusal is the file's mode, not a folder on the way). Beside it, a readable dump: the batch must go on to it.
        $script:Dumps = Join-Path $Stage 'dumps'
        $null = New-Item -ItemType Directory $Dumps
        $script:Secret = Join-Path $Dumps 'a-secret.dmp'
        ln $DumpFile.FullName $Secret
        if ($LASTEXITCODE -ne 0) { Copy-Item -LiteralPath $DumpFile.FullName -Destination $Secret }
        chmod 0600 $Secret
        $script:Readable = Join-Path $Dumps 'b-readable.dmp'
        Copy-Item -LiteralPath $DumpFile.FullName -Destination $Readable
        chmod 0644 $Readable
        chmod 0755 $Dumps

        $script:Probe = Join-Path $Stage 'probe.ps1'
        Set-Content -LiteralPath $Probe -Value @'
param([string] $Module, [string] $Secret, [string] $Dumps)
Import-Module $Module -ErrorAction Stop
"UID $(id -u)"
$cases = [ordered]@{
    'Open-GcDump -LiteralPath'      = { Open-GcDump -LiteralPath $Secret }
    'Get-GcHeapStat -Path'          = { Get-GcHeapStat -Path $Secret }
    'Invoke-GcTriage -Path'         = { Invoke-GcTriage -Path $Secret -OutputDirectory "$HOME/report" }
    'Get-ChildItem | Get-GcHeapStat' = { Get-ChildItem -LiteralPath $Dumps -Filter *.dmp | Get-GcHeapStat | Select-Object -First 1 }
}
foreach ($name in $cases.Keys) {
    $all = @(try { & $cases[$name] 2>&1 } catch { $_ })
    foreach ($x in $all) {
        if ($x -is [System.Management.Automation.ErrorRecord]) {
            [pscustomobject]@{ Case = $name; Kind = 'Error'; Id = $x.FullyQualifiedErrorId; Category = "$($x.CategoryInfo.Category)"; Target = "$($x.TargetObject)"; Message = $x.Exception.Message } | ConvertTo-Json -Compress
        }
        else { [pscustomobject]@{ Case = $name; Kind = 'Output'; Id = $x.GetType().Name } | ConvertTo-Json -Compress }
    }
}
'@
        chmod 0644 $Probe

        $psi = [System.Diagnostics.ProcessStartInfo]::new('runuser')
        foreach ($a in '-u', 'nobody', '--', 'env', "HOME=$NobodyHome", "DOTNET_CLI_HOME=$NobodyHome", "TMPDIR=$NobodyHome", 'DOTNET_NOLOGO=1',
            'POWERSHELL_TELEMETRY_OPTOUT=1', [Environment]::ProcessPath, (Join-Path $Stage 'pwsh/pwsh.dll'), '-NoProfile', '-NonInteractive',
            '-File', $Probe, (Join-Path $moduleCopy 'GcTriage.psd1'), $Secret, $Dumps) { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardOutput = $true; $psi.RedirectStandardError = $true; $psi.UseShellExecute = $false
        $p = [System.Diagnostics.Process]::Start($psi)
        $stderr = $p.StandardError.ReadToEndAsync()
        $stdout = $p.StandardOutput.ReadToEndAsync()
        # A generous bound only so that a hang fails the test instead of stalling the suite; the time is not the assertion.
        $script:Exited = $p.WaitForExit(180000)
        if (-not $Exited) { $p.Kill($true); $p.WaitForExit() }
        $script:NobodyOut = $stdout.Result -split "`n" | Where-Object { $_ }
        $script:NobodyErr = $stderr.Result
        $p.Dispose()
        if (-not ($NobodyOut -match '^UID ')) { $script:NobodySkip = "PowerShell does not start as nobody here: $NobodyErr $NobodyOut" }
        $script:Records = @($NobodyOut | Where-Object { $_ -like '{*' } | ForEach-Object { $_ | ConvertFrom-Json })
    }

    AfterAll {
        if ($script:Stage) { Remove-Item -LiteralPath $Stage -Recurse -Force -ErrorAction SilentlyContinue }
    }

    BeforeEach {
        if ($script:NobodySkip) { Set-ItResult -Skipped -Because $NobodySkip }
    }

    It 'ran as nobody, and ended by itself (no hang)' {
        $Exited | Should -BeTrue
        ($NobodyOut -match '^UID ') | Should -Be 'UID 65534'
    }

    It '<_>: one AccessDenied error (PermissionDenied) naming the dump, its owner and mode, and nothing else' -ForEach 'Open-GcDump -LiteralPath', 'Get-GcHeapStat -Path', 'Invoke-GcTriage -Path' {
        $mine = @($Records | Where-Object Case -eq $_)
        $mine.Count | Should -Be 1
        $mine[0].Kind | Should -Be 'Error'
        $mine[0].Id | Should -BeLike 'AccessDenied,*'
        $mine[0].Category | Should -Be 'PermissionDenied'
        $mine[0].Target | Should -Be $Secret
        $mine[0].Message | Should -BeLike "*'$Secret'*This user is uid 65534; '$Secret' is a regular file owned by uid 0, gid 0, with mode 0600.*"
    }

    It 'Get-ChildItem | Get-GcHeapStat: AccessDenied for the unreadable dump, then the readable one is answered' {
        $mine = @($Records | Where-Object Case -eq 'Get-ChildItem | Get-GcHeapStat')
        $mine.Kind | Should -Be @('Error', 'Output')
        $mine[0].Id | Should -BeLike 'AccessDenied,*'
        $mine[0].Target | Should -Be $Secret
        $mine[1].Id | Should -Be 'GcTypeStat'
    }
}
