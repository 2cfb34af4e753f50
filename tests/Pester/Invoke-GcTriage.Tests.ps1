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
        # Plain CSV for Excel and pandas: the header first; the schema version is in report.json and schema.json.
        (Get-Content (Join-Path $Out 'types.csv') -TotalCount 1) | Should -BeLike '"TypeName","MethodTable","Count","TotalSize",*'
        $schema = Get-Content (Join-Path $Out 'schema.json') -Raw | ConvertFrom-Json
        $schema.schemaVersion | Should -Be ([GcTriage.GcTriageSchema]::Version)
        $schema.csv | Should -Contain 'types.csv'
        foreach ($f in Get-ChildItem $Out -Filter '*.csv') {
            $schema.csv | Should -Contain $f.Name
            (Get-Content $f.FullName -TotalCount 1) | Should -Not -BeLike '#*' -Because "$($f.Name) has no comment line"
        }
        $w = $types | Where-Object TypeName -eq 'GcTriage.Fixture.Widget'
        $w.Count | Should -Be '1000'
        $w.TotalSize | Should -Be '40000'
        $w.Gen0Size | Should -Be '40000'
        $types.Count | Should -Be @($Report.TopTypes).Count
        # The CSV is a snapshot Compare-GcHeap takes back.
        $d = Compare-GcHeap -ReferenceObject $types -DifferenceObject $Report.TopTypes -ExcludeUnchanged
        $d | Should -BeNullOrEmpty
    }

    It 'still takes back a CSV of an older report, whose first line was "#GcTriage schemaVersion=..."' {
        $old = Join-Path $Dir 'old-types.csv'
        Set-Content $old -Value (@("#GcTriage schemaVersion=1.0 table=types") + @(Get-Content (Join-Path $Out 'types.csv')))
        $back = Import-Csv $old
        @($back).Count | Should -Be @($Report.TopTypes).Count
        $d = Compare-GcHeap -ReferenceObject $back -DifferenceObject $Report.TopTypes -ExcludeUnchanged
        $d | Should -BeNullOrEmpty
    }

    It 'writes enums as names in report.json' {
        $j = Get-Content (Join-Path $Out 'report.json') -Raw | ConvertFrom-Json
        $j.findings[0].severity | Should -BeOfType ([string])
        $j.findings[0].severity | Should -Be ([string]$Report.Findings[0].Severity)
        $gen = ($j.topTypes | Where-Object typeName -eq 'GcTriage.Fixture.Widget')
        $gen | Should -Not -BeNullOrEmpty
        ($j.collections | Select-Object -First 1).generation | Should -Be ([string]($Report.Collections | Select-Object -First 1).Generation)
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

    It 'leaves no folder behind when the dump cannot be read, and keeps a folder that was there before' {
        $garbage = Join-Path $Dir 'garbage.dmp'
        Set-Content -LiteralPath $garbage -Value ('not a dump ' * 100)
        $fresh = Join-Path $Dir 'r-garbage'
        { Invoke-GcTriage -Path $garbage -OutputDirectory $fresh -ErrorAction Stop } | Should -Throw -ErrorId 'DumpFormat,*'
        Test-Path -LiteralPath $fresh | Should -BeFalse

        $existing = Join-Path $Dir 'r-existing'
        $null = New-Item -ItemType Directory -Path $existing
        { Invoke-GcTriage -Path $garbage -OutputDirectory $existing -ErrorAction Stop } | Should -Throw -ErrorId 'DumpFormat,*'
        Test-Path -LiteralPath $existing -PathType Container | Should -BeTrue
    }

    It 'takes an open GcDump and leaves it open' {
        $d = Open-GcDump $DumpFile.FullName
        $r = $d | Invoke-GcTriage -OutputDirectory (Join-Path $Dir 'r-dump')
        ($r.TopTypes | Where-Object TypeName -eq 'GcTriage.Fixture.Gadget').Count | Should -Be 777
        $d.IsOpen | Should -BeTrue
        Close-GcDump $d
    }

    It '-FailOnFinding ends with FindingSeverityReached when a finding is that severe, after writing the report' {
        # The set-like Dictionary<long,bool> in Cache.s_seen (a Warning: its advice gives back between 10 and 50 % of the heap's
        # objects), its dead Entry arrays (74.6 % of the objects' bytes) and the leak suspects (that dictionary, and HeapMode.s_flags'
        # bool[]): three Info findings.
        $Report.Findings.Code | Should -Be @('SetLikeCollection', 'DominantType', 'LeakSuspect', 'LeakSuspect')
        $Report.Findings.Severity | Should -Be @('Warning', 'Info', 'Info', 'Info')
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
        $r = Invoke-GcTriage -Path $DumpFile.FullName -OutputDirectory (Join-Path $Dir 'r-ok') -FailOnFinding Critical
        $r | Should -BeOfType ([GcTriage.GcTriageReport])
    }
}

Describe 'Invoke-GcTriage -ProcessId' {
    It 'names the application, not "dotnet", and with -RemoveDump names no dump it deleted' {
        $fixture = Start-GcFixture -Mode gc
        try {
            $fixture.Send('tick 150 gen0 1')
            $out = Join-Path $Dir 'live'
            $r = Invoke-GcTriage -ProcessId $fixture.Id -Duration '00:00:02' -OutputDirectory $out -CaptureDump Always -RemoveDump
        }
        finally { Stop-GcFixture $fixture }
        $r.ProcessName | Should -Be 'dotnet'
        $r.ApplicationName | Should -Be 'GcTriage.Fixture'
        $r.Target | Should -Be "GcTriage.Fixture (process $($fixture.Id))"
        $html = Get-Content (Join-Path $out 'report.html') -Raw
        $html | Should -Match "<title>GC triage: GcTriage\.Fixture \(process $($fixture.Id)\)</title>"
        # The dump was read (the heap parts are there), then deleted: nothing in the report points at it.
        @($r.TopTypes).Count | Should -BeGreaterThan 0
        @(Get-ChildItem $out -Filter '*.dmp').Count | Should -Be 0
        $r.DumpPath | Should -BeNullOrEmpty
        $r.CaptureStatus | Should -BeLike 'Captured, read, then deleted (GcTriage.Fixture-*.dmp)'
        $html | Should -Not -Match '<b>Dump:</b>'
        (Get-Content (Join-Path $out 'report.json') -Raw | ConvertFrom-Json).dumpPath | Should -BeNullOrEmpty
        # "% paused" lines up with the other numbers: right-aligned, two decimals.
        $html | Should -Match '<th>% paused</th>'
        $html | Should -Match '<td>\d+\.\d\d</td></tr>'
    }
}
