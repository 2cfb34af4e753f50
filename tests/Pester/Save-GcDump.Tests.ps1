BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-GcTriageUnderTest
    $script:Fixture = Start-GcFixture -Mode heap
    $script:Dir = New-GcTempDirectory
}
AfterAll { Stop-GcFixture $Fixture; Remove-GcTempDirectory $Dir }

Describe 'Save-GcDump' {
    It 'writes a dump readable by its owner only and returns its FileInfo' {
        $file = Save-GcDump -ProcessId $Fixture.Id -Path (Join-Path $Dir 'a.dmp') -Type Mini
        $file | Should -BeOfType ([System.IO.FileInfo])
        $file.Length | Should -BeGreaterThan 0
        if (-not $IsWindows) { $file.UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite') }
    }

    It 'refuses to overwrite without -Force, with FileExists, and keeps the old file' {
        $path = Join-Path $Dir 'a.dmp'
        $before = (Get-Item $path).LastWriteTimeUtc
        Save-GcDump -ProcessId $Fixture.Id -Path $path -Type Mini -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'FileExists,*'
        $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        (Get-Item $path).LastWriteTimeUtc | Should -Be $before
        (Save-GcDump -ProcessId $Fixture.Id -Path $path -Type Mini -Force).LastWriteTimeUtc | Should -BeGreaterThan $before
    }

    It 'names the file itself when given a folder, and binds Id from Get-Process' {
        $sub = Join-Path $Dir 'folder'
        $null = New-Item -ItemType Directory $sub
        $file = Get-Process -Id $Fixture.Id | Save-GcDump -Path $sub -Type Mini
        $file.Name | Should -BeLike "dump_$($Fixture.Id)_*.dmp"
        $file.DirectoryName | Should -Be $sub
    }

    It 'writes nothing with -WhatIf' {
        Save-GcDump -ProcessId $Fixture.Id -Path (Join-Path $Dir 'whatif.dmp') -WhatIf
        Join-Path $Dir 'whatif.dmp' | Should -Not -Exist
    }

    It 'fails clearly for a pid that does not exist and for a process that is not .NET' {
        Save-GcDump -ProcessId 2147483000 -Path (Join-Path $Dir 'x.dmp') -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ProcessNotFound,*'
        $sleep = Start-NonDotNetProcess
        try {
            Save-GcDump -ProcessId $sleep.Id -Path (Join-Path $Dir 'y.dmp') -ErrorVariable err2 -ErrorAction SilentlyContinue
            $err2[0].FullyQualifiedErrorId | Should -BeLike 'NotDotNetProcess,*'
        }
        finally { $sleep | Stop-Process -Force }
        Join-Path $Dir 'x.dmp' | Should -Not -Exist
        Join-Path $Dir 'y.dmp' | Should -Not -Exist
        @(Get-ChildItem $Dir -Force -Filter '.gctriage-*').Count | Should -Be 0
    }
}
