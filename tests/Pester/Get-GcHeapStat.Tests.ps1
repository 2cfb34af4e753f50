BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-GcTriageUnderTest
    $script:Dir = New-GcTempDirectory
    $script:DumpFile = Save-FixtureDump -Directory $Dir
    $script:Dump = Open-GcDump $DumpFile.FullName
    $script:EntryType = 'System.Collections.Generic.Dictionary<System.Int64, System.Boolean>+Entry[]'
    # The capacities a Dictionary<long,bool> grows through from empty to 142,858 keys.
    $script:Capacities = 3, 7, 17, 37, 89, 197, 431, 919, 1931, 4049, 8419, 17519, 36353, 75431, 156437
    # Count by type name from dotnet-dump's dumpheap -stat table (MT Count TotalSize Class Name).
    function script:Get-SosCounts([string] $Path, [string] $Command) {
        $out = & dotnet tool run dotnet-dump analyze $Path -c $Command -c exit 2>&1
        $LASTEXITCODE | Should -Be 0
        $sos = @{}
        foreach ($line in $out) {
            if ("$line" -match '^\s*([0-9a-f]{8,16})\s+([\d,]+)\s+([\d,]+)\s+(.+?)\s*$') {
                $sos[$Matches[4]] = [long]($Matches[2] -replace ',', '')
            }
        }
        $sos
    }
}
AfterAll { Close-GcDump -All; Remove-GcTempDirectory $Dir }

