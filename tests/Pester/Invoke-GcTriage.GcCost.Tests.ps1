BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-GcTriageUnderTest
    $script:Dir = New-GcTempDirectory
    $script:DumpFile = Save-FixtureDump -Directory $Dir -Mode cost
    $script:Out = Join-Path $Dir 'report'
    $script:Report = Invoke-GcTriage -Path $DumpFile.FullName -OutputDirectory $Out
    function Get-Mode([string] $p) { if ($IsWindows) { 'n/a' } else { [Convert]::ToString([int][System.IO.File]::GetUnixFileMode($p), 8) } }
    # The fixture's pinned CostSlot[64] arrays: 20 of them (every 100th of 2,000), each a 24-byte array header and 64 16-byte structs.
    $script:SlotBytes = 24 + 16 * 64
    $script:CostFiles = 'fragmentation.csv', 'free-blocks.csv', 'handles.csv', 'finalization.csv'
}
AfterAll { Close-GcDump -All; Remove-GcTempDirectory $Dir }

Describe 'Invoke-GcTriage: the GC-cost parts' {
    It 'carries fragmentation, handles and finalization totals equal to the cmdlets on the same dump' {
        $d = Open-GcDump $DumpFile.FullName
        try {
            $frag = Get-GcFragmentation -Dump $d
            @($Report.Fragmentation).Count | Should -Be $frag.Count
            foreach ($f in $frag) { ($Report.Fragmentation | Where-Object Generation -eq $f.Generation).FreeBytes | Should -Be $f.FreeBytes }
            $Report.Finalization.IsTotal | Should -BeTrue
            $Report.Finalization.ReadyForFinalization | Should -Be 200
            $Report.Finalization.Count | Should -Be (Get-GcFinalizable -Dump $d -Total -WarningAction SilentlyContinue).Count
            $slots = $Report.Handles | Where-Object TypeName -eq 'GcTriage.Fixture.CostSlot[]'
            $slots.Count | Should -Be 20
            $slots.Kind | Should -Be 'Pinned'
        }
        finally { Close-GcDump -Dump $d }
    }

    It 'finds the finalization backlog and the young pinned handles, as Info at this size' {
        $backlog = $Report.Findings | Where-Object Code -eq 'FinalizationBacklog'
        $backlog.Severity | Should -Be 'Info'
        $backlog.Message | Should -BeLike '200 objects (4.7 KB) are ready for finalization*'
        $pinned = $Report.Findings | Where-Object Code -eq 'YoungPinnedHandles'
        $pinned.Severity | Should -Be 'Info'
        $pinned.Message | Should -BeLike '*GcTriage.Fixture.CostSlot`[`] (Pinned)*'
        $Report.LikelyCauses.Code | Should -Contain 'FinalizationBacklog'
        # Gen2 and the LOH are not fragmented here (the holes are in gen0), and 17 strong handles are no leak.
        $Report.Findings.Code | Should -Not -Contain 'GenerationFragmented'
        $Report.Findings.Code | Should -Not -Contain 'ManyStrongHandles'
    }

    It 'writes the parts into report.json' {
        $json = Get-Content (Join-Path $Out 'report.json') -Raw | ConvertFrom-Json
        $json.finalization.readyForFinalization | Should -Be 200
        ($json.fragmentation | Where-Object generation -eq 'Gen0').freeBytes | Should -Be ($Report.Fragmentation | Where-Object Generation -eq 'Gen0').FreeBytes
        ($json.handles | Where-Object typeName -eq 'GcTriage.Fixture.CostSlot[]').count | Should -Be 20
    }
}

