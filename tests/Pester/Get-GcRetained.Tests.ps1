# Figures: tests/GcTriage.Fixture/GraphMode.cs.
BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force; Import-GcTriageUnderTest
    $script:temp = New-GcTempDirectory
    $script:dumpPath = (Save-FixtureDump -Directory $temp -Mode graph).FullName
    $script:d = Open-GcDump -Path $dumpPath
    $script:ns = 'GcTriage.Fixture.'
}

AfterAll {
    if ($script:d) { Close-GcDump -Dump $script:d }
    Remove-GcTempDirectory $script:temp
}

Describe 'Get-GcRetained' {
    It 'lists the chain head first: 200,000 nodes of 24 bytes, held by a static field' {
        $top = @(Get-GcRetained -Dump $d -Top 3)
        $top.Count | Should -Be 3
        $top[0] | Should -BeOfType ([GcTriage.GcRetainedInfo])
        $top[0].TypeName | Should -Be "${ns}GraphChainNode"
        $top[0].RetainedBytes | Should -Be 4800000
        $top[0].RetainedCount | Should -Be 200000
        $top[0].Size | Should -Be 24
        $top[0].DominatorAddress | Should -Be 0
        $top[0].RootKind | Should -Be 'StaticField'
        $top[0].RootName | Should -Be 'GcTriage.Fixture.GraphMode.s_chain'
        $top[1].RetainedBytes | Should -BeLessOrEqual $top[0].RetainedBytes
        $top[2].RetainedBytes | Should -BeLessOrEqual $top[1].RetainedBytes
    }

    It 'retains the diamond''s shared child in its top, and the two-root target in neither holder' {
        (Get-GcRetained -Dump $d -TypeName "${ns}GraphDiamondTop").RetainedBytes | Should -Be 1128
        $sides = @(Get-GcRetained -Dump $d -TypeName "${ns}GraphDiamondSide")
        $sides.RetainedBytes | Should -Be @(24, 24)
        $holders = @(Get-GcRetained -Dump $d -TypeName "${ns}GraphShared*" | Sort-Object RetainedBytes)
        $holders.RetainedBytes | Should -Be @(24, 24, 2048)
        $holders[2].DominatorAddress | Should -Be 0
    }

    It 'gives the dictionary its arrays and every item with its 1 KB buffer (by Address from Get-GcDictionary)' {
        $dict = Get-GcDictionary -Dump $d -ValueType "${ns}GraphItem"
        $r = $dict | Get-GcRetained -Dump $d
        $r.Address | Should -Be $dict.Address
        $r.RetainedBytes | Should -Be ($dict.ShallowBytes + 1000 * 1072)
        $r.RetainedCount | Should -Be 2003
        $r.RootName | Should -Be 'GcTriage.Fixture.GraphMode.s_items'
        (Get-GcDictionary -Dump $d -ValueType "${ns}GraphItem" -Retained).RetainedBytes | Should -Be $r.RetainedBytes
    }

    It 'groups by type counting only top-most instances (-GroupBy Type)' {
        $rows = @(Get-GcRetained -Dump $d -GroupBy Type -TypeName "${ns}GraphChainNode", "${ns}GraphItem", "${ns}GraphCycleNode")
        $rows[0] | Should -BeOfType ([GcTriage.GcRetainedTypeStat])
        ($rows | ForEach-Object { '{0}={1}/{2}' -f $_.TypeName, $_.Count, $_.RetainedBytes }) |
            Should -Be @("${ns}GraphChainNode=1/4800000", "${ns}GraphItem=1000/1072000", "${ns}GraphCycleNode=1/468")
    }

    It 'pipes into Get-GcRoot and exports to CSV with raw invariant numbers' {
        $p = @(Get-GcRetained -Dump $d -Top 1 | Get-GcRoot -Dump $d -MaxPaths 1)
        $p[0].RootName | Should -Be 'GcTriage.Fixture.GraphMode.s_chain'
        $csv = Join-Path $temp 'retained.csv'
        Get-GcRetained -Dump $d -Top 2 | Export-Csv $csv
        $rows = @(Import-Csv $csv)
        $rows.Count | Should -Be 2
        $rows[0].RetainedBytes | Should -Be '4800000'
        $rows[0].ShareOfHeap | Should -Match '^0\.\d+'
    }

    It 'works with -Path, and reports a bad address as InvalidAddress' {
        (Get-GcRetained -Path $dumpPath -Top 1).RetainedBytes | Should -Be 4800000
        Get-GcRetained -Dump $d -Address 0x10 -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidAddress*'
    }
}
