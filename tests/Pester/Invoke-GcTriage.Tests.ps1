BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-GcTriageUnderTest
    $script:Dir = New-GcTempDirectory
    $script:DumpFile = Save-FixtureDump -Directory $Dir
    $script:Out = Join-Path $Dir 'report'
    $script:Report = Invoke-GcTriage -Path $DumpFile.FullName -OutputDirectory $Out -Top 500
    function Get-Mode([string] $p) { if ($IsWindows) { 'n/a' } else { [Convert]::ToString([int][System.IO.File]::GetUnixFileMode($p), 8) } }
}
AfterAll { Close-GcDump -All; Remove-GcTempDirectory $Dir }

Describe 'Invoke-GcTriage -Path' {
    It 'emits a GcTriageReport with the exact heap figures of the fixture' {
        $Report | Should -BeOfType ([GcTriage.GcTriageReport])
        $Report.SchemaVersion | Should -Be ([GcTriage.GcTriageSchema]::Version)
        $Report.Target | Should -Be $DumpFile.FullName
        $Report.DumpPath | Should -Be $DumpFile.FullName
        $w = $Report.TopTypes | Where-Object TypeName -eq 'GcTriage.Fixture.Widget'
        $w.Count | Should -Be 1000
        $w.TotalSize | Should -Be 40000
        ($Report.TopTypes | Where-Object TypeName -eq 'Free') | Should -BeNullOrEmpty
        $Report.HeapBytes | Should -BeGreaterThan $Report.FreeBytes
        $Report.ObjectCount | Should -BeGreaterThan 1000
        $Report.EndedAt | Should -BeGreaterOrEqual $Report.StartedAt
    }

    It 'creates the folder owner-only and every file 0600' {
        if ($IsWindows) { Set-ItResult -Skipped -Because 'Unix file modes' }
        Get-Mode $Out | Should -Be '700'
        $files = Get-ChildItem $Out -File
        $files.Name | Should -Contain 'report.json'
        $files.Name | Should -Contain 'report.html'
        $files.Name | Should -Contain 'types.csv'
        $files.Name | Should -Contain 'findings.csv'
        foreach ($f in $files) { Get-Mode $f.FullName | Should -Be '600' -Because "$($f.Name) is owner-only" }
        @($Report.Files).Count | Should -Be $files.Count
    }

    It 'writes report.json with schemaVersion and the exact Widget count' {
        $json = Get-Content (Join-Path $Out 'report.json') -Raw
        $json | Should -Match '^\{\s*"schemaVersion": "1\.0"'
        $j = $json | ConvertFrom-Json
        $j.schemaVersion | Should -Be ([GcTriage.GcTriageSchema]::Version)
        $wj = $j.topTypes | Where-Object typeName -eq 'GcTriage.Fixture.Widget'
        $wj.count | Should -Be 1000
        $wj.totalSize | Should -Be 40000
        $j.target | Should -Be $DumpFile.FullName
        @($j.errors).Count | Should -Be 0
    }

    It 'writes CSVs that Import-Csv reads back, with invariant numbers' {
        $types = Import-Csv (Join-Path $Out 'types.csv')
        (Get-Content (Join-Path $Out 'types.csv') -TotalCount 1) | Should -Be "#GcTriage schemaVersion=$([GcTriage.GcTriageSchema]::Version) table=types"
        $w = $types | Where-Object TypeName -eq 'GcTriage.Fixture.Widget'
        $w.Count | Should -Be '1000'
        $w.TotalSize | Should -Be '40000'
        $w.Gen0Size | Should -Be '40000'
        $types.Count | Should -Be @($Report.TopTypes).Count
        # The CSV is a snapshot Compare-GcHeap takes back.
        $d = Compare-GcHeap -ReferenceObject $types -DifferenceObject $Report.TopTypes -ExcludeUnchanged
        $d | Should -BeNullOrEmpty
    }

    It 'writes one self-contained report.html: findings first, Chart.js inlined, nothing fetched' {
        $html = Get-Content (Join-Path $Out 'report.html') -Raw
        $html | Should -Match "default-src 'none'"
        $html | Should -Match 'Chart\.js v4'
        $html | Should -Not -Match '<script[^>]+src='
        $html | Should -Not -Match '<link[^>]+href='
        $html | Should -Not -Match 'sourceMappingURL'
        $html | Should -Match 'id="chart-types"'
        $html.IndexOf('id="findings"') | Should -BeLessThan $html.IndexOf('id="top-types"')
        $html.IndexOf('id="likely-causes"') | Should -BeLessThan $html.IndexOf('id="top-types"')
        $html | Should -Match 'GcTriage\.Fixture\.Widget'
    }

    It 'refuses to overwrite a report without -Force, and overwrites with it' {
        { Invoke-GcTriage -Path $DumpFile.FullName -OutputDirectory $Out -ErrorAction Stop } | Should -Throw -ErrorId 'FileExists,*'
        $again = Invoke-GcTriage -Path $DumpFile.FullName -OutputDirectory $Out -Force
        ($again.TopTypes | Where-Object TypeName -eq 'GcTriage.Fixture.Widget').Count | Should -Be 1000
    }

    It 'gives a clear error for an unwritable output directory, before reading anything' {
        $file = Join-Path $Dir 'not-a-folder'
        Set-Content $file 'x'
        { Invoke-GcTriage -Path $DumpFile.FullName -OutputDirectory (Join-Path $file 'sub') -ErrorAction Stop } |
            Should -Throw -ErrorId 'OutputDirectoryNotWritable,*'
        { Invoke-GcTriage -Path $DumpFile.FullName -OutputDirectory $file -ErrorAction Stop } |
            Should -Throw -ErrorId 'OutputDirectoryNotWritable,*'
        $err = $null
        try { Invoke-GcTriage -Path $DumpFile.FullName -OutputDirectory (Join-Path $file 'sub') -ErrorAction Stop } catch { $err = $_ }
        $err.CategoryInfo.Category | Should -Be 'WriteError'
        $err.Exception.Message | Should -BeLike "*$file*"
    }

    It 'lists a dump it cannot read as a terminating DumpNotFound for -Path' {
        { Invoke-GcTriage -Path (Join-Path $Dir 'missing.dmp') -OutputDirectory (Join-Path $Dir 'r-missing') -ErrorAction Stop } |
            Should -Throw -ErrorId 'DumpNotFound,*'
    }

    It 'takes an open GcDump and leaves it open' {
        $d = Open-GcDump $DumpFile.FullName
        $r = $d | Invoke-GcTriage -OutputDirectory (Join-Path $Dir 'r-dump')
        ($r.TopTypes | Where-Object TypeName -eq 'GcTriage.Fixture.Gadget').Count | Should -Be 777
        $d.IsOpen | Should -BeTrue
        Close-GcDump $d
    }

    It '-FailOnFinding ends with FindingSeverityReached when a finding is that severe, after writing the report' {
        # The set-like Dictionary<long,bool> in Cache.s_seen, and its dead Entry arrays (74.6 % of the objects' bytes), and the leak
        # suspects (that dictionary, and HeapMode.s_flags' bool[]): four Info findings.
        $Report.Findings.Code | Should -Be @('DominantType', 'LeakSuspect', 'LeakSuspect', 'SetLikeCollection')
        $Report.LeakSuspects.RootName | Should -Be @('GcTriage.Fixture.Cache.s_seen', 'GcTriage.Fixture.HeapMode.s_flags')
        $Report.LikelyCauses[0].Rank | Should -Be 1
        $Report.LikelyCauses[0].Code | Should -Be 'SetLikeCollection'
        $Report.LikelyCauses[0].Text | Should -BeLike '*142,858 entries*held by GcTriage.Fixture.Cache.s_seen*BitArray*'
        $dir = Join-Path $Dir 'r-fail'
        $err = $null
        try { Invoke-GcTriage -Path $DumpFile.FullName -OutputDirectory $dir -FailOnFinding Info -OutVariable kept -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'FindingSeverityReached,*'
        $err.Exception.Message | Should -BeLike '*DominantType*'
        $kept[0] | Should -BeOfType ([GcTriage.GcTriageReport])
        Test-Path (Join-Path $dir 'report.json') | Should -BeTrue
        $r = Invoke-GcTriage -Path $DumpFile.FullName -OutputDirectory (Join-Path $Dir 'r-ok') -FailOnFinding Warning
        $r | Should -BeOfType ([GcTriage.GcTriageReport])
    }
}
