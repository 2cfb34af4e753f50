BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force; Import-GcTriageUnderTest
    $script:temp = New-GcTempDirectory
    $script:dumpPath = (Save-FixtureDump -Directory $temp).FullName
    $script:d = Open-GcDump -Path $dumpPath
    $script:all = @(Get-GcDictionary -Dump $d)
    $script:seen = @($all | Where-Object TypeName -eq 'System.Collections.Generic.Dictionary<System.Int64, System.Boolean>')
}

AfterAll {
    if ($script:d) { Close-GcDump -Dump $script:d }
    Remove-GcTempDirectory $script:temp
}

Describe 'Get-GcDictionary' {
    It 'reads the set-like Dictionary of long to bool with its exact figures' {
        $seen.Count | Should -Be 1
        $s = $seen[0]
        $s | Should -BeOfType ([GcTriage.GcCollectionInfo])
        $s.Kind | Should -Be 'Dictionary'
        $s.Count | Should -Be 142858
        $s.Capacity | Should -Be 156437
        $s.FreeCount | Should -Be 0
        $s.KeyMin | Should -Be 0
        $s.KeyMax | Should -Be 999999
        $s.IsSetLike | Should -BeTrue
        $s.SetValue | Should -Be 'True'
        $s.Generation | Should -Be 'LOH'
        $s.ShallowBytes | Should -Be (80 + 625772 + 3754512)
        $s.Advice.HashSetBytes | Should -Be (64 + 625772 + 2503016)
        $s.Advice.BitArrayBytes | Should -Be (32 + 125024)
        $s.Advice.Recommended | Should -Be 'BitArray'
    }

    It 'sorts by ShallowBytes and honours -Top' {
        $top = @(Get-GcDictionary -Dump $d -Top 1)
        $top.Count | Should -Be 1
        $top[0].Address | Should -Be $seen[0].Address
        $sizes = $all.ShallowBytes
        ($sizes | Sort-Object -Descending) -join ',' | Should -Be ($sizes -join ',')
    }

    It 'filters by -Kind, -KeyType, -ValueType and -MinCount' {
        $set = @(Get-GcDictionary -Dump $d -Kind HashSet -KeyType Int32 -MinCount 750)
        $set.Count | Should -Be 1
        $set[0].Count | Should -Be 750
        $set[0].FreeCount | Should -Be 250
        $set[0].Capacity | Should -Be 1931
        $cd = @(Get-GcDictionary -Dump $d -Kind Concurrent* -KeyType System.String -ValueType Int32 -MinCount 100)
        $cd.Count | Should -Be 1
        $cd[0].Count | Should -Be 100
        @(Get-GcDictionary -Dump $d -KeyType Guid)[0].Count | Should -Be 50
    }

    It 'computes RetainedBytes for reference values with -Retained' {
        $g = @(Get-GcDictionary -Dump $d -KeyType Guid -Retained)[0]
        $g.RetainedBytes | Should -Be ($g.ShallowBytes + 50 * 96)
        $g.Truncated | Should -BeFalse
        @(Get-GcDictionary -Dump $d -KeyType Guid)[0].RetainedBytes | Should -BeNullOrEmpty
    }

    It 'keeps only live instances with -Live' {
        $live = @(Get-GcDictionary -Dump $d -Live -KeyType Int64 -ValueType Boolean)
        $live.Count | Should -Be 1
        $live[0].Live | Should -BeTrue
    }

    It 'works with -Path, exports to CSV, and shows a table' {
        $csv = Join-Path $temp 'dicts.csv'
        Get-GcDictionary -Path $dumpPath -MinCount 142858 | Select-Object Address, Count, Capacity, KeyMin, KeyMax | Export-Csv $csv
        $rows = @(Import-Csv $csv)
        $rows.Count | Should -Be 1
        $rows[0].Capacity | Should -Be '156437'
        ($seen | Format-Table | Out-String -Width 400) | Should -Match 'BitArray'
    }

    It 'writes an error for a missing dump and goes on' {
        $out = @(Get-GcDictionary -Path (Join-Path $temp 'nope.dmp') -ErrorVariable err -ErrorAction SilentlyContinue)
        $out.Count | Should -Be 0
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DumpNotFound*'
    }
}
