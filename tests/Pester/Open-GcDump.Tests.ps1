BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-GcTriageUnderTest
    $script:Dir = New-GcTempDirectory
    $script:DumpFile = Save-FixtureDump -Directory $Dir
    $script:RuntimeFolder = [System.Runtime.InteropServices.RuntimeEnvironment]::GetRuntimeDirectory().TrimEnd('/')
}
AfterAll { Close-GcDump -All; Remove-GcTempDirectory $Dir }

Describe 'Open-GcDump and Close-GcDump' {
    It 'opens a .NET 10 Linux dump, finds the DAC by build-id and reports the real runtime version' {
        $d = Open-GcDump $DumpFile.FullName -Verbose 4>&1 | Tee-Object -Variable all | Where-Object { $_ -is [GcTriage.GcDump] }
        try {
            $d.RuntimeVersion | Should -Be (Split-Path $RuntimeFolder -Leaf)
            $d.GcMode | Should -Be 'Workstation'
            $d.HeapCount | Should -Be 1
            $d.IsOpen | Should -BeTrue
            $d.Dac.Source | Should -Be 'RuntimeFolder'
            $d.Dac.DacPath | Should -BeLike "$RuntimeFolder/*mscordaccore*"
            $d.Dac.Reason | Should -BeLike '*build-id*matches*'
            ($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message | Should -Contain "DAC accepted: $($d.Dac.DacPath) [RuntimeFolder]: $($d.Dac.Reason)"
        }
        finally { Close-GcDump $d }
        $d.IsOpen | Should -BeFalse
    }

    It 'takes files from Get-ChildItem' {
        $d = Get-ChildItem $Dir -Filter '*.dmp' | Open-GcDump
        try { $d.Path | Should -Be $DumpFile.FullName }
        finally { $d | Close-GcDump }
    }

    It 'uses -DacPath as given' {
        $d = Open-GcDump $DumpFile.FullName -DacPath (Join-Path $RuntimeFolder 'libmscordaccore.so')
        try { $d.Dac.Source | Should -Be 'DacPath' } finally { Close-GcDump $d }
    }

    It 'fails with InvalidDac, naming the file, for a -DacPath that is not a DAC' {
        $fake = Join-Path $Dir 'libmscordaccore.so'
        Set-Content $fake 'not a library'
        Open-GcDump $DumpFile.FullName -DacPath $fake -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidDac,*'
        $err[0].Exception.Message | Should -BeLike "*$fake*"
        Remove-Item $fake
    }

    It 'fails with DumpNotFound for a missing file, and DumpFormat for a text file and a truncated dump' {
        Open-GcDump (Join-Path $Dir 'missing.dmp') -ErrorVariable e1 -ErrorAction SilentlyContinue
        $e1[0].FullyQualifiedErrorId | Should -BeLike 'DumpNotFound,*'
        $e1[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'

        $text = Join-Path $Dir 'notes.txt'; Set-Content $text 'hello'
        Open-GcDump $text -ErrorVariable e2 -ErrorAction SilentlyContinue
        $e2[0].FullyQualifiedErrorId | Should -BeLike 'DumpFormat,*'
        $e2[0].CategoryInfo.Category | Should -Be 'InvalidData'

        $cut = Join-Path $Dir 'cut.dmp'
        $in = [System.IO.File]::OpenRead($DumpFile.FullName)
        try { $buf = [byte[]]::new(8MB); $null = $in.Read($buf, 0, $buf.Length); [System.IO.File]::WriteAllBytes($cut, $buf) } finally { $in.Dispose() }
        Open-GcDump $cut -ErrorVariable e3 -ErrorAction SilentlyContinue
        $e3[0].FullyQualifiedErrorId | Should -BeLike 'DumpFormat,*'
        $e3[0].Exception.Message | Should -BeLike '*truncated*'
        Remove-Item $cut, $text
    }

    It 'says DumpClosed when a closed session is used' {
        $d = Open-GcDump $DumpFile.FullName
        Close-GcDump $d
        { Get-GcHeapStat -Dump $d -ErrorAction Stop } | Should -Throw -ErrorId 'DumpClosed,GcTriage.Commands.GetGcHeapStatCommand'
    }

    It 'closes the sessions of a path, and all sessions' {
        $a = Open-GcDump $DumpFile.FullName
        Close-GcDump -Path $DumpFile.FullName
        $a.IsOpen | Should -BeFalse
        $b = Open-GcDump $DumpFile.FullName
        $c = Open-GcDump $DumpFile.FullName
        Close-GcDump -All
        $b.IsOpen | Should -BeFalse
        $c.IsOpen | Should -BeFalse
    }
}
