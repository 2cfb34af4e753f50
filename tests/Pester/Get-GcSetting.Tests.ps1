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
        $s.Concurrent | Should -BeFalse
        $s.ConcurrentSource | Should -Be 'Environment'
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
