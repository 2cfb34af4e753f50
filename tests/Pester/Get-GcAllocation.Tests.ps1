BeforeAll { Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force; Import-GcTriageUnderTest }

Describe 'Get-GcAllocation' {
    BeforeAll {
        $script:fixture = Start-GcFixture -Mode alloc
        $script:temp = New-GcTempDirectory
        # 4 x byte[1024] (1,048 bytes) and 8 x AllocationMarkerPayload (136 bytes) per round: 20.6 % markers by bytes.
        $script:markerShare = 100.0 * 8 * 136 / (4 * 1048 + 8 * 136)
    }
    AfterAll {
        Stop-GcFixture $script:fixture
        Remove-GcTempDirectory $script:temp
    }

    It 'reports the known mix, sorted by estimated bytes' {
        $stats = @(Get-GcAllocation -Id $script:fixture.Id -Duration 00:00:03)
        $stats | Should -Not -BeNullOrEmpty
        $stats[0] | Should -BeOfType ([GcTriage.GcAllocationStat])
        $stats[0].TypeName | Should -Be 'System.Byte[]'
        $marker = $stats | Where-Object TypeName -eq 'GcTriage.Fixture.AllocationMarkerPayload'
        $marker.Kind | Should -Be ([GcTriage.GcAllocationKind]::Small)
        $marker.Percent | Should -BeGreaterThan ($script:markerShare - 5)
        $marker.Percent | Should -BeLessThan ($script:markerShare + 5)
        $marker.ProcessId | Should -Be $script:fixture.Id
        ($stats.EstimatedBytes | Sort-Object -Descending) | Should -Be $stats.EstimatedBytes
    }

    It 'listens half the window by default and all of it with -DutyCycle 1; rates are per second listened' {
        $half = @(Get-GcAllocation -Id $script:fixture.Id -Duration 00:00:04)
        $full = @(Get-GcAllocation -Id $script:fixture.Id -Duration 00:00:04 -DutyCycle 1)
        $half[0].SampledSeconds | Should -BeGreaterThan 1.9
        $half[0].SampledSeconds | Should -BeLessThan 2.6
        $full[0].SampledSeconds | Should -BeGreaterThan 3.9
        foreach ($row in $half[0], $full[0]) {
            $row.BytesPerSecond | Should -Be ([math]::Round($row.EstimatedBytes / $row.SampledSeconds, 0))
        }
    }

    It 'warns that a session with stacks listens throughout whatever -DutyCycle says' {
        $warn = $null
        $stats = @(Get-GcAllocation -Id $script:fixture.Id -Duration 00:00:01 -IncludeStack -DutyCycle 0.5 -WarningVariable warn -WarningAction SilentlyContinue)
        ($warn -join ' ') | Should -BeLike '*-DutyCycle*listens throughout*'
        $stats[0].SampledSeconds | Should -BeGreaterThan 0.9
        { Get-GcAllocation -Id $script:fixture.Id -DutyCycle 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,GcTriage.Commands.GetGcAllocationCommand'
    }

    It 'binds the process from Get-Process and honours -Top' {
        $stats = @(Get-Process -Id $script:fixture.Id | Get-GcAllocation -Duration 00:00:02 -Top 1)
        $stats.Count | Should -Be 1
        $stats[0].TypeName | Should -Be 'System.Byte[]'
    }

    It 'writes folded stacks with the allocating method and fills TopFrames' {
        $folded = Join-Path $script:temp 'alloc.folded'
        $stats = @(Get-GcAllocation -Id $script:fixture.Id -Duration 00:00:03 -FoldedStackPath $folded)
        $marker = $stats | Where-Object TypeName -eq 'GcTriage.Fixture.AllocationMarkerPayload'
        $marker.TopFrames[0] | Should -BeLike '*AllocMode.AllocateDistinctiveMarkers'
        $lines = @(Get-Content $folded | Where-Object { $_ -like '*;`[GcTriage.Fixture.AllocationMarkerPayload`] *' })
        $lines.Count | Should -BeGreaterThan 0
        foreach ($line in $lines) {
            $frames = $line.Substring(0, $line.LastIndexOf(' ')).Split(';')
            $frames[-2] | Should -BeLike '*AllocMode.AllocateDistinctiveMarkers'
        }
        ($lines | ForEach-Object { [long]$_.Substring($_.LastIndexOf(' ') + 1) } | Measure-Object -Sum).Sum | Should -Be $marker.EstimatedBytes
    }

    It 'keeps an existing folded file unless -Force' {
        $folded = Join-Path $script:temp 'keep.folded'
        Set-Content $folded 'keep'
        $err = $null
        $stats = Get-GcAllocation -Id $script:fixture.Id -Duration 00:00:01 -FoldedStackPath $folded -ErrorVariable err -ErrorAction SilentlyContinue
        $stats | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'FileExists*'
        Get-Content $folded | Should -Be 'keep'
    }

    It 'writes nothing with -WhatIf' {
        $folded = Join-Path $script:temp 'whatif.folded'
        Get-GcAllocation -Id $script:fixture.Id -Duration 00:00:01 -FoldedStackPath $folded -WhatIf | Should -BeNullOrEmpty
        Test-Path $folded | Should -BeFalse
    }

    It 'works under Select-Object -First and leaves no session behind' {
        $first = Get-GcAllocation -Id $script:fixture.Id -Duration 00:00:02 | Select-Object -First 1
        $first.TypeName | Should -Be 'System.Byte[]'
        # A second session works at once: the first one was closed.
        @(Get-GcAllocation -Id $script:fixture.Id -Duration 00:00:01).Count | Should -BeGreaterThan 0
    }

    It 'stops promptly on Ctrl+C (pipeline stop) and releases the target' {
        $stop = Stop-GcPipelineAfter "Get-GcAllocation -Id $($script:fixture.Id) -Duration 00:05:00"
        $stop.StopSeconds | Should -BeLessThan 15
        $stop.Completed | Should -BeTrue
        @(Get-GcAllocation -Id $script:fixture.Id -Duration 00:00:01).TypeName | Should -Contain 'System.Byte[]'
    }

    It 'gives ProcessNotFound for a pid that does not exist' {
        $err = $null
        Get-GcAllocation -Id 2147483000 -Duration 00:00:01 -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ProcessNotFound*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'gives NotDotNetProcess for a process that is not .NET' {
        $p = Start-NonDotNetProcess
        try {
            $err = $null
            Get-GcAllocation -Id $p.Id -Duration 00:00:01 -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'NotDotNetProcess*'
        }
        finally { $p | Stop-Process -Force }
    }

    It 'keeps what it saw and warns when the target exits mid-session' {
        $victim = Start-GcFixture -Mode alloc
        try {
            $job = Start-ThreadJob -ScriptBlock { param($p) Start-Sleep -Milliseconds 1500; $p.Kill() } -ArgumentList $victim.Process
            $warn = $null
            $stats = @(Get-GcAllocation -Id $victim.Id -Duration 00:00:30 -WarningVariable warn -WarningAction SilentlyContinue)
            $job | Wait-Job | Remove-Job
            $stats.TypeName | Should -Contain 'System.Byte[]'
            ($warn -join ' ') | Should -BeLike '*exited*'
        }
        finally { Stop-GcFixture $victim }
    }

    It 'gives TraceFormat for a truncated trace' {
        $path = Join-Path $script:temp 'cut.nettrace'
        [IO.File]::WriteAllBytes($path, [byte[]](0x4E, 0x65, 0x74, 0x74, 0x72, 0x61, 0x63, 0x65, 0x14, 0, 0, 0))
        $err = $null
        Get-GcAllocation -TracePath $path -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'TraceFormat*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
    }

    It 'exports to CSV with raw numbers' {
        $csv = Join-Path $script:temp 'alloc.csv'
        Get-GcAllocation -Id $script:fixture.Id -Duration 00:00:01 | Export-Csv $csv -NoTypeInformation
        $rows = @(Import-Csv $csv)
        [long]$rows[0].EstimatedBytes | Should -BeGreaterThan 0
    }

    It 'has a table view that leads with the rate and says how long it listened' {
        $text = Get-GcAllocation -Id $script:fixture.Id -Duration 00:00:02 | Out-String -Width 120
        $text | Should -Match 'PerSecond\s+Sampled\s+EstimatedBytes\s+TypeName\s+Percent\s+Samples\s+Kind'
        $row = [GcTriage.GcAllocationStat]@{ TypeName = 'System.Byte[]'; BytesPerSecond = 2097152; SampledSeconds = 5; EstimatedBytes = 10485760; Percent = 50; SampleCount = 100; Kind = 'Small' }
        $lines = ($row | Format-Table | Out-String -Width 120) -split "`n" | Where-Object { $_.Trim() }
        $lines[2].TrimEnd() | Should -Be '  2.0 MB/s   5.0 s        10.0 MB Byte[]                                         50.0 %      100 Small'
    }
}

Describe 'Get-GcAllocation type names' {
    BeforeAll {
        $script:generic = Start-GcFixture -Mode genericAlloc
        $script:temp = New-GcTempDirectory
    }
    AfterAll {
        Stop-GcFixture $script:generic
        Remove-GcTempDirectory $script:temp
    }

    It 'names generic types exactly as Get-GcHeapStat does for a dump of the same process' {
        $alloc = @(Get-GcAllocation -Id $generic.Id -Duration 3s -DutyCycle 1)
        $dump = Join-Path $temp 'generic.dmp'
        $null = Save-GcDump -Id $generic.Id -Path $dump
        $heap = @(Get-GcHeapStat -Path $dump)
        foreach ($name in 'GcTriage.Fixture.GenericAllocMode+Node<System.Int64, GcTriage.Fixture.GenericAllocMode+Session>',
            'GcTriage.Fixture.GenericAllocMode+Node<System.Int64, GcTriage.Fixture.GenericAllocMode+Session>[]',
            'System.Collections.Generic.Dictionary<System.Int64, GcTriage.Fixture.GenericAllocMode+Session>',
            'System.Collections.Generic.Dictionary<System.Int64, GcTriage.Fixture.GenericAllocMode+Session>+Entry[]') {
            @($alloc | Where-Object TypeName -CEQ $name).Count | Should -Be 1 -Because $name
            @($heap | Where-Object TypeName -CEQ $name).Count | Should -Be 1 -Because $name
        }
        # so that Compare-Object or a join on TypeName works between the two
        $joined = @($alloc | Where-Object TypeName -Like '*GenericAllocMode*' | Where-Object { $heap.TypeName -ccontains $_.TypeName })
        $joined.Count | Should -Be @($alloc | Where-Object TypeName -Like '*GenericAllocMode*').Count
    }

    It 'names them in the heap commands'' style from a trace, where the runtime''s name keeps the enclosing type' {
        $trace = Join-Path $temp 'generic.nettrace'
        $null = Get-GcAllocation -Id $generic.Id -Duration 2s -OutFile $trace
        $read = @(Get-GcAllocation -TracePath $trace)
        @($read | Where-Object TypeName -CEQ 'System.Collections.Generic.Dictionary<System.Int64, GcTriage.Fixture.GenericAllocMode+Session>').Count | Should -Be 1
        # The runtime drops the enclosing type of a nested generic type: only the live session can name it in full.
        @($read | Where-Object TypeName -CEQ 'Node<System.Int64, GcTriage.Fixture.GenericAllocMode+Session>').Count | Should -Be 1
        @($read | Where-Object TypeName -Like '*`*').Count | Should -Be 0
    }
}
