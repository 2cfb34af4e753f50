# Attacks on the files GcTriage writes and the paths it reads, staged for real (issue 13, rules 2, 3, 8, 9): links planted by
# another user in a shared 1777 folder, a FIFO and /dev/null as outputs, a full and a read-only file system, formula names in
# CSVs, names with wildcard characters, a damaged dump in a batch. Every case checks the module's own ErrorId, that the victim is
# unchanged and that nothing else was written.
BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-GcTriageUnderTest
    $script:Dir = New-GcTempDirectory
    $script:Dump = Save-FixtureDump -Directory $Dir -Mode formulaNames -Name 'names.dmp'
    $script:CanStage = $IsLinux -and ((id -u) -eq '0') -and (Get-Command runuser -ErrorAction Ignore)
    $script:Shared = @()

    function script:Get-Mode([string] $p) { [Convert]::ToString([int][System.IO.File]::GetUnixFileMode($p), 8) }

    # A world-writable sticky folder owned by root, as /tmp is (one owned by another user is UntrustedOutputFolder, see
    # 'The folder written into'), where nobody plants links; and a victim file only root may write.
    function script:New-SharedFolder {
        $path = Join-Path '/tmp' ('gctriage-shared-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
        mkdir -m 1777 $path
        if ($LASTEXITCODE -ne 0) { throw "could not create $path" }
        $script:Shared += $path
        $path
    }

    # A folder staged for the folder rule: made by root, then given to its owner with its mode (chown/chmod as root).
    function script:New-StagedFolder([string] $Owner, [string] $Mode, [string] $Parent = '/tmp') {
        $path = Join-Path $Parent ('gctriage-folder-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
        mkdir $path
        chown $Owner $path
        chmod $Mode $path
        if ($LASTEXITCODE -ne 0) { throw "could not stage $path" }
        $script:Shared += $path
        $path
    }

    function script:New-Victim {
        $victim = Join-Path $Dir ('victim-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
        Set-Content -LiteralPath $victim -Value 'precious' -NoNewline
        [System.IO.File]::SetUnixFileMode($victim, [System.IO.UnixFileMode]'UserRead, UserWrite, GroupRead, OtherRead')
        $victim
    }

    function script:Add-PlantedLink([string] $folder, [string] $name, [string] $target) {
        $link = Join-Path $folder $name
        runuser -u nobody -- ln -s $target $link
        if ($LASTEXITCODE -ne 0) { throw "nobody could not plant $link" }
        (Get-Item -LiteralPath $link -Force).LinkTarget | Should -Be $target
        $link
    }

    function script:Assert-Victim([string] $victim) {
        Get-Content -LiteralPath $victim -Raw | Should -Be 'precious'
        Get-Mode $victim | Should -Be '644'
    }

    function script:Get-Names([string] $folder) { @(Get-ChildItem -LiteralPath $folder -Force | ForEach-Object Name | Sort-Object) }
}

AfterAll {
    Close-GcDump -All
    foreach ($s in $script:Shared) { Remove-Item -LiteralPath $s -Recurse -Force -ErrorAction SilentlyContinue }
    Remove-GcTempDirectory $Dir
}

Describe 'Files the module writes (rule 2)' {
    BeforeEach {
        if (-not $CanStage) { Set-ItResult -Skipped -Because 'staging needs Linux, root and runuser (links planted as nobody)' }
    }

    It 'Invoke-GcTriage into a shared folder with links planted by nobody: OutputIsLink, with and without -Force, victim unchanged' {
        $shared = New-SharedFolder
        $victim = New-Victim
        foreach ($name in 'types.csv', 'findings.csv', 'report.json') { $null = Add-PlantedLink $shared $name $victim }
        $before = Get-Names $shared
        foreach ($force in $false, $true) {
            $err = $null
            try { Invoke-GcTriage -Path $Dump.FullName -OutputDirectory $shared -Force:$force -ErrorAction Stop } catch { $err = $_ }
            $err | Should -Not -BeNullOrEmpty
            $err.FullyQualifiedErrorId | Should -BeLike 'OutputIsLink,*'
            $err.CategoryInfo.Category | Should -Be 'SecurityError'
            Assert-Victim $victim
            Get-Names $shared | Should -Be $before -Because 'nothing else is written'
        }
    }

    It 'Invoke-GcTriage: a last week''s types.csv (only) needs -Force; with it, it is replaced by a new 0600 file' {
        $out = Join-Path $Dir 'lastweek'
        $null = New-Item -ItemType Directory $out
        $old = Join-Path $out 'types.csv'
        Set-Content -LiteralPath $old -Value 'last week' -NoNewline
        [System.IO.File]::SetUnixFileMode($old, [System.IO.UnixFileMode]'UserRead, UserWrite, GroupRead, OtherRead')
        $err = $null
        try { Invoke-GcTriage -Path $Dump.FullName -OutputDirectory $out -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'FileExists,*'
        $err.TargetObject | Should -Be $old
        Get-Content -LiteralPath $old -Raw | Should -Be 'last week'
        Get-Names $out | Should -Be @('types.csv')
        $report = Invoke-GcTriage -Path $Dump.FullName -OutputDirectory $out -Force
        (Get-Content -LiteralPath $old -TotalCount 1) | Should -BeLike '"TypeName",*'
        Get-Mode $old | Should -Be '600'
        Get-Names $out | Should -Be @($report.Files.Path | ForEach-Object { Split-Path -Leaf $_ } | Sort-Object) -Because 'no temporary file is left'
    }

    It 'Get-GcAllocation -OutFile and -FoldedStackPath on a planted link, with -Force: OutputIsLink before sampling' {
        $shared = New-SharedFolder
        $victim = New-Victim
        $link = Add-PlantedLink $shared 'alloc.nettrace' $victim
        $folded = Add-PlantedLink $shared 'alloc.folded' $victim
        $fixture = Start-GcFixture -Mode alloc
        try {
            foreach ($case in @{ OutFile = $link }, @{ FoldedStackPath = $folded }) {
                $err = $null
                $stats = Get-GcAllocation -Id $fixture.Id -Duration 00:00:01 -Force @case -ErrorVariable err -ErrorAction SilentlyContinue
                $stats | Should -BeNullOrEmpty
                $err[0].FullyQualifiedErrorId | Should -BeLike 'OutputIsLink,*'
                Assert-Victim $victim
            }
            Get-Names $shared | Should -Be @('alloc.folded', 'alloc.nettrace')
        }
        finally { Stop-GcFixture $fixture }
    }

    It 'Get-GcPause -OutFile on a planted link with -Force, and on a FIFO: refused before any session, victim unchanged' {
        $shared = New-SharedFolder
        $victim = New-Victim
        $link = Add-PlantedLink $shared 'pauses.nettrace' $victim
        $fifo = Join-Path $shared 'fifo.nettrace'
        runuser -u nobody -- mkfifo $fifo
        $fixture = Start-GcFixture -Mode gc
        try {
            foreach ($case in @{ Path = $link; Id = 'OutputIsLink' }, @{ Path = $fifo; Id = 'OutputNotRegularFile' }) {
                $err = $null
                $p = Get-GcPause -Id $fixture.Id -Duration 00:00:01 -OutFile $case.Path -Force -ErrorVariable err -ErrorAction SilentlyContinue
                $p | Should -BeNullOrEmpty
                $err[0].FullyQualifiedErrorId | Should -BeLike "$($case.Id),*"
            }
            Assert-Victim $victim
            stat -c %F $fifo | Should -Be 'fifo'
            Get-Names $shared | Should -Be @('fifo.nettrace', 'pauses.nettrace')
        }
        finally { Stop-GcFixture $fixture }
    }

    It 'Save-GcDump -Path (a null device) -Force: OutputNotRegularFile, the device stays a character device, nothing staged beside it' {
        # A private twin of /dev/null (same major:minor), so that a regression clobbers the twin, never the machine's /dev/null
        # (main did replace /dev/null with a regular file holding the dump).
        $devices = Join-Path $Dir 'dev'
        $null = New-Item -ItemType Directory $devices
        $device = Join-Path $devices 'null'
        mknod -m 666 $device c 1 3
        stat -c %F $device | Should -Be 'character special file'
        $err = $null
        $file = Save-GcDump -ProcessId $PID -Path $device -Force -ErrorVariable err -ErrorAction SilentlyContinue
        $file | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'OutputNotRegularFile,*'
        stat -c %F $device | Should -Be 'character special file'
        stat -c %t:%T $device | Should -Be '1:3'
        Get-Names $devices | Should -Be @('null')
    }

    It 'Save-GcDump onto a planted link with -Force: OutputIsLink, victim unchanged' {
        $shared = New-SharedFolder
        $victim = New-Victim
        $link = Add-PlantedLink $shared 'api.dmp' $victim
        $err = $null
        Save-GcDump -ProcessId $PID -Path $link -Force -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'OutputIsLink,*'
        Assert-Victim $victim
        Get-Names $shared | Should -Be @('api.dmp')
    }

    Context 'a small file system, full or read-only' {
        BeforeAll {
            $script:Mount = Join-Path $Dir 'tmpfs'
            $null = New-Item -ItemType Directory $Mount
            mount -t tmpfs -o size=1m,mode=0700 tmpfs $Mount 2>$null
            $script:Mounted = $LASTEXITCODE -eq 0
        }
        AfterAll {
            if ($Mounted) { umount $Mount }
        }
        BeforeEach {
            if (-not $Mounted) { Set-ItResult -Skipped -Because 'mount -t tmpfs is not permitted here' }
        }

        It 'a full disk: DiskFull, no partial file and no temporary file left' {
            $out = Join-Path $Mount 'report'
            $null = New-Item -ItemType Directory $out
            $filler = Join-Path $Mount 'filler'
            dd if=/dev/zero of=$filler bs=64k 2>$null
            $err = $null
            try { Invoke-GcTriage -Path $Dump.FullName -OutputDirectory $out -ErrorAction Stop } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'DiskFull,*'
            $err.CategoryInfo.Category | Should -Be 'WriteError'
            foreach ($f in Get-ChildItem -LiteralPath $out -Force) {
                $f.Name | Should -Not -BeLike '.*.tmp' -Because 'a failed write removes its temporary file'
                $text = Get-Content -LiteralPath $f.FullName -Raw
                if ($f.Extension -eq '.csv') { $text | Should -Match '^"[^"]+",[^\n]*\n(.*\n)*$' -Because "$($f.Name) in place is whole" }
                else { { $text | ConvertFrom-Json } | Should -Not -Throw -Because "$($f.Name) in place is whole" }
            }
            Remove-Item -LiteralPath $filler
            Remove-Item -LiteralPath $out -Recurse -Force
        }

        It 'a read-only file system: OutputDirectoryNotWritable for a report, ReadOnlyFileSystem for a dump' {
            mount -o remount,ro $Mount
            try {
                $err = $null
                try { Invoke-GcTriage -Path $Dump.FullName -OutputDirectory (Join-Path $Mount 'r') -ErrorAction Stop } catch { $err = $_ }
                $err.FullyQualifiedErrorId | Should -BeLike 'OutputDirectoryNotWritable,*'
                $err = $null
                Save-GcDump -ProcessId $PID -Path (Join-Path $Mount 'x.dmp') -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
                $err[0].FullyQualifiedErrorId | Should -BeLike 'ReadOnlyFileSystem,*'
                @(Get-ChildItem -LiteralPath $Mount -Force).Count | Should -Be 0
            }
            finally { mount -o remount,rw $Mount }
        }
    }

    It 'a folder under /proc as -OutputDirectory: OutputDirectoryNotWritable' {
        if (-not $IsLinux) { Set-ItResult -Skipped -Because '/proc is Linux' }
        $err = $null
        try { Invoke-GcTriage -Path $Dump.FullName -OutputDirectory "/proc/$PID/gctriage" -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'OutputDirectoryNotWritable,*'
    }
}

Describe 'CSV cells (rule 3)' {
    It 'guards type names a spreadsheet would run as formulas, keeps numbers, and Compare-GcHeap round-trips them exactly' {
        $out = Join-Path $Dir 'formulas'
        $report = Invoke-GcTriage -Path $Dump.FullName -OutputDirectory $out -Top 1000
        $names = '=HYPERLINK("http://evil.example/","open me")', '+1+1', '-2+3', '@SUM(1,2)', "`tTabbed"
        $lines = Get-Content -LiteralPath (Join-Path $out 'types.csv')
        for ($i = 0; $i -lt $names.Count; $i++) {
            $quoted = '"''' + $names[$i].Replace('"', '""') + '",'
            @($lines | Where-Object { $_.StartsWith($quoted) }).Count | Should -Be 1 -Because "$($names[$i]) is written with a leading apostrophe"
        }
        $types = Import-Csv -LiteralPath (Join-Path $out 'types.csv')
        foreach ($n in $names) { ($types | Where-Object TypeName -eq "'$n").Count | Should -Be ([array]::IndexOf($names, $n) + 1) }
        $delta = Compare-GcHeap -ReferenceObject $types -DifferenceObject $report.TopTypes
        for ($i = 0; $i -lt $names.Count; $i++) {
            $d = $delta | Where-Object TypeName -ceq $names[$i]
            $d.CountBefore | Should -Be ($i + 1)
            $d.CountAfter | Should -Be ($i + 1)
            $d.CountDelta | Should -Be 0
        }
        @($delta | Where-Object { $_.TypeName.StartsWith("'") }).Count | Should -Be 0 -Because 'the reader takes the guard off'
    }
}

Describe 'Errors from a batch (rule 8)' {
    BeforeAll {
        $script:Batch = Join-Path $Dir 'batch'
        $null = New-Item -ItemType Directory $Batch
        New-Item -ItemType HardLink -Path (Join-Path $Batch 'a.dmp') -Target $Dump.FullName | Out-Null
        New-Item -ItemType HardLink -Path (Join-Path $Batch 'c.dmp') -Target $Dump.FullName | Out-Null
        # b.dmp: the first megabyte of the same dump.
        $bytes = [byte[]]::new(1MB)
        $fs = [System.IO.File]::OpenRead($Dump.FullName); try { $null = $fs.Read($bytes, 0, $bytes.Length) } finally { $fs.Dispose() }
        [System.IO.File]::WriteAllBytes((Join-Path $Batch 'b.dmp'), $bytes)
    }

    It 'Get-ChildItem *.dmp | Open-GcDump opens the good dumps after a truncated one, with one DumpFormat error' {
        $err = $null
        $sessions = @(Get-ChildItem (Join-Path $Batch '*.dmp') | Open-GcDump -ErrorVariable err -ErrorAction SilentlyContinue)
        try {
            $sessions.Path | Should -Be @((Join-Path $Batch 'a.dmp'), (Join-Path $Batch 'c.dmp'))
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'DumpFormat,*'
            $err[0].TargetObject | Should -Be (Join-Path $Batch 'b.dmp')
        }
        finally { $sessions | Close-GcDump }
    }

    It 'Get-ChildItem *.dmp | Get-GcHeapStat answers for the good dumps and gives one DumpFormat error' {
        $err = $null
        $rows = @(Get-ChildItem (Join-Path $Batch '*.dmp') | Get-GcHeapStat -TypeName '@SUM*' -ErrorVariable err -ErrorAction SilentlyContinue)
        $rows.Count | Should -Be 2
        $rows.Count | ForEach-Object { $rows[0].Count | Should -Be 4 }
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DumpFormat,*'
    }

    It 'Get-GcDictionary: a dictionary whose _entries points at itself is one CollectionUnreadable error, and the other rows come out' {
        $dumpFile = Save-FixtureDump -Directory $Batch -Mode selfReference -Name 'selfref.dump'
        $name = 'System.Collections.Generic.Dictionary<System.Int64, System.Boolean>'
        $d = Open-GcDump -LiteralPath $dumpFile.FullName
        try {
            $err = $null
            $rows = @(Get-GcDictionary -Dump $d -ErrorVariable err -ErrorAction SilentlyContinue)
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'CollectionUnreadable,*'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
            $err[0].TargetObject | Should -BeOfType ([ulong])
            $err[0].Exception.Message | Should -BeLike ('The Dictionary at 0x{0:x} cannot be read: *' -f $err[0].TargetObject)
            $good = @($rows | Where-Object { $_.TypeName -eq $name -and $_.Address -ne $err[0].TargetObject })
            $good.Count | Should -Be 1
            $good[0].Count | Should -Be 3
            $good[0].KeyMin | Should -Be 1
            $good[0].KeyMax | Should -Be 3
            $good[0].IsSetLike | Should -BeTrue
            @($rows | Where-Object TypeName -ne $name).Count | Should -BeGreaterThan 0 -Because 'the runtime''s own collections are rows too'
        }
        finally { Close-GcDump $d }
    }

    It 'a -Path pattern that matches nothing is a DumpNotFound error' {
        $err = $null
        Open-GcDump (Join-Path $Batch 'nothing*.dmp') -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DumpNotFound,*'
    }
}

Describe '-LiteralPath (rule 9)' {
    BeforeAll {
        $script:Odd = Join-Path $Dir 'odd'
        $null = New-Item -ItemType Directory $Odd
        $script:Bracket = Join-Path $Odd 'a[b].dmp'
        $script:Plain = Join-Path $Odd 'ab.dmp'
        New-Item -ItemType HardLink -Path $Bracket -Target $Dump.FullName | Out-Null
        New-Item -ItemType HardLink -Path $Plain -Target $Dump.FullName | Out-Null
    }
    AfterEach { Close-GcDump -All }

    It 'Open-GcDump -Path ''a[b].dmp'' expands the wildcard (ab.dmp); -LiteralPath opens a[b].dmp' {
        (Open-GcDump -Path $Bracket).Path | Should -Be $Plain
        (Open-GcDump -LiteralPath $Bracket).Path | Should -Be $Bracket
        (Open-GcDump -LP $Bracket).Path | Should -Be $Bracket
    }

    It 'Get-ChildItem -LiteralPath ''a[b].dmp'' | Open-GcDump (and | Get-GcHeapStat) opens a[b].dmp' {
        (Get-ChildItem -LiteralPath $Bracket | Open-GcDump).Path | Should -Be $Bracket
        Close-GcDump -All
        $row = Get-ChildItem -LiteralPath $Bracket | Get-GcHeapStat -TypeName '-2+3'
        $row.Count | Should -Be 3
        $row.DumpPath | Should -Be $Bracket
    }

    It 'every command with -Path has -LiteralPath with aliases PSPath and LP' {
        $commands = Get-Command -Module GcTriage | Where-Object { $_.Parameters.ContainsKey('Path') }
        $commands.Count | Should -BeGreaterThan 5
        foreach ($c in $commands) {
            $c.Parameters.ContainsKey('LiteralPath') | Should -BeTrue -Because "$($c.Name) takes -Path"
            $c.Parameters['LiteralPath'].Aliases | Should -Contain 'PSPath'
            $c.Parameters['LiteralPath'].Aliases | Should -Contain 'LP'
            $c.Parameters['Path'].Aliases | Should -Not -Contain 'PSPath'
        }
    }

    It 'Invoke-GcTriage and Save-GcDump take -LiteralPath' {
        $report = Invoke-GcTriage -LiteralPath $Bracket -OutputDirectory (Join-Path $Odd 'r[1]')
        $report.DumpPath | Should -Be $Bracket
        Test-Path -LiteralPath (Join-Path $Odd 'r[1]/types.csv') | Should -BeTrue
        $fixture = Start-GcFixture -Mode heap
        try {
            $file = Save-GcDump -ProcessId $fixture.Id -LiteralPath (Join-Path $Odd 'x[1].dmp')
            $file.FullName | Should -Be (Join-Path $Odd 'x[1].dmp')
            Get-Mode $file.FullName | Should -Be '600'
        }
        finally { Stop-GcFixture $fixture }
    }
}

Describe 'The folder written into (rule 2)' {
    BeforeAll {
        # Each case: how the folder is staged, and what is wrong with it. Every folder is one root can write into, so only
        # the rule stops the write.
        $script:UntrustedCases = @(
            @{ Name = 'owned by nobody, 0700'; Stage = { New-StagedFolder nobody 0700 } }
            @{ Name = 'owned by nobody, 1777 (the owner of a sticky folder may still move any file)'; Stage = { New-StagedFolder nobody 1777 } }
            @{ Name = 'owned by root, 0777 without the sticky bit'; Stage = { New-StagedFolder root 0777 } }
            @{ Name = 'owned by root, 0770 (group-writable)'; Stage = { New-StagedFolder root 0770 } }
            @{ Name = 'owned by root, 0700, inside a folder owned by nobody'; Stage = { New-StagedFolder root 0700 (New-StagedFolder nobody 0755) } }
            @{ Name = 'a link planted by nobody in a root 1777 folder, to a root 0700 folder'; Stage = {
                    $real = New-StagedFolder root 0700
                    $link = Join-Path (New-SharedFolder) 'out'
                    runuser -u nobody -- ln -s $real $link
                    $link } }
            @{ Name = 'a root-owned link to a folder owned by nobody'; Stage = {
                    $real = New-StagedFolder nobody 0755
                    $link = Join-Path (New-StagedFolder root 0700) 'out'
                    ln -s $real $link
                    $link } }
        )

        # What is in the folder the path names, through a link.
        function script:Get-RealNames([string] $folder) { @(Get-ChildItem -LiteralPath (readlink -f $folder) -Force | ForEach-Object Name | Sort-Object) }
    }

    BeforeEach {
        if (-not $CanStage) { Set-ItResult -Skipped -Because 'staging needs Linux, root and runuser (folders owned by nobody)' }
    }

    It 'Invoke-GcTriage -OutputDirectory <Name>: UntrustedOutputFolder naming the folder, with and without -Force, nothing written' -TestCases @(
        @{ Name = 'owned by nobody, 0700' }, @{ Name = 'owned by nobody, 1777 (the owner of a sticky folder may still move any file)' },
        @{ Name = 'owned by root, 0777 without the sticky bit' }, @{ Name = 'owned by root, 0770 (group-writable)' },
        @{ Name = 'owned by root, 0700, inside a folder owned by nobody' },
        @{ Name = 'a link planted by nobody in a root 1777 folder, to a root 0700 folder' }, @{ Name = 'a root-owned link to a folder owned by nobody' }
    ) {
        param($Name)
        $folder = & ($UntrustedCases | Where-Object Name -eq $Name).Stage
        foreach ($force in $false, $true) {
            $err = $null
            try { Invoke-GcTriage -Path $Dump.FullName -OutputDirectory $folder -Force:$force -ErrorAction Stop } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'UntrustedOutputFolder,*'
            $err.CategoryInfo.Category | Should -Be 'SecurityError'
            $err.Exception.Message | Should -BeLike "*'$folder'*"
            Get-RealNames $folder | Should -BeNullOrEmpty -Because 'nothing is written, not even a probe'
        }
    }

    It 'a missing -OutputDirectory under a folder owned by nobody: UntrustedOutputFolder, and the folder is not created' {
        $parent = New-StagedFolder nobody 0777
        $err = $null
        try { Invoke-GcTriage -Path $Dump.FullName -OutputDirectory (Join-Path $parent 'new/report') -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'UntrustedOutputFolder,*'
        $err.Exception.Message | Should -BeLike "*'$parent' is owned by uid *"
        Get-RealNames $parent | Should -BeNullOrEmpty
    }

    It 'every command that writes into a folder refuses one owned by nobody (0777) before any work: <Command>' -TestCases @(
        @{ Command = 'Save-GcDump -Path'; Mode = 'heap'; Run = { param($id, $folder) Save-GcDump -ProcessId $id -Path (Join-Path $folder 'x.dmp') -Force } }
        @{ Command = 'Watch-GcPause -CaptureDump'; Mode = 'gc'; Run = { param($id, $folder) Watch-GcPause -ProcessId $id -ThresholdMs 0 -CaptureDump $folder -Duration 00:00:05 -Confirm:$false } }
        @{ Command = 'Get-GcPause -OutFile'; Mode = 'gc'; Run = { param($id, $folder) Get-GcPause -ProcessId $id -Duration 00:00:05 -OutFile (Join-Path $folder 'p.nettrace') -Force } }
        @{ Command = 'Get-GcAllocation -OutFile'; Mode = 'alloc'; Run = { param($id, $folder) Get-GcAllocation -ProcessId $id -Duration 00:00:05 -OutFile (Join-Path $folder 'a.nettrace') } }
        @{ Command = 'Get-GcAllocation -FoldedStackPath'; Mode = 'alloc'; Run = { param($id, $folder) Get-GcAllocation -ProcessId $id -Duration 00:00:05 -FoldedStackPath (Join-Path $folder 'a.folded') } }
    ) {
        param($Command, $Mode, $Run)
        $folder = New-StagedFolder nobody 0777
        $fixture = Start-GcFixture -Mode $Mode
        try {
            $err = $null
            $out = $null
            try { $ErrorActionPreference = 'Stop'; $out = & $Run $fixture.Id $folder } catch { $err = @($_) }
            finally { $ErrorActionPreference = 'Continue' }
            $out | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'UntrustedOutputFolder,*'
            $err[0].CategoryInfo.Category | Should -Be 'SecurityError'
            Get-RealNames $folder | Should -BeNullOrEmpty
        }
        finally { Stop-GcFixture $fixture }
    }

    It 'a root-owned 1777 folder (as /tmp), and a root link to a root 0700 folder, are written into: 0600 files' {
        $sticky = New-SharedFolder
        $report = Invoke-GcTriage -Path $Dump.FullName -OutputDirectory $sticky
        @($report.Files).Count | Should -BeGreaterThan 3
        foreach ($f in $report.Files) { Get-Mode $f.Path | Should -Be '600' }
        $real = New-StagedFolder root 0700
        $link = Join-Path (New-StagedFolder root 0755) 'out'
        ln -s $real $link
        $report = Invoke-GcTriage -Path $Dump.FullName -OutputDirectory $link
        Get-RealNames $real | Should -Be @($report.Files.Path | ForEach-Object { Split-Path -Leaf $_ } | Sort-Object)
    }
}

Describe 'The error catalogue (rule 8)' {
    It 'documents every ErrorId the module uses in about_GcTriage' {
        $about = Get-Content (Join-Path (Get-RepoRoot) 'module/help/about_GcTriage.help.txt') -Raw
        $source = Get-Content (Join-Path (Get-RepoRoot) 'src/GcTriage.Core/Errors/ErrorCatalog.cs') -Raw
        $ids = [regex]::Matches($source, 'public const string (\w+) = nameof') | ForEach-Object { $_.Groups[1].Value }
        $ids.Count | Should -BeGreaterThan 20
        foreach ($id in $ids) { $about | Should -Match "(?m)^\s+$id\s" -Because "$id is documented" }
    }

    It 'uses no ErrorId outside the catalogue in the cmdlets and Core' {
        $ids = [regex]::Matches((Get-Content (Join-Path (Get-RepoRoot) 'src/GcTriage.Core/Errors/ErrorCatalog.cs') -Raw), 'public const string (\w+) = nameof') |
            ForEach-Object { $_.Groups[1].Value }
        $files = Get-ChildItem (Join-Path (Get-RepoRoot) 'src') -Recurse -Filter *.cs | Where-Object FullName -notmatch '[\\/](obj|bin)[\\/]'
        foreach ($f in $files) {
            $text = Get-Content -LiteralPath $f.FullName -Raw
            foreach ($m in [regex]::Matches($text, 'GcTriageException\("(\w+)"|new ErrorRecord\([^;]*?, "(\w+)", ErrorCategory')) {
                $id = @($m.Groups[1].Value, $m.Groups[2].Value) | Where-Object { $_ } | Select-Object -First 1
                $ids | Should -Contain $id -Because "$($f.Name) uses ErrorId $id"
            }
        }
    }
}
