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

Describe 'Get-GcLeakSuspect' {
    It 'finds the chain (no accumulation point) and the dictionary (accumulating in its entries array)' {
        $s = @(Get-GcLeakSuspect -Dump $d)
        $s[0] | Should -BeOfType ([GcTriage.GcLeakSuspect])
        $chain = $s | Where-Object TypeName -eq "${ns}GraphChainNode"
        $chain.Kind | Should -Be 'Object'
        $chain.RetainedBytes | Should -Be 4800000
        $chain.RetainedCount | Should -Be 200000
        $chain.AccumulationPointAddress | Should -BeNullOrEmpty
        $chain.RootName | Should -Be 'GcTriage.Fixture.GraphMode.s_chain'
        $chain.RootPath | Should -BeLike '`[StaticField`] GcTriage.Fixture.GraphMode.s_chain -> GcTriage.Fixture.GraphChainNode@0x*more*'

        $dict = Get-GcDictionary -Dump $d -ValueType "${ns}GraphItem"
        $items = $s | Where-Object Address -eq $dict.Address
        $items.RetainedBytes | Should -Be ($dict.ShallowBytes + 1072000)
        $items.AccumulationPointType | Should -BeLike '*Entry*[[]]'
        $entries = @($dict | Get-GcDominator -Dump $d)[0]
        $items.AccumulationPointAddress | Should -Be $entries.Address
        $items.AccumulationPointRetainedBytes | Should -Be $entries.RetainedBytes
        $entries.RetainedBytes | Should -Be ($entries.Size + 1072000)
        $items.Suspect | Should -BeLike '*retains*bytes*pile up in*'
    }

    It 'gives each share against the reachable heap, and respects -MinShare' {
        $s = @(Get-GcLeakSuspect -Dump $d)
        $s | ForEach-Object { $_.ShareOfHeap | Should -BeGreaterOrEqual 0.10 }
        $heap = $s[0].RetainedBytes / $s[0].ShareOfHeap
        foreach ($x in $s) { [math]::Abs($x.RetainedBytes / $x.ShareOfHeap - $heap) | Should -BeLessThan 1 }
        @(Get-GcLeakSuspect -Dump $d -MinShare 0.9).Count | Should -Be 0
        @(Get-GcLeakSuspect -Dump $d -MinShare 0.0001).Count | Should -BeGreaterThan $s.Count
    }

    It 'pipes into Get-GcRoot and exports to CSV (-Path)' {
        $p = @(Get-GcLeakSuspect -Path $dumpPath | Where-Object TypeName -eq "${ns}GraphChainNode" | Get-GcRoot -Dump $d -MaxPaths 1)
        $p[0].RootName | Should -Be 'GcTriage.Fixture.GraphMode.s_chain'
        $csv = Join-Path $temp 'suspects.csv'
        Get-GcLeakSuspect -Dump $d | Export-Csv $csv
        $rows = @(Import-Csv $csv)
        ($rows | Where-Object TypeName -eq "${ns}GraphChainNode").RetainedBytes | Should -Be '4800000'
    }

    It 'rejects a share outside (0, 1]' {
        { Get-GcLeakSuspect -Dump $d -MinShare 0 } | Should -Throw
        { Get-GcLeakSuspect -Dump $d -MinShare 1.5 } | Should -Throw
    }
}
