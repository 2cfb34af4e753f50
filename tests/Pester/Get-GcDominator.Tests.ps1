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

Describe 'Get-GcDominator' {
    It 'lists what the diamond''s top dominates, largest first: the shared child, then both sides' {
        $rows = @(Get-GcRetained -Dump $d -TypeName "${ns}GraphDiamondTop" | Get-GcDominator -Dump $d)
        $rows[0] | Should -BeOfType ([GcTriage.GcRetainedInfo])
        $rows.TypeName | Should -Be @("${ns}GraphDiamondShared", "${ns}GraphDiamondSide", "${ns}GraphDiamondSide")
        $rows.RetainedBytes | Should -Be @(1048, 24, 24)
        $top = Get-GcRetained -Dump $d -TypeName "${ns}GraphDiamondTop"
        $rows | ForEach-Object { $_.DominatorAddress | Should -Be $top.Address }
        ($rows | Measure-Object RetainedBytes -Sum).Sum + $top.Size | Should -Be $top.RetainedBytes
    }

    It 'descends the chain one node at a time, and -Top limits the rows' {
        $head = Get-GcRetained -Dump $d -Top 1
        $next = @($head | Get-GcDominator -Dump $d)
        $next.Count | Should -Be 1
        $next[0].RetainedBytes | Should -Be (4800000 - 24)
        ($next | Get-GcDominator -Dump $d).RetainedBytes | Should -Be (4800000 - 48)
        $dict = Get-GcDictionary -Dump $d -ValueType "${ns}GraphItem"
        @($dict | Get-GcDominator -Dump $d -Top 1).Count | Should -Be 1
    }

    It 'filters and exports what a dictionary holds alone' {
        $entries = @(Get-GcDictionary -Dump $d -ValueType "${ns}GraphItem" | Get-GcDominator -Dump $d)[0]
        $items = @($entries | Get-GcDominator -Dump $d -Top 5000 | Where-Object TypeName -eq "${ns}GraphItem")
        $items.Count | Should -Be 1000
        $items | ForEach-Object { $_.RetainedBytes | Should -Be 1072 }
        $csv = Join-Path $temp 'items.csv'
        $items | Select-Object -First 3 | Export-Csv $csv
        @(Import-Csv $csv)[0].RetainedBytes | Should -Be '1072'
    }

    It 'reports a bad address as InvalidAddress and goes on with the next' {
        $head = Get-GcRetained -Dump $d -Top 1
        $rows = @(Get-GcDominator -Dump $d -Address 0x10, $head.Address -ErrorVariable err -ErrorAction SilentlyContinue)
        $rows.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidAddress*'
    }
}