Describe 'Get-GcHeapStat' {
    It 'counts the fixture types exactly, with sizes per generation' {
        $w = Get-GcHeapStat -Dump $Dump -TypeName 'GcTriage.Fixture.Widget'
        $w | Should -BeOfType ([GcTriage.GcTypeStat])
        $w.Count | Should -Be 1000
        $w.TotalSize | Should -Be 40000
        $w.Gen0Size | Should -Be 40000
        $g = Get-GcHeapStat -Dump $Dump -TypeName 'GcTriage.Fixture.Gadget'
        $g.Count | Should -Be 777
        $g.TotalSize | Should -Be (777 * 32)
    }

    It 'counts the arrays a resized Dictionary left behind, and -Live drops them' {
        $all = Get-GcHeapStat -Dump $Dump -TypeName ($EntryType -replace '\[', '`[' -replace '\]', '`]')
        $all.Count | Should -Be 15
        $all.TotalSize | Should -Be (($Capacities | ForEach-Object { 24 + 24 * $_ } | Measure-Object -Sum).Sum)
        $live = Get-GcHeapStat -Dump $Dump -TypeName '*Int64, System.Boolean>+Entry*' -Live
        $live.Count | Should -Be 1
        $live.TotalSize | Should -Be (24 + 24 * 156437)
        $live.LohSize | Should -Be $live.TotalSize
        $live.Live | Should -BeTrue
        $live.Truncated | Should -BeFalse
        (Get-GcHeapStat -Dump $Dump -TypeName 'GcTriage.Fixture.Gadget' -Live).Count | Should -Be 500
    }

    It 'puts the bool[] on the LOH and the pinned array on the POH' {
        (Get-GcHeapStat -Dump $Dump -TypeName 'System.Boolean`[`]').LohSize | Should -Be 1000024
        (Get-GcHeapStat -Dump $Dump -TypeName 'System.Byte`[`]' -Generation POH).PohSize | Should -BeGreaterOrEqual 1024
    }

    It 'sorts by TotalSize, honours -Top, and the generations add up' {
        $rows = Get-GcHeapStat -Dump $Dump
        $rows[0].TypeName | Should -Be $EntryType
        for ($i = 1; $i -lt $rows.Count; $i++) { $rows[$i].TotalSize | Should -BeLessOrEqual $rows[$i - 1].TotalSize }
        foreach ($r in $rows) { $r.Gen0Size + $r.Gen1Size + $r.Gen2Size + $r.LohSize + $r.PohSize + $r.FrozenSize | Should -Be $r.TotalSize }
        @(Get-GcHeapStat -Dump $Dump -Top 3).Count | Should -Be 3
        $Dump.ObjectCount | Should -Be (($rows | Measure-Object Count -Sum).Sum)
    }

    It 'agrees with dotnet-dump dumpheap -stat on every type' {
        $sos = Get-SosCounts $DumpFile.FullName 'dumpheap -stat'
        $sos.Count | Should -BeGreaterThan 50
        $ours = @{}
        Get-GcHeapStat -Dump $Dump | ForEach-Object { $ours[$_.TypeName] = $_.Count }
        foreach ($t in $sos.Keys) { $ours[$t] | Should -Be $sos[$t] -Because "dumpheap -stat counts $($sos[$t]) of $t" }
        foreach ($t in $ours.Keys | Where-Object { $_ -ne 'Free' }) { $sos.ContainsKey($t) | Should -BeTrue -Because "$t is on the heap" }
    }

    It 'agrees with dotnet-dump dumpheap -stat -live on every type, on the heap and the references fixtures' {
        # -Live marks over the reference graph (dependent handles and collectible types' loader allocators are edges); the
        # references fixture has both, a 200,000-deep chain and a ring.
        $refsFile = Save-FixtureDump -Directory $Dir -Mode references
        foreach ($file in $DumpFile, $refsFile) {
            $sos = Get-SosCounts $file.FullName 'dumpheap -stat -live'
            $sos.Count | Should -BeGreaterThan 20
            $ours = @{}
            $d = Open-GcDump $file.FullName
            Get-GcHeapStat -Dump $d -Live | ForEach-Object { $ours[$_.TypeName] = $_.Count }
            Close-GcDump -Dump $d
            foreach ($t in $sos.Keys) { $ours[$t] | Should -Be $sos[$t] -Because "dumpheap -stat -live counts $($sos[$t]) of $t in $($file.Name)" }
            foreach ($t in $ours.Keys) { $sos.ContainsKey($t) | Should -BeTrue -Because "$t is live in $($file.Name)" }
        }
        $sos['GcTriage.Fixture.ChainNode'] | Should -Be 200003
    }

    It 'walks the heap once per session: -Path reuses the open session' {
        $Dump.ObjectCount | Should -BeGreaterThan 0
        $r = Get-GcHeapStat -Path $DumpFile.FullName -TypeName 'GcTriage.Fixture.Widget'
        $r.Count | Should -Be 1000
    }

    It 'with -Path alone, opens and closes its own session and leaves no file open' {
        $copy = Join-Path $Dir 'copy.dmp'
        Copy-Item $DumpFile.FullName $copy
        (Get-ChildItem $copy | Get-GcHeapStat -TypeName 'GcTriage.Fixture.Widget').Count | Should -Be 1000
        if ($IsLinux) {
            $open = Get-ChildItem /proc/$PID/fd -ErrorAction SilentlyContinue | ForEach-Object { $_.LinkTarget } | Where-Object { $_ -eq $copy }
            $open | Should -BeNullOrEmpty
        }
        Remove-Item $copy
    }

    It 'says what to give when neither -Path nor -Dump is (DumpNotGiven, not "missing mandatory parameters: Path")' {
        $e = { Get-GcHeapStat -Top 1 } | Should -Throw -ErrorId 'DumpNotGiven,GcTriage.Commands.GetGcHeapStatCommand' -PassThru
        $e.Exception.Message | Should -BeLike 'Get-GcHeapStat reads a dump, and none was given: add -Path <dump file>, or -Dump <session> from Open-GcDump*'
        # The session the file has open is named, so that the fix is one copy away.
        $e.Exception.Message | Should -BeLike "*(open now: *'$($DumpFile.FullName)'*"
        $e.ErrorDetails.RecommendedAction | Should -Be 'Get-GcHeapStat -Path ./app.dmp, or: $d = Open-GcDump ./app.dmp; Get-GcHeapStat -Dump $d'
        $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
        # The same for every command that reads a dump, through the base class.
        { Get-GcDictionary -Top 1 } | Should -Throw -ErrorId 'DumpNotGiven,GcTriage.Commands.GetGcDictionaryCommand'
        { Get-GcRoot -Address 1 } | Should -Throw -ErrorId 'DumpNotGiven,GcTriage.Commands.GetGcRootCommand'
    }

    It 'writes DumpNotFound for a missing path and goes on with the next' {
        $r = Get-GcHeapStat -Path (Join-Path $Dir 'missing.dmp'), $DumpFile.FullName -TypeName 'GcTriage.Fixture.Widget' -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DumpNotFound,*'
        $r.Count | Should -Be 1000
    }

    It 'exports to CSV with raw numbers' {
        $csv = Join-Path $Dir 'stats.csv'
        Get-GcHeapStat -Dump $Dump -Top 5 | Export-Csv $csv
        $back = Import-Csv $csv
        $back.Count | Should -Be 5
        [long]$back[0].TotalSize | Should -Be (24 + 24 * (($Capacities | Measure-Object -Sum).Sum) + 24 * 14)
    }
}
