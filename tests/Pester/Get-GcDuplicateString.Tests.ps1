BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-GcTriageUnderTest
    $script:Dir = New-GcTempDirectory
    $script:DumpFile = Save-FixtureDump -Directory $Dir -Mode cost
    $script:Dump = Open-GcDump $DumpFile.FullName
}
AfterAll { Close-GcDump -All; Remove-GcTempDirectory $Dir }

Describe 'Get-GcDuplicateString' {
    It 'counts the fixture duplicates exactly, with the field holding them, and no values' {
        $rows = @(Get-GcDuplicateString -Dump $Dump)
        $rows[0] | Should -BeOfType ([GcTriage.GcDuplicateString])
        # 500 built at run time plus the literal itself (in the frozen segment); a string of n chars takes 22 + 2n bytes.
        $alpha = $rows[0]
        $alpha.Count | Should -Be 501
        $alpha.Length | Should -Be 20
        $alpha.Size | Should -Be 62
        $alpha.WastedBytes | Should -Be (500 * 62)
        $alpha.HoldingField | Should -Be 'GcTriage.Fixture.CostStringHolder.Label'
        $beta = $rows[1]
        $beta.Count | Should -Be 301
        $beta.Length | Should -Be 11
        $beta.WastedBytes | Should -Be (300 * 44)
        $beta.HoldingField | Should -Be 'GcTriage.Fixture.CostStringHolder.Label'
        $rows | ForEach-Object { $_.Value | Should -BeNullOrEmpty }
        $rows | ForEach-Object { $_.Count | Should -BeGreaterOrEqual 2 }
        for ($i = 1; $i -lt $rows.Count; $i++) { $rows[$i].WastedBytes | Should -BeLessOrEqual $rows[$i - 1].WastedBytes }
    }

    It 'prints values only with -IncludeValues, and -MinCount and -Top cut the list' {
        $v = @(Get-GcDuplicateString -Dump $Dump -IncludeValues -Top 2)
        $v.Count | Should -Be 2
        $v[0].Value | Should -Be 'dup-alpha-0123456789'
        $v[1].Value | Should -Be 'dup-beta-42'
        @(Get-GcDuplicateString -Dump $Dump -IncludeValues) | Where-Object { $_.Value -like 'uniq-*' } | Should -BeNullOrEmpty
        $big = @(Get-GcDuplicateString -Dump $Dump -MinCount 400)
        $big.Count | Should -Be 1
        $big[0].Count | Should -Be 501
        (Get-GcObject -Dump $Dump -Address $big[0].Address).TypeName | Should -Be 'System.String'
        (Get-GcDuplicateString -Dump $Dump -Top 1 -NoHoldingField).HoldingField | Should -BeNullOrEmpty
    }

    It 'counts what dumpheap -stat counts: every string is in one group or alone' {
        $strings = (Get-GcHeapStat -Dump $Dump -TypeName 'System.String').Count
        $dups = Get-GcDuplicateString -Dump $Dump -Top 100000
        ($dups | Measure-Object Count -Sum).Sum | Should -BeLessOrEqual $strings
        ($dups | Measure-Object Count -Sum).Sum | Should -BeGreaterOrEqual 802
    }

    It 'exports to CSV without values' {
        $csv = Join-Path $Dir 'dups.csv'
        Get-GcDuplicateString -Dump $Dump | Where-Object WastedBytes -gt 10KB | Export-Csv $csv
        $back = @(Import-Csv $csv)
        $back.Count | Should -Be 2
        $back[0].Value | Should -BeNullOrEmpty
        Get-Content $csv -Raw | Should -Not -Match 'dup-alpha'
    }
}
