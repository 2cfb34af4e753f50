BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-GcTriageUnderTest
    $script:Dir = New-GcTempDirectory
    $script:Files = foreach ($n in 'a', 'b') {
        $fixture = Start-GcFixture -Mode heap
        try {
            $fixture.Lines | Should -Contain 'NOGC True'
            Save-GcDump -ProcessId $fixture.Id -Path (Join-Path $Dir "$n.dmp")
        }
        finally { Stop-GcFixture $fixture }
    }
}
AfterAll { Close-GcDump -All; Remove-GcTempDirectory $Dir }

Describe 'Compare-GcHeap' {
    It 'finds no change in the fixture types between two dumps of the same heap (paths)' {
        $d = Compare-GcHeap -ReferenceDump $Files[0].FullName -DifferenceDump $Files[1].FullName -TypeName 'GcTriage.Fixture.*'
        $d | Should -Not -BeNullOrEmpty
        $d[0] | Should -BeOfType ([GcTriage.GcTypeDelta])
        foreach ($r in $d) { $r.CountDelta | Should -Be 0; $r.SizeDelta | Should -Be 0 }
        $w = $d | Where-Object TypeName -eq 'GcTriage.Fixture.Widget'
        $w.CountBefore | Should -Be 1000
        $w.SizeAfter | Should -Be 40000
        $w.ReferencePath | Should -Be $Files[0].FullName
        @(Compare-GcHeap $Files[0] $Files[1] -TypeName 'GcTriage.Fixture.*' -ExcludeUnchanged).Count | Should -Be 0
    }

    It 'takes open GcDump sessions and -Live' {
        $a = Open-GcDump $Files[0].FullName
        $b = Open-GcDump $Files[1].FullName
        $g = Compare-GcHeap -ReferenceDump $a -DifferenceDump $b -TypeName 'GcTriage.Fixture.Gadget' -Live
        $g.CountBefore | Should -Be 500
        $g.CountAfter | Should -Be 500
        $g.Live | Should -BeTrue
        $a.IsOpen | Should -BeTrue
        Close-GcDump $a, $b
    }

    It 'compares an edited CSV snapshot read back with Import-Csv against the GcTypeStat objects of a dump' {
        $csv = Join-Path $Dir 'lastweek.csv'
        Get-GcHeapStat -Path $Files[0].FullName | Export-Csv $csv
        $rows = Import-Csv $csv
        $widget = $rows | Where-Object TypeName -eq 'GcTriage.Fixture.Widget'
        $widget.Count = '900'
        $widget.TotalSize = '36000'
        $rows = $rows | Where-Object TypeName -ne 'GcTriage.Fixture.Gadget'
        $rows | Export-Csv $csv
        $back = Import-Csv $csv

        $d = Get-GcHeapStat -Path $Files[1].FullName | Compare-GcHeap -ReferenceObject $back
        $w = $d | Where-Object TypeName -eq 'GcTriage.Fixture.Widget'
        $w.CountBefore | Should -Be 900
        $w.CountAfter | Should -Be 1000
        $w.CountDelta | Should -Be 100
        $w.SizeDelta | Should -Be 4000
        $g = $d | Where-Object TypeName -eq 'GcTriage.Fixture.Gadget'
        $g.CountBefore | Should -Be 0
        $g.SizeDelta | Should -Be (777 * 32)
        $d[0].SizeDelta | Should -Be (777 * 32)
        for ($i = 1; $i -lt $d.Count; $i++) { $d[$i].SizeDelta | Should -BeLessOrEqual $d[$i - 1].SizeDelta }
        ($d | Where-Object TypeName -like 'GcTriage.Fixture.*' | Measure-Object SizeDelta -Sum).Sum | Should -Be (777 * 32 + 4000)
    }

    It 'compares two CSV snapshots, and a row without the needed columns is a non-terminating error' {
        $before = @([pscustomobject]@{ TypeName = 'Acme.Order'; Count = '10'; TotalSize = '480' }, [pscustomobject]@{ Name = 'bad' })
        $after = @([pscustomobject]@{ TypeName = 'Acme.Order'; Count = 25; TotalSize = 1200 })
        $d = Compare-GcHeap -ReferenceObject $before -DifferenceObject $after -ErrorVariable err -ErrorAction SilentlyContinue
        $d.CountDelta | Should -Be 15
        $d.SizeDelta | Should -Be 720
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidTypeStatRow,*'
    }

    It 'writes DumpNotFound for a missing reference dump' {
        { Compare-GcHeap -ReferenceDump (Join-Path $Dir 'missing.dmp') -DifferenceDump $Files[1].FullName -ErrorAction Stop } |
            Should -Throw -ErrorId 'DumpNotFound,*'
    }
}

