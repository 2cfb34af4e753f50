BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-GcTriageUnderTest
    $script:Dir = New-GcTempDirectory
    $script:DumpFile = Save-FixtureDump -Directory $Dir -Mode cost
    $script:Dump = Open-GcDump $DumpFile.FullName
}
AfterAll { Close-GcDump -All; Remove-GcTempDirectory $Dir }

Describe 'Get-GcCrossGenerationReference' {
    It 'finds the fixture''s gen2 objects written with fresh gen0 objects, with the field' {
        $rows = @(Get-GcCrossGenerationReference -Dump $Dump)
        $rows[0] | Should -BeOfType ([GcTriage.GcCrossGenerationStat])
        $node = $rows | Where-Object SourceType -eq 'GcTriage.Fixture.CostOldNode'
        $node.Count | Should -Be 40
        $node.SourceObjects | Should -Be 40
        $node.TargetBytes | Should -Be (40 * 24)
        $node.Field | Should -Be 'Young'
        $node.SourceGeneration | Should -Be 'Gen2'
        $node.TargetGeneration | Should -Be 'Gen0'
        # The object[100] with 25 fresh CostYoungNode is one of the gen2 Object[] sources.
        $arrays = $rows | Where-Object { $_.SourceType -eq 'System.Object[]' -and $_.SourceGeneration -eq 'Gen2' }
        $arrays.Count | Should -BeGreaterOrEqual 25
        $arrays.Field | Should -Be '[]'
        for ($i = 1; $i -lt $rows.Count; $i++) { $rows[$i].Count | Should -BeLessOrEqual $rows[$i - 1].Count }
        @(Get-GcCrossGenerationReference -Dump $Dump -Top 2).Count | Should -Be 2
    }

    It 'agrees with dotnet-dump ephrefs on every source type and generation pair' {
        $out = & dotnet tool run dotnet-dump analyze $DumpFile.FullName -c 'ephrefs' -c exit 2>&1
        $LASTEXITCODE | Should -Be 0
        $gen = @{ Generation0 = 'Gen0'; Generation1 = 'Gen1'; Generation2 = 'Gen2'; Large = 'LOH'; Pinned = 'POH' }
        $sos = @{}
        foreach ($line in $out) {
            if ("$line" -match '^\s*[0-9a-f]{8,16}\s+([0-9a-f]{8,16})\s+[\d,]+\s+(\w+)\s+(\w+)\s+([\d,]+)\s+([\d,]+)\s+(.+?)\s*$') {
                $key = '{0}|{1}|{2}' -f [Convert]::ToUInt64($Matches[1], 16), $gen[$Matches[2]], $gen[$Matches[3]]
                if (-not $sos.ContainsKey($key)) { $sos[$key] = [pscustomobject]@{ Count = 0L; Sources = 0L; Bytes = 0L } }
                $sos[$key].Count += [long]($Matches[4] -replace ',', ''); $sos[$key].Sources++; $sos[$key].Bytes += [long]($Matches[5] -replace ',', '')
            }
        }
        $sos.Count | Should -BeGreaterOrEqual 3
        $ours = @{}
        Get-GcCrossGenerationReference -Dump $Dump | ForEach-Object { $ours['{0}|{1}|{2}' -f $_.SourceMethodTable, $_.SourceGeneration, $_.TargetGeneration] = $_ }
        foreach ($k in $sos.Keys) {
            $ours[$k].Count | Should -Be $sos[$k].Count -Because "ephrefs counts $($sos[$k].Count) references for $k"
            $ours[$k].SourceObjects | Should -Be $sos[$k].Sources -Because "ephrefs lists $($sos[$k].Sources) objects for $k"
            $ours[$k].TargetBytes | Should -Be $sos[$k].Bytes
        }
        $ours.Keys | ForEach-Object { $sos.ContainsKey($_) | Should -BeTrue -Because "$_ has old-to-young references" }
    }

    It 'exports to CSV' {
        $csv = Join-Path $Dir 'ephrefs.csv'
        Get-GcCrossGenerationReference -Dump $Dump | Where-Object SourceType -like 'GcTriage.Fixture.*' | Export-Csv $csv
        $back = @(Import-Csv $csv)
        $back.Count | Should -Be 1
        $back[0].Count | Should -Be '40'
    }
}
