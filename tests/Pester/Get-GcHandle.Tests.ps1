BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-GcTriageUnderTest
    $script:Dir = New-GcTempDirectory
    $script:DumpFile = Save-FixtureDump -Directory $Dir -Mode cost
    $script:Dump = Open-GcDump $DumpFile.FullName
}
AfterAll { Close-GcDump -All; Remove-GcTempDirectory $Dir }

Describe 'Get-GcHandle' {
    It 'counts the fixture handles exactly by kind and target type' {
        $rows = Get-GcHandle -Dump $Dump -TypeName 'GcTriage.Fixture.*'
        $rows | Should -BeOfType ([GcTriage.GcHandleStat])
        $by = @{}
        foreach ($r in $rows) { $by["$($r.Kind) $($r.TypeName)"] = $r }
        $by['Strong GcTriage.Fixture.CostStrongTarget'].Count | Should -Be 7
        $by['Strong GcTriage.Fixture.CostStrongTarget'].TargetBytes | Should -Be (7 * 24)
        $by['Pinned GcTriage.Fixture.CostPinnedTarget'].Count | Should -Be 5
        $by['Pinned GcTriage.Fixture.CostPinnedTarget'].TargetBytes | Should -Be (5 * 32)
        $by['WeakShort GcTriage.Fixture.CostWeakShortTarget'].Count | Should -Be 4
        $by['WeakLong GcTriage.Fixture.CostWeakLongTarget'].Count | Should -Be 3
        $by['Dependent GcTriage.Fixture.CostDependentKey'].Count | Should -Be 6
        # Every 100th of 2,000 CostSlot[64] (16-byte structs): 24 + 64 * 16 bytes each.
        $by['Pinned GcTriage.Fixture.CostSlot[]'].Count | Should -Be 20
        $by['Pinned GcTriage.Fixture.CostSlot[]'].TargetBytes | Should -Be (20 * (24 + 64 * 16))
        $rows.Count | Should -Be 6
    }

    It 'lists each handle with -Detail, dependent handles with their secondary object' {
        $dep = @(Get-GcHandle -Dump $Dump -Kind Dependent -TypeName 'GcTriage.Fixture.CostDependentKey' -Detail)
        $dep.Count | Should -Be 6
        $dep[0] | Should -BeOfType ([GcTriage.GcHandleInfo])
        $dep | ForEach-Object { $_.DependentTypeName | Should -Be 'GcTriage.Fixture.CostDependentValue'; $_.Size | Should -Be 24; $_.HandleAddress | Should -Not -Be 0 }
        $pinned = @(Get-GcHandle -Dump $Dump -Kind Pinned -TypeName 'GcTriage.Fixture.CostSlot*' -Detail)
        $pinned.Count | Should -Be 20
        $pinned | ForEach-Object { $_.Size | Should -Be 1048; (Get-GcObject -Dump $Dump -Address $_.Address).Generation | Should -Be $_.Generation }
        @(Get-GcHandle -Dump $Dump -Detail -Top 3).Count | Should -Be 3
    }

    It 'agrees with dotnet-dump gchandles -stat on every kind and every target type' {
        $out = & dotnet tool run dotnet-dump analyze $DumpFile.FullName -c 'gchandles -stat' -c exit 2>&1
        $LASTEXITCODE | Should -Be 0
        $types = @{}; $bytes = @{}; $kinds = @{}
        $names = @{ 'Strong' = 'Strong'; 'Pinned' = 'Pinned'; 'Async Pinned' = 'AsyncPinned'; 'Ref Count' = 'RefCounted'; 'Weak Long' = 'WeakLong'
            'Weak Short' = 'WeakShort'; 'Dependent' = 'Dependent'; 'SizedRef' = 'SizedRef' }
        foreach ($line in $out) {
            if ("$line" -match '^\s*([0-9a-f]{8,16})\s+([\d,]+)\s+([\d,]+)\s+(.+?)\s*$') {
                # SOS names generic types its own way ([[T, assembly]]): rows match by method table.
                $mt = [Convert]::ToUInt64($Matches[1], 16)
                $types[$mt] = [long]($Matches[2] -replace ',', ''); $bytes[$mt] = [long]($Matches[3] -replace ',', '')
            }
            elseif ("$line" -match '^\s*(.+?) Handles:\s+([\d,]+)\s*$') { $kinds[$names[$Matches[1]]] = [long]($Matches[2] -replace ',', '') }
        }
        $kinds.Count | Should -BeGreaterOrEqual 5
        $types.Count | Should -BeGreaterThan 10
        $rows = Get-GcHandle -Dump $Dump
        $ourKinds = @{}; $ourTypes = @{}; $ourBytes = @{}
        foreach ($r in $rows) {
            $ourKinds["$($r.Kind)"] += $r.Count
            $ourTypes[$r.MethodTable] += $r.Count
            $ourBytes[$r.MethodTable] += $r.TargetBytes
        }
        foreach ($k in $kinds.Keys) { $ourKinds[$k] | Should -Be $kinds[$k] -Because "gchandles counts $($kinds[$k]) $k handles" }
        $ourKinds.Keys | ForEach-Object { $kinds.ContainsKey($_) | Should -BeTrue -Because "SOS lists $_ handles" }
        foreach ($t in $types.Keys) {
            $ourTypes[$t] | Should -Be $types[$t] -Because ("gchandles counts {0} handles to MT 0x{1:x}" -f $types[$t], $t)
            $ourBytes[$t] | Should -Be $bytes[$t] -Because ("gchandles sums {0} bytes of MT 0x{1:x}" -f $bytes[$t], $t)
        }
        $ourTypes.Keys | ForEach-Object { $types.ContainsKey($_) | Should -BeTrue -Because ("MT 0x{0:x} is a handle target" -f $_) }
    }

    It 'filters by -Kind and exports to CSV with raw numbers' {
        $csv = Join-Path $Dir 'handles.csv'
        Get-GcHandle -Dump $Dump -Kind Pinned, AsyncPinned | Export-Csv $csv
        $back = @(Import-Csv $csv)
        $back.Kind | Sort-Object -Unique | Should -Be 'Pinned'
        ($back | Where-Object TypeName -eq 'GcTriage.Fixture.CostSlot[]').TargetBytes | Should -Be '20960'
    }
}