Describe 'Compare-GcHeap -IncludeCollections' {
    It 'matches the growing set of the incident service by the static field that holds it' {
        $service = Join-Path (Get-RepoRoot) 'examples/IncidentService/bin/Release/net10.0/IncidentService.dll'
        if (-not (Test-Path $service)) { $service = Join-Path (Get-RepoRoot) 'examples/IncidentService/bin/Debug/net10.0/IncidentService.dll' }
        $dir = New-GcTempDirectory
        $psi = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
        # A small incident (the default holds a million sessions): the set still grows with every fourth request.
        $psi.ArgumentList.Add($service); foreach ($a in '--sessions', '20000', '--seen', '200000') { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardOutput = $true; $psi.RedirectStandardInput = $true; $psi.UseShellExecute = $false
        $proc = [System.Diagnostics.Process]::Start($psi)
        try {
            $null = $proc.StandardOutput.ReadLine()   # READY
            # The service adds ids to its set all the time: wall time between the dumps is what makes it grow. (Its stdout lines
            # pile up while a dump is written, so they are no clock.)
            Start-Sleep -Milliseconds 1500
            $a = Save-GcDump -ProcessId $proc.Id -Path (Join-Path $dir 'a.dmp')
            Start-Sleep -Milliseconds 1500
            $b = Save-GcDump -ProcessId $proc.Id -Path (Join-Path $dir 'b.dmp')
            $out = Compare-GcHeap -ReferenceDump $a.FullName -DifferenceDump $b.FullName -IncludeCollections -CollectionTop 5
            if (-not ($out | Where-Object { $_ -is [GcTriage.GcCollectionDelta] -and $_.HeldBy -eq 'Acme.IncidentService.SeenIds.s_seen' -and $_.CountBefore -gt 0 })) {
                # A dump taken in the middle of a GC can show no root path for the set (noted on the issue). Take the first dump once
                # more in that case.
                $a = Save-GcDump -ProcessId $proc.Id -Path (Join-Path $dir 'a.dmp') -Force
                Start-Sleep -Milliseconds 1500
                $b = Save-GcDump -ProcessId $proc.Id -Path (Join-Path $dir 'b.dmp') -Force
                $out = Compare-GcHeap -ReferenceDump $a.FullName -DifferenceDump $b.FullName -IncludeCollections -CollectionTop 5
            }
            $types = @($out | Where-Object { $_ -is [GcTriage.GcTypeDelta] })
            $types.Count | Should -BeGreaterThan 10
            $sets = @($out | Where-Object { $_ -is [GcTriage.GcCollectionDelta] -and $_.HeldBy -eq 'Acme.IncidentService.SeenIds.s_seen' })
            $sets.Count | Should -Be 1
            $sets[0].TypeName | Should -Be 'System.Collections.Generic.Dictionary<System.Int64, System.Boolean>'
            $sets[0].CountBefore | Should -BeGreaterThan 0
            $sets[0].CountDelta | Should -BeGreaterThan 0
            $sets[0].CountAfter | Should -Be ($sets[0].CountBefore + $sets[0].CountDelta)
            $sets[0].AddressBefore | Should -Not -BeNullOrEmpty
            # The entries counted for that one set are the ones Get-GcDictionary reports for its address in the second dump.
            (Get-GcDictionary -Path $b.FullName | Where-Object Address -eq $sets[0].AddressAfter).Count | Should -Be $sets[0].CountAfter
        }
        finally {
            if (-not $proc.HasExited) { $proc.Kill($true) }
            $proc.Dispose()
            Remove-GcTempDirectory $dir
        }
    }
}