Describe 'Invoke-GcTriage: the GC-cost CSVs' {
    It 'writes fragmentation, free-blocks, handles and finalization CSVs, 0600 and listed in schema.json' {
        $schema = Get-Content (Join-Path $Out 'schema.json') -Raw | ConvertFrom-Json
        foreach ($name in $CostFiles) {
            $path = Join-Path $Out $name
            $path | Should -Exist
            $schema.csv | Should -Contain $name
            $Report.Files.Path | Should -Contain $path
            if (-not $IsWindows) { Get-Mode $path | Should -Be '600' -Because "$name is owner-only" }
        }
    }

    It 'handles.csv holds the fixture''s handles by kind and target type' {
        $rows = Import-Csv (Join-Path $Out 'handles.csv')
        $slots = $rows | Where-Object TypeName -eq 'GcTriage.Fixture.CostSlot[]'
        $slots.Kind | Should -Be 'Pinned'
        [long]$slots.Count | Should -Be 20
        [long]$slots.Gen0Count | Should -Be 20
        [long]$slots.TargetBytes | Should -Be (20 * $SlotBytes)
        $expected = @{ CostStrongTarget = 'Strong', 7; CostPinnedTarget = 'Pinned', 5; CostWeakShortTarget = 'WeakShort', 4; CostWeakLongTarget = 'WeakLong', 3; CostDependentKey = 'Dependent', 6 }
        foreach ($t in $expected.Keys) {
            $r = $rows | Where-Object TypeName -eq "GcTriage.Fixture.$t"
            $r.Kind | Should -Be $expected[$t][0]
            [long]$r.Count | Should -Be $expected[$t][1]
        }
        @($rows).Count | Should -Be @($Report.Handles).Count
    }

    It 'finalization.csv holds the totals, with the 200 objects ready for finalization' {
        $rows = @(Import-Csv (Join-Path $Out 'finalization.csv'))
        $rows.Count | Should -Be 1
        $rows[0].TypeName | Should -Be 'Total'
        $rows[0].IsTotal | Should -Be 'True'
        [long]$rows[0].ReadyForFinalization | Should -Be 200
        # 200 CostFinalizable of 24 bytes (header, method table, one long).
        [long]$rows[0].ReadyBytes | Should -Be (200 * 24)
        $d = Open-GcDump $DumpFile.FullName
        try { [long]$rows[0].Count | Should -Be (Get-GcFinalizable -Dump $d -Total -WarningAction SilentlyContinue).Count }
        finally { Close-GcDump -Dump $d }
    }

    It 'fragmentation.csv and free-blocks.csv carry Get-GcFragmentation''s figures, the holes beside the pinned CostSlot[]' {
        $d = Open-GcDump $DumpFile.FullName
        try { $frag = @(Get-GcFragmentation -Dump $d) }
        finally { Close-GcDump -Dump $d }
        $rows = Import-Csv (Join-Path $Out 'fragmentation.csv')
        @($rows).Count | Should -Be $frag.Count
        foreach ($f in $frag) {
            $r = $rows | Where-Object Generation -eq $f.Generation
            [long]$r.FreeBytes | Should -Be $f.FreeBytes
            [long]$r.ObjectBytes | Should -Be $f.ObjectBytes
            [long]$r.FreeBlocks | Should -Be $f.FreeBlocks
            [long]$r.PinnedObjects | Should -Be $f.PinnedObjects
            [double]$r.FragmentationRatio | Should -Be $f.FragmentationRatio
        }
        $gen0 = $frag | Where-Object Generation -eq 'Gen0'
        $gen0.LargestFreeBlocks.Count | Should -BeGreaterThan 0

        $blocks = @(Import-Csv (Join-Path $Out 'free-blocks.csv'))
        $expected = @($frag | ForEach-Object { $_.LargestFreeBlocks } | ForEach-Object { $b = $_; if ($b.PinnedNeighbours.Count) { $b.PinnedNeighbours | ForEach-Object { [pscustomobject]@{ B = $b; P = $_ } } } else { [pscustomobject]@{ B = $b; P = $null } } })
        $blocks.Count | Should -Be $expected.Count
        for ($i = 0; $i -lt $expected.Count; $i++) {
            [ulong]$blocks[$i].Address | Should -Be $expected[$i].B.Address
            [long]$blocks[$i].Size | Should -Be $expected[$i].B.Size
            $blocks[$i].Generation | Should -Be $expected[$i].B.Generation
        }
        # In the cost fixture each largest gen0 hole is the 99 dropped arrays before a pinned one: the pin is that CostSlot[].
        foreach ($row in $blocks | Where-Object Generation -eq 'Gen0') {
            $row.PinnedTypeName | Should -Be 'GcTriage.Fixture.CostSlot[]'
            [long]$row.PinnedSize | Should -Be $SlotBytes
            $row.PinnedBy | Should -Be 'PinnedHandle'
            $row.PinnedRoot | Should -BeLike 'handle 0x*'
        }
    }

    It 'needs -Force for each GC-cost CSV already there, refuses a link there even with -Force, and replaces the file with -Force' {
        foreach ($name in $CostFiles) {
            $folder = Join-Path $Dir "force-$name"
            $null = New-Item -ItemType Directory $folder
            $planted = Join-Path $folder $name
            Set-Content -LiteralPath $planted 'old' -NoNewline
            { Invoke-GcTriage -Path $DumpFile.FullName -OutputDirectory $folder -ErrorAction Stop } | Should -Throw -ErrorId 'FileExists,*'
            Get-Content -LiteralPath $planted -Raw | Should -Be 'old'
            @(Get-ChildItem $folder).Count | Should -Be 1 -Because 'nothing is written when a file would be replaced without -Force'
            $null = Invoke-GcTriage -Path $DumpFile.FullName -OutputDirectory $folder -Force
            Get-Content -LiteralPath $planted -Raw | Should -Not -Be 'old'
            if (-not $IsWindows) { Get-Mode $planted | Should -Be '600' }
        }
        if ($IsWindows) { return }
        $victim = Join-Path $Dir 'victim.txt'
        Set-Content -LiteralPath $victim 'precious' -NoNewline
        $folder = Join-Path $Dir 'force-link'
        $null = New-Item -ItemType Directory $folder
        $null = New-Item -ItemType SymbolicLink -Path (Join-Path $folder 'handles.csv') -Target $victim
        { Invoke-GcTriage -Path $DumpFile.FullName -OutputDirectory $folder -Force -ErrorAction Stop } | Should -Throw -ErrorId 'OutputIsLink,*'
        Get-Content -LiteralPath $victim -Raw | Should -Be 'precious'
    }
}
