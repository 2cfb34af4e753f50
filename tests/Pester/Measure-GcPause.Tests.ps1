BeforeAll { Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force; Import-GcTriageUnderTest }

Describe 'Measure-GcPause' {
    BeforeAll {
        $script:temp = New-GcTempDirectory
        # Ten pauses of 1..10 ms; each covers an interval of 100 ms (PauseMs * 100 / PauseTimePercent), so the window is 1000 ms.
        $script:rows = 1..10 | ForEach-Object {
            [pscustomobject]@{
                Number = $_; PauseMs = [double]$_; PauseTimePercent = [double]$_
                Generation = if ($_ -le 6) { 0 } elseif ($_ -le 9) { 1 } else { 2 }
                Type = if ($_ -eq 10) { 'Background' } else { 'NonConcurrent' }
                Reason = if ($_ % 2) { 'Induced' } else { 'AllocSmall' }
                ProcessId = 42
            }
        }
    }
    AfterAll { Remove-GcTempDirectory $script:temp }

    It 'computes nearest-rank percentiles, totals and counts of a hand-computed set' {
        $s = $rows | Measure-GcPause
        $s | Should -BeOfType ([GcTriage.GcPauseSummary])
        $s.Count | Should -Be 10
        $s.P50PauseMs | Should -Be 5     # rank ceil(0.50 * 10) = 5
        $s.P90PauseMs | Should -Be 9     # rank ceil(0.90 * 10) = 9
        $s.P99PauseMs | Should -Be 10    # rank ceil(0.99 * 10) = 10
        $s.MaxPauseMs | Should -Be 10
        $s.MeanPauseMs | Should -Be 5.5
        $s.TotalPauseMs | Should -Be 55
        [math]::Round($s.WindowMs, 6) | Should -Be 1000
        [math]::Round($s.PauseTimePercent, 6) | Should -Be 5.5
        $s.Gen0Count, $s.Gen1Count, $s.Gen2Count | Should -Be 6, 3, 1
        $s.NonConcurrentCount, $s.BackgroundCount | Should -Be 9, 1
        $s.CountByReason['Induced'] | Should -Be 5
        $s.ProcessId | Should -Be 42
    }

    It 'summarises yesterday''s CSV exactly like the objects (Import-Csv)' {
        $csv = Join-Path $temp 'p.csv'
        $rows | Export-Csv $csv
        $a = $rows | Measure-GcPause
        $b = Import-Csv $csv | Measure-GcPause
        foreach ($p in 'Count', 'P50PauseMs', 'P90PauseMs', 'P99PauseMs', 'MaxPauseMs', 'TotalPauseMs', 'PauseTimePercent', 'Gen2Count', 'BackgroundCount') {
            $b.$p | Should -Be $a.$p
        }
    }

    It 'leaves the GCs that overlapped a capture out by default, counts them, and includes them with -IncludeCapturePauses' {
        # Crafted GcPause objects: the ten above plus two that ran during a dump (3792 ms gen0 and 13298 ms gen1, as in issue 16).
        $pauses = @($rows | ForEach-Object { [GcTriage.GcPause]@{ Number = $_.Number; PauseMs = $_.PauseMs; PauseTimePercent = $_.PauseTimePercent; Generation = $_.Generation; Type = $_.Type; Reason = $_.Reason; ProcessId = 42 } })
        $pauses += [GcTriage.GcPause]@{ Number = 11; PauseMs = 3792; PauseTimePercent = 100; Generation = 0; Reason = 'AllocSmall'; ProcessId = 42; OverlapsCapture = $true; OverlappedCapture = '/var/tmp/a.dmp' }
        $pauses += [GcTriage.GcPause]@{ Number = 12; PauseMs = 13298; PauseTimePercent = 100; Generation = 1; Reason = 'AllocSmall'; ProcessId = 42; OverlapsCapture = $true; OverlappedCapture = '/var/tmp/a.dmp' }
        $s = $pauses | Measure-GcPause
        $s.Count | Should -Be 10
        $s.CapturePausesExcluded | Should -Be 2
        $s.MaxPauseMs | Should -Be 10
        $s.P99PauseMs | Should -Be 10
        $s.TotalPauseMs | Should -Be 55
        $s.Gen0Count, $s.Gen1Count | Should -Be 6, 3
        [math]::Round($s.WindowMs, 6) | Should -Be (1000 + 3792 + 13298)   # their time stays in the window
        [math]::Round($s.PauseTimePercent, 6) | Should -Be ([math]::Round(55 * 100 / 18090, 6))
        $s.ToString() | Should -Be '10 GCs, p50 5 ms, p99 10 ms, max 10 ms (2 overlapping a capture left out)'
        $all = $pauses | Measure-GcPause -IncludeCapturePauses
        $all.Count | Should -Be 12
        $all.CapturePausesExcluded | Should -Be 0
        $all.MaxPauseMs | Should -Be 13298
        $all.TotalPauseMs | Should -Be (55 + 3792 + 13298)
        $g = @($pauses | Measure-GcPause -GroupBy Generation)
        $g.CapturePausesExcluded | Should -Be 1, 1, 0
        $g[1].MaxPauseMs | Should -Be 9
    }

    It 'gives one summary per group with -GroupBy, each a share of the same window' {
        $g = @($rows | Measure-GcPause -GroupBy Generation)
        $g.Group | Should -Be '0', '1', '2'
        ($g | ForEach-Object { $_.Count }) | Should -Be 6, 3, 1
        $g[1].P50PauseMs | Should -Be 8     # 7, 8, 9: rank ceil(1.5) = 2
        $g[1].TotalPauseMs | Should -Be 24
        [math]::Round($g[1].PauseTimePercent, 6) | Should -Be 2.4
        $g[0].GroupBy | Should -Be 'Generation'
        @($rows | Measure-GcPause -GroupBy Reason).Group | Should -Be 'AllocSmall', 'Induced'
    }

    It 'measures a live process for -Duration, and a trace file' {
        $f = Start-GcFixture -Mode gc
        try {
            $file = Join-Path $temp 'm.nettrace'
            $f.Send('tick 200 gen2 1'); $null = $f.WaitFor('TICKING', 10)
            $live = Measure-GcPause -Id $f.Id -Duration 00:00:03
            $live.Count | Should -BeGreaterOrEqual 5
            $live.Gen2Count | Should -Be $live.Count
            $live.WindowMs | Should -BeGreaterOrEqual 2900
            $pauses = @(Get-GcPause -Id $f.Id -Duration 00:00:02 -OutFile $file)
            $fromTrace = Measure-GcPause -TracePath $file
            $fromObjects = $pauses | Measure-GcPause
            $fromTrace.Count | Should -Be $pauses.Count
            $fromTrace.TotalPauseMs | Should -Be $fromObjects.TotalPauseMs
            $fromTrace.P99PauseMs | Should -Be $fromObjects.P99PauseMs
        }
        finally { Stop-GcFixture $f }
    }

    It 'writes a non-terminating InvalidPauseInput error for an object without PauseMs and summarises the rest' {
        $s = @($rows[0], [pscustomobject]@{ Name = 'x' }, $rows[1]) | Measure-GcPause -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -Be 'InvalidPauseInput,GcTriage.Commands.MeasureGcPauseCommand'
        $e[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $s.Count | Should -Be 2
    }

    It 'writes one error, and one warning with the count, for a CSV that is not of pauses' {
        $csv = Join-Path $temp 'types.csv'
        1..50 | ForEach-Object { [pscustomobject]@{ TypeName = "T$_"; Count = $_; TotalSize = 24 * $_ } } | Export-Csv $csv
        $s = Import-Csv $csv | Measure-GcPause -ErrorVariable e -ErrorAction SilentlyContinue -WarningVariable w -WarningAction SilentlyContinue
        $s | Should -BeNullOrEmpty
        @($e).Count | Should -Be 1
        $e[0].FullyQualifiedErrorId | Should -Be 'InvalidPauseInput,GcTriage.Commands.MeasureGcPauseCommand'
        @($w).Count | Should -Be 1
        "$($w[0])" | Should -Be '50 of 50 input objects were not GC pauses and were left out (the error above is about the first of them).'
    }

    It 'reads Timestamp back with its milliseconds from the TimestampText column of Get-GcPause | Export-Csv' {
        $p = [GcTriage.GcPause]@{ Number = 7; PauseMs = 1.5; Timestamp = [datetime]::new(2026, 11, 30, 5, 10, 9, 123, [DateTimeKind]::Utc) }
        $p.TimestampText | Should -Be '2026-11-30T05:10:09.1230000Z'
        $csv = Join-Path $temp 'one.csv'
        $p | Export-Csv $csv
        $row = Import-Csv $csv
        $row.TimestampText | Should -Be '2026-11-30T05:10:09.1230000Z'
        $s = $row | Measure-GcPause
        $s.Count | Should -Be 1
        $s.TotalPauseMs | Should -Be 1.5
    }

    It 'reports a missing trace as a terminating TraceNotFound error' {
        { Measure-GcPause -TracePath (Join-Path $temp 'none.nettrace') -ErrorAction Stop } | Should -Throw -ErrorId 'TraceNotFound,GcTriage.Commands.MeasureGcPauseCommand'
    }
}
