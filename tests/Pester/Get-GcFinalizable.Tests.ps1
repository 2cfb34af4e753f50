BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-GcTriageUnderTest
    $script:Dir = New-GcTempDirectory
    $script:DumpFile = Save-FixtureDump -Directory $Dir -Mode cost
    $script:Dump = Open-GcDump $DumpFile.FullName
}
AfterAll { Close-GcDump -All; Remove-GcTempDirectory $Dir }

Describe 'Get-GcFinalizable' {
    It 'counts the fixture finalizables exactly, with the 200 the blocked finalizer thread never ran' {
        $r = Get-GcFinalizable -Dump $Dump -WarningVariable warn -WarningAction SilentlyContinue | Where-Object TypeName -eq 'GcTriage.Fixture.CostFinalizable'
        $r | Should -BeOfType ([GcTriage.GcFinalizableStat])
        $r.Count | Should -Be 300
        $r.Bytes | Should -Be (300 * 24)
        $r.ReadyForFinalization | Should -Be 200
        $r.ReadyBytes | Should -Be (200 * 24)
        "$warn" | Should -BeLike '*ready for finalization*'
    }

    It 'lists only the backlog with -ReadyOnly, and sums with -Total' {
        $ready = @(Get-GcFinalizable -Dump $Dump -ReadyOnly -WarningAction SilentlyContinue)
        ($ready | Where-Object TypeName -eq 'GcTriage.Fixture.CostFinalizable').Count | Should -Be 200
        $ready | ForEach-Object { $_.Count | Should -Be $_.ReadyForFinalization }
        $total = Get-GcFinalizable -Dump $Dump -Total -WarningAction SilentlyContinue
        $total.IsTotal | Should -BeTrue
        $all = Get-GcFinalizable -Dump $Dump -WarningAction SilentlyContinue
        $total.Count | Should -Be (($all | Measure-Object Count -Sum).Sum)
        $total.ReadyForFinalization | Should -Be (($ready | Measure-Object Count -Sum).Sum)
    }

    It 'agrees with dotnet-dump finalizequeue on every type and on the ready count' {
        $out = & dotnet tool run dotnet-dump analyze $DumpFile.FullName -c 'finalizequeue' -c exit 2>&1
        $LASTEXITCODE | Should -Be 0
        $sos = @{}; $sosBytes = @{}; $readySos = 0; $inStats = $false
        foreach ($line in $out) {
            if ("$line" -match '^Ready for finalization ([\d,]+) objects') { $readySos += [long]($Matches[1] -replace ',', '') }
            elseif ("$line" -match '^Statistics:') { $inStats = $true }
            elseif ($inStats -and "$line" -match '^\s*([0-9a-f]{8,16})\s+([\d,]+)\s+([\d,]+)\s+(.+?)\s*$') {
                $sos[$Matches[4]] = [long]($Matches[2] -replace ',', ''); $sosBytes[$Matches[4]] = [long]($Matches[3] -replace ',', '')
            }
        }
        $sos.Count | Should -BeGreaterThan 5
        $readySos | Should -Be 200
        $rows = Get-GcFinalizable -Dump $Dump -WarningAction SilentlyContinue
        ($rows | Measure-Object ReadyForFinalization -Sum).Sum | Should -Be $readySos
        $ours = @{}; foreach ($r in $rows) { $ours[$r.TypeName] = $r }
        foreach ($t in $sos.Keys) {
            $ours[$t].Count | Should -Be $sos[$t] -Because "finalizequeue counts $($sos[$t]) of $t"
            $ours[$t].Bytes | Should -Be $sosBytes[$t]
        }
        $ours.Keys | ForEach-Object { $sos.ContainsKey($_) | Should -BeTrue -Because "$_ is finalizable" }
    }

    It 'exports to CSV for a filter on the backlog' {
        $csv = Join-Path $Dir 'fin.csv'
        Get-GcFinalizable -Dump $Dump -WarningAction SilentlyContinue | Where-Object ReadyForFinalization -gt 0 | Export-Csv $csv
        $back = @(Import-Csv $csv)
        $back.Count | Should -Be 1
        $back[0].ReadyForFinalization | Should -Be '200'
    }
}
