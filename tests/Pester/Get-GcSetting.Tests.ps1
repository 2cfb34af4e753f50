BeforeAll { Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force; Import-GcTriageUnderTest }

Describe 'Get-GcSetting' {
    BeforeAll {
        $script:server = Start-GcFixture -Mode alloc -Environment @{ DOTNET_gcServer = '1'; DOTNET_GCHeapCount = '2'; DOTNET_gcConcurrent = '0' }
        $script:default = Start-GcFixture -Mode alloc
    }
    AfterAll {
        Stop-GcFixture $script:server
        Stop-GcFixture $script:default
    }

    It 'reports Server, 2 heaps, not concurrent, each with its source' {
        $s = Get-GcSetting -Id $script:server.Id
        $s | Should -BeOfType ([GcTriage.GcSetting])
        $s.GcMode | Should -Be 'Server'
        $s.GcModeSource | Should -Be 'Runtime'
        $s.HeapCount | Should -Be 2
        $s.HeapCountSource | Should -Be 'Runtime'
        # DOTNET_gcConcurrent=0 is configured, but the fixture's runtimeconfig.json also says System.GC.Concurrent: true, and the
        # GC runs background GCs: the runtime's settings bits say so, and a finding names the configured value it does not use.
        $s.Concurrent | Should -BeTrue
        $s.ConcurrentSource | Should -Be 'Runtime'
        $s.RuntimeFlags | Should -Be ([GcTriage.GcSettingFlags]'Concurrent, FrozenSegments')
        ($s.Findings | Where-Object Code -EQ 'ConcurrentNotAsConfigured').Message | Should -Be 'Concurrent is configured as False (DOTNET_gcConcurrent=0) but the GC runs with True: System.GC.Concurrent=true in GcTriage.Fixture.runtimeconfig.json configures it too, and the runtime runs with that.'
        $s.DynamicAdaptationSource | Should -Be 'Derived'
        $s.DynamicAdaptationReason | Should -Be 'switched off by DOTNET_GCHeapCount=2 (a fixed heap count)'
        $heapCount = $s.Settings | Where-Object Name -eq 'DOTNET_GCHeapCount'
        $heapCount.Value | Should -Be '2'
        $heapCount.Source | Should -Be 'Environment'
        ($s.Settings | Where-Object Name -eq 'DOTNET_gcServer').Source | Should -Be 'Environment'
        ($s.Settings | Where-Object Name -eq 'DOTNET_gcConcurrent').Value | Should -Be '0'
    }

    It 'reports Workstation for a default fixture' {
        $s = Get-Process -Id $script:default.Id | Get-GcSetting
        $s.GcMode | Should -Be 'Workstation'
        $s.HeapCount | Should -Be 1
        $s.Concurrent | Should -BeTrue
    }

    It 'reads the configuration only with -ConfigurationOnly' {
        $s = Get-GcSetting -Id $script:server.Id -ConfigurationOnly
        $s.GcMode | Should -Be 'Server'
        $s.GcModeSource | Should -Be 'Environment'
        $s.HeapCount | Should -Be 2
        $s.HeapCountSource | Should -Be 'Environment'
        $s.HeapSizeBytes | Should -BeNullOrEmpty
    }

    It 'takes several processes and writes an error for the bad one only' {
        $err = $null
        $all = @(Get-GcSetting -Id $script:server.Id, 2147483000, $script:default.Id -ErrorVariable err -ErrorAction SilentlyContinue)
        $all.GcMode | Should -Be @('Server', 'Workstation')
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ProcessNotFound*'
    }

    It 'gives NotDotNetProcess for a process that is not .NET' {
        $p = Start-NonDotNetProcess
        try {
            $err = $null
            Get-GcSetting -Id $p.Id -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'NotDotNetProcess*'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        }
        finally { $p | Stop-Process -Force }
    }

    It 'reads the mode and heap count of a dump (-Path and -Dump)' {
        $temp = New-GcTempDirectory
        try {
            $dump = Join-Path $temp 'server.dmp'
            $null = Save-GcDump -Id $script:server.Id -Path $dump
            $s = Get-GcSetting -Path $dump
            $s.GcMode | Should -Be 'Server'
            $s.GcModeSource | Should -Be 'Dump'
            $s.HeapCount | Should -Be 2
            $s.DumpPath | Should -Be $dump
            $s.ProcessId | Should -BeNullOrEmpty
            $open = Open-GcDump -Path $dump
            try { ($open | Get-GcSetting).HeapCount | Should -Be 2 }
            finally { $open | Close-GcDump }
        }
        finally { Remove-GcTempDirectory $temp }
    }

    It 'shows Server GC configured in runtimeconfig.json as running Workstation under DOTNET_PROCESSOR_COUNT=1, with a finding' {
        $temp = New-GcTempDirectory
        $rc = New-FixtureRuntimeConfig -Path (Join-Path $temp 'server.runtimeconfig.json') -Properties @{ 'System.GC.Server' = $true }
        $f = Start-GcFixture -Mode alloc -RuntimeConfig $rc -Environment @{ DOTNET_PROCESSOR_COUNT = '1' }
        try {
            $s = Get-GcSetting -Id $f.Id
            $s.RuntimeConfigPath | Should -Be $rc
            $s.GcMode | Should -Be 'Workstation'
            $s.GcModeSource | Should -Be 'Runtime'
            $mode = $s.Effective | Where-Object Name -EQ 'GcMode'
            $mode.Configured | Should -Be 'Server'
            $mode.ConfiguredBy | Should -Be 'System.GC.Server=true'
            $mode.ConfiguredSource | Should -Be 'RuntimeConfig'
            $mode.Effective | Should -Be 'Workstation'
            $mode.Differs | Should -BeTrue
            $mode.Why | Should -Be 'the runtime sees 1 processor (DOTNET_PROCESSOR_COUNT=1), and Server GC needs more than one'
            $finding = $s.Findings | Where-Object Code -EQ 'ServerGcOnSingleCpu'
            $finding.Severity | Should -Be 'Warning'
            $finding.Message | Should -Be 'GcMode is configured as Server (System.GC.Server=true) but the GC runs with Workstation: the runtime sees 1 processor (DOTNET_PROCESSOR_COUNT=1), and Server GC needs more than one.'
            $s.RuntimeFlags | Should -Be ([GcTriage.GcSettingFlags]'Concurrent, FrozenSegments, NoAffinitize')
            ($s.Settings | Where-Object Name -EQ 'GCSettingsRundown.BitSettings').Value | Should -Be '0x15 (Concurrent, FrozenSegments, NoAffinitize)'
        }
        finally { Stop-GcFixture $f; Remove-GcTempDirectory $temp }
    }

    It 'shows System.GC.HeapCount from runtimeconfig.json capped at the CPUs, and DATAS switched off by it' {
        $temp = New-GcTempDirectory
        $rc = New-FixtureRuntimeConfig -Path (Join-Path $temp 'heaps.runtimeconfig.json') -Properties @{ 'System.GC.Server' = $true; 'System.GC.HeapCount' = 64 }
        $f = Start-GcFixture -Mode alloc -RuntimeConfig $rc
        try {
            $cpus = [Environment]::ProcessorCount
            $s = Get-GcSetting -Id $f.Id
            $s.HeapCount | Should -Be $cpus
            $heaps = $s.Effective | Where-Object Name -EQ 'HeapCount'
            $heaps.Configured, $heaps.ConfiguredBy, $heaps.Effective, $heaps.Differs | Should -Be '64', 'System.GC.HeapCount=64', "$cpus", $true
            $heaps.Why | Should -Be "capped at the $cpus processor(s) the GC may use"
            ($s.Findings | Where-Object Code -EQ 'HeapCountNotAsConfigured').Severity | Should -Be 'Warning'
            $datas = $s.Effective | Where-Object Name -EQ 'DATAS'
            $datas.Effective, $datas.EffectiveSource, $datas.Why | Should -Be 'off', 'Derived', 'switched off by System.GC.HeapCount=64 (a fixed heap count)'
            $s.DynamicAdaptationSource | Should -Be 'Derived'
            $text = $s.Effective | Format-Table | Out-String -Width 160
            $text | Should -Match 'Name\s+Configured\s+ConfiguredBy\s+Effective\s+Source\s+Why'
        }
        finally { Stop-GcFixture $f; Remove-GcTempDirectory $temp }
    }

    It 'has a table view with human units' {
        $text = Get-GcSetting -Id $script:server.Id | Out-String
        $text | Should -Match 'GcMode\s+Heaps\s+Concurrent'
        $text | Should -Match 'Server'
    }

    It 'exports to CSV' {
        $temp = New-GcTempDirectory
        try {
            $csv = Join-Path $temp 's.csv'
            Get-GcSetting -Id $script:server.Id, $script:default.Id | Export-Csv $csv -NoTypeInformation
            (Import-Csv $csv).GcMode | Should -Be @('Server', 'Workstation')
        }
        finally { Remove-GcTempDirectory $temp }
    }
}
