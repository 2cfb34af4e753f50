BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-GcTriageUnderTest
    $script:Dir = New-GcTempDirectory
    $script:DumpFile = Save-FixtureDump -Directory $Dir -Mode cost
    $script:Out = Join-Path $Dir 'report'
    $script:Report = Invoke-GcTriage -Path $DumpFile.FullName -OutputDirectory $Out
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
