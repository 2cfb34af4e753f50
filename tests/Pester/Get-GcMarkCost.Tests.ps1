BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-GcTriageUnderTest
    $script:Dir = New-GcTempDirectory
    $script:DumpFile = Save-FixtureDump -Directory $Dir -Mode cost
    $script:Dump = Open-GcDump $DumpFile.FullName
}
AfterAll { Close-GcDump -All; Remove-GcTempDirectory $Dir }

Describe 'Get-GcMarkCost' {
    It 'counts the live objects of the fixture types and the references they hold' {
        $rows = @(Get-GcMarkCost -Dump $Dump)
        $rows[0] | Should -BeOfType ([GcTriage.GcMarkCostStat])
        $by = @{}; foreach ($r in $rows) { $by[$r.TypeName] = $r }
        # 850 holders, each with its Label; their array holds all 850.
        $by['GcTriage.Fixture.CostStringHolder'].LiveObjects | Should -Be 850
        $by['GcTriage.Fixture.CostStringHolder'].References | Should -Be 850
        $by['GcTriage.Fixture.CostStringHolder'].Gen2Objects | Should -Be 850
        $by['GcTriage.Fixture.CostStringHolder[]'].References | Should -Be 850
        # 50 old nodes, 40 of them written with a young node.
        $by['GcTriage.Fixture.CostOldNode'].LiveObjects | Should -Be 50
        $by['GcTriage.Fixture.CostOldNode'].References | Should -Be 40
        $by['GcTriage.Fixture.CostOldNode'].LiveBytes | Should -Be (50 * 32)
        $by['GcTriage.Fixture.CostYoungNode'].LiveObjects | Should -Be 65
        $by['GcTriage.Fixture.CostYoungNode'].Gen0Objects | Should -Be 65
        # The 20 pinned CostSlot[] arrays hold no references at all: bytes that cost marking nothing.
        $by['GcTriage.Fixture.CostSlot[]'].LiveObjects | Should -Be 20
        $by['GcTriage.Fixture.CostSlot[]'].References | Should -Be 0
        $rows | ForEach-Object { $_.Truncated | Should -BeFalse }
        for ($i = 1; $i -lt $rows.Count; $i++) { $rows[$i].References | Should -BeLessOrEqual $rows[$i - 1].References }
    }

    It 'counts only live objects, as Get-GcHeapStat -Live does, and filters -Generation' {
        $live = @{}; Get-GcHeapStat -Dump $Dump -Live | ForEach-Object { $live[$_.TypeName] = $_ }
        foreach ($r in Get-GcMarkCost -Dump $Dump) {
            $r.LiveObjects | Should -Be $live[$r.TypeName].Count -Because "$($r.TypeName) has $($live[$r.TypeName].Count) live objects"
            $r.LiveBytes | Should -Be $live[$r.TypeName].TotalSize
        }
        $young = @(Get-GcMarkCost -Dump $Dump -Generation Gen0)
        ($young | Where-Object TypeName -eq 'GcTriage.Fixture.CostYoungNode').LiveObjects | Should -Be 65
        $young | Where-Object TypeName -eq 'GcTriage.Fixture.CostStringHolder' | Should -BeNullOrEmpty
    }

    It 'exports the pointer-free types to CSV' {
        $csv = Join-Path $Dir 'mark.csv'
        Get-GcMarkCost -Dump $Dump | Where-Object { $_.References -eq 0 -and $_.TypeName -like 'GcTriage.Fixture.*' } | Export-Csv $csv
        (Import-Csv $csv).TypeName | Should -Contain 'GcTriage.Fixture.CostSlot[]'
    }
}
