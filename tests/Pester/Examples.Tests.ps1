# The runbooks in examples/runbooks, each run for real against a fixture, so that they cannot rot.
BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-GcTriageUnderTest
    $script:Manifest = Join-Path (Get-RepoRoot) 'GcTriage.psd1'
    $script:Runbooks = Join-Path (Get-RepoRoot) 'examples/runbooks'
    $script:Dir = New-GcTempDirectory
}
AfterAll { Close-GcDump -All; Remove-GcTempDirectory $Dir }

Describe 'examples/runbooks' {
    It 'Invoke-ScheduledTriage triages the target and keeps only the last N reports' {
        $fixture = Start-GcFixture -Mode gc
        try {
            $fixture.Send('tick 200 gen0 1')
            $out = Join-Path $Dir 'scheduled'
            $reports = foreach ($i in 1..3) {
                & (Join-Path $Runbooks 'Invoke-ScheduledTriage.ps1') -OutputRoot $out -ProcessId $fixture.Id -Duration '00:00:02' -Keep 2 -CaptureDump Never -ModulePath $Manifest
            }
            @($reports).Count | Should -Be 3
            $reports[0] | Should -BeOfType ([GcTriage.GcTriageReport])
            $reports[0].HostName | Should -Be ([System.Net.Dns]::GetHostName())
            $reports[0].ProcessId | Should -Be $fixture.Id
            @($reports[0].Pauses).Count | Should -BeGreaterThan 0
            $folders = @(Get-ChildItem $out -Directory)
            $folders.Count | Should -Be 2
            $folders.FullName | Should -Contain $reports[2].OutputDirectory
            Join-Path $reports[2].OutputDirectory 'report.json' | Should -Exist
        }
        finally { Stop-GcFixture $fixture }
    }

    It 'Watch-PauseAndDump captures one dump after the first pause over the threshold, and ends' {
        $fixture = Start-GcFixture -Mode gc
        try {
            $fixture.Send('tick 300 gen2 1')
            $dumps = Join-Path $Dir 'watch'
            $pause = & (Join-Path $Runbooks 'Watch-PauseAndDump.ps1') -ProcessId $fixture.Id -ThresholdMs 0.001 -DumpFolder $dumps -Duration '00:01:00' -ModulePath $Manifest 6>$null
            @($pause).Count | Should -Be 1
            $pause.PauseMs | Should -BeGreaterOrEqual 0.001
            $pause.CapturedDumpPath | Should -Exist
            $files = @(Get-ChildItem $dumps -File)
            $files.Count | Should -Be 1
            if (-not $IsWindows) { $files[0].UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite') }
            (Get-GcHeapStat -Path $files[0].FullName -TypeName 'System.String').Count | Should -BeGreaterThan 0
        }
        finally { Stop-GcFixture $fixture }
    }

    It 'Test-HeapGrowth compares today with yesterday''s CSV and fails on growth' {
        $fixture = Start-GcFixture -Mode heap
        $snap = Join-Path $Dir 'growth'
        try {
            $yesterday = [DateTime]::UtcNow.AddDays(-1)
            $null = & (Join-Path $Runbooks 'Test-HeapGrowth.ps1') -ProcessId $fixture.Id -SnapshotFolder $snap -Today $yesterday -ModulePath $Manifest 3>$null
            $csv = Join-Path $snap ('heapstat_{0:yyyyMMdd}.csv' -f $yesterday)
            $csv | Should -Exist
            # Yesterday had 400 fewer Widgets (16,000 bytes).
            $rows = Import-Csv $csv
            $w = $rows | Where-Object TypeName -eq 'GcTriage.Fixture.Widget'
            $w.Count = '600'; $w.TotalSize = '24000'
            $rows | Export-Csv $csv
            $grown = & (Join-Path $Runbooks 'Test-HeapGrowth.ps1') -ProcessId $fixture.Id -SnapshotFolder $snap -MinGrowthBytes 16000 -ModulePath $Manifest
            $widget = $grown | Where-Object TypeName -eq 'GcTriage.Fixture.Widget'
            $widget.SizeDelta | Should -Be 16000
            $widget.CountDelta | Should -Be 400
            { & (Join-Path $Runbooks 'Test-HeapGrowth.ps1') -ProcessId $fixture.Id -SnapshotFolder $snap -MinGrowthBytes 16000 -FailOnGrowth -ModulePath $Manifest } |
                Should -Throw '*grew by 16,000 bytes or more*'
            @(Get-ChildItem $snap -Filter '*.dmp').Count | Should -Be 0
        }
        finally { Stop-GcFixture $fixture }
    }

    It 'Invoke-FleetTriage fans out over SSH remoting and brings results back with their host name' -Skip:(-not (Test-Path /usr/sbin/sshd) -or $IsWindows) {
        $sshd = Start-LoopbackSshd
        $fixture = Start-GcFixture -Mode gc
        try {
            $fixture.Send('tick 200 gen0 1')
            $rows = & (Join-Path $Runbooks 'Invoke-FleetTriage.ps1') -HostName 127.0.0.1 -Port $sshd.Port -UserName $sshd.UserName -KeyFilePath $sshd.KeyFilePath `
                -SshOptions $sshd.Options -ProcessId $fixture.Id -Duration '00:00:02' -RemoteOutputRoot (Join-Path $Dir 'fleet') -RemoteModulePath $Manifest
            @($rows).Count | Should -Be 1
            $rows[0].HostName | Should -Be '127.0.0.1'
            $rows[0].ProcessId | Should -Be $fixture.Id
            $rows[0].PauseCount | Should -BeGreaterThan 0
            Join-Path $rows[0].ReportDirectory 'report.html' | Should -Exist
        }
        finally { Stop-GcFixture $fixture; Stop-LoopbackSshd $sshd }
    }
}

Describe 'examples/IncidentService' {
    It 'is triaged to its reference-rich session cache, and the pointer-free set is a memory finding, not the pauses' {
        $service = Join-Path (Get-RepoRoot) 'examples/IncidentService/bin/Release/net10.0/IncidentService.dll'
        if (-not (Test-Path $service)) { $service = Join-Path (Get-RepoRoot) 'examples/IncidentService/bin/Debug/net10.0/IncidentService.dll' }
        $psi = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
        # A fifth of the demo's sessions and ids: the same shape, a smaller dump.
        $psi.ArgumentList.Add($service); foreach ($a in '--sessions', '200000', '--seen', '2000000') { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardOutput = $true; $psi.RedirectStandardInput = $true; $psi.UseShellExecute = $false
        $proc = [System.Diagnostics.Process]::Start($psi)
        try {
            $proc.StandardOutput.ReadLine() | Should -BeLike 'READY *'
            # Every GC of the window counts as long from 1 ms, so that the pauses are tied to what the heap holds whatever the load.
            $r = Invoke-GcTriage -ProcessId $proc.Id -Duration '00:00:04' -CaptureDump Always -PauseThresholdMs 1 -OutputDirectory (Join-Path $Dir 'incident') -RemoveDump
            @($r.Errors).Count | Should -Be 0
            @($r.Pauses | Where-Object Generation -lt 2).Count | Should -BeGreaterThan 0
            $first = $r.LikelyCauses[0]
            $first.Code | Should -Be 'ReferenceRichStructure'
            $first.Text | Should -BeLike '*Acme.IncidentService.Session (200,000 objects*'
            $first.Text | Should -BeLike '*held by Acme.IncidentService.SessionCache.s_sessions (StaticField)*'
            $first.Text | Should -BeLike '*references to gen0/gen1 objects*Session.Last*gen0/gen1 pauses p99*'
            $sessions = $r.MarkCost | Where-Object TypeName -eq 'Acme.IncidentService.Session'
            $sessions.LiveObjects | Should -Be 200000
            # Three references a session (its user name, its history array, its last record), fewer for a session renewed just as
            # the dump was written; never the set's entries.
            $sessions.References | Should -BeGreaterThan 400000
            $sessions.References | Should -BeLessOrEqual 600000
            ($r.CrossGenerationReferences | Where-Object SourceType -eq 'Acme.IncidentService.Session').Field | Should -Contain '<Last>k__BackingField'

            # The set: the largest object, entries without references: a memory finding weighed by its share, never tied to the pauses.
            $set = $r.Collections | Where-Object TypeName -eq 'System.Collections.Generic.Dictionary<System.Int64, System.Boolean>'
            $set.HoldsReferences | Should -BeFalse
            ($r.Collections | Where-Object TypeName -eq 'System.Collections.Generic.Dictionary<System.Int64, Acme.IncidentService.Session>').HoldsReferences | Should -BeTrue
            $setCause = @($r.LikelyCauses | Where-Object Code -eq 'SetLikeCollection')
            $setCause.Count | Should -Be 1
            $setCause[0].Rank | Should -BeGreaterThan 1
            $setCause[0].Severity | Should -Be 'Warning'
            $setCause[0].Text | Should -BeLike '*held by Acme.IncidentService.SeenIds.s_seen*hold no references*not pause time*'
            $setCause[0].Text | Should -Not -BeLike '*pauses reach*'
            @($r.LikelyCauses | Where-Object { $_.Code -ne 'SetLikeCollection' -and $_.Text -like '*SeenIds*' }).Count | Should -Be 0
            @($r.Findings | Where-Object { $_.Message -like '*SeenIds*' -and $_.Message -like '*pauses reach*' }).Count | Should -Be 0
        }
        finally {
            if (-not $proc.HasExited) { $proc.Kill($true) }
            $proc.Dispose()
        }
    }
}
