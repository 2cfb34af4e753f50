# Ctrl+C while the reference graph and the dominator tree are being built: the chains fixture at 200 chains of 10,000 nodes
# (2,000,000 ChainNode of 32 bytes; tests/GcTriage.Fixture/ChainsMode.cs), big enough that the build is still running when the
# first progress record of the graph work arrives.
BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force; Import-GcTriageUnderTest
    $script:temp = New-GcTempDirectory
    $fixture = Start-GcFixture -Mode chains -ArgumentList '200', '10000' -TimeoutSeconds 120
    try { $script:dumpPath = (Save-GcDump -ProcessId $fixture.Id -Path (Join-Path $temp 'chains.dmp') -Type Heap).FullName }
    finally { Stop-GcFixture $fixture }

    # Starts $Script (with the open dump as $args[0]) in a fresh runspace, waits for a progress record of the graph work (not the
    # heap walk), then calls Stop(), as Ctrl+C does.
    function Stop-DuringGraphWork([string] $Script, $Dump) {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$(Join-Path (Get-RepoRoot) 'GcTriage.psd1')'; $Script").AddArgument($Dump)
            $async = $ps.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(120)
            $seen = $null
            while (-not $async.IsCompleted -and [DateTime]::UtcNow -lt $deadline) {
                $seen = @($ps.Streams.Progress) | Where-Object { $_.Activity -notmatch 'Walking heap' } | Select-Object -First 1
                if ($seen) { break }
                Start-Sleep -Milliseconds 20
            }
            $before = $ps.InvocationStateInfo.State
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            [pscustomobject]@{
                Activity        = $seen.Activity
                StateBeforeStop = $before
                State           = $ps.InvocationStateInfo.State
                StopSeconds     = $sw.Elapsed.TotalSeconds
            }
        }
        finally { $ps.Dispose() }
    }

    # What a clean session says, for comparison.
    $clean = Open-GcDump -Path $dumpPath
    try {
        $script:cleanTop = @(Get-GcRetained -Dump $clean -Top 3 | ForEach-Object { '{0:x}|{1}|{2}' -f $_.Address, $_.RetainedBytes, $_.RetainedCount })
        $script:cleanLive = (Get-GcHeapStat -Dump $clean -Live -TypeName 'GcTriage.Fixture.ChainNode').Count
    }
    finally { Close-GcDump -Dump $clean }
}

AfterAll {
    Close-GcDump -All
    Remove-GcTempDirectory $script:temp
}

Describe 'Ctrl+C during graph work' {
    It 'stops <Name> mid-build, and the session then gives the clean results' -ForEach @(
        @{ Name = 'Get-GcRetained'; Script = 'Get-GcRetained -Dump $args[0] -Top 3' }
        @{ Name = 'Get-GcHeapStat -Live'; Script = 'Get-GcHeapStat -Dump $args[0] -Live' }
    ) {
        $d = Open-GcDump -Path $dumpPath
        try {
            $stop = Stop-DuringGraphWork $Script $d
            $stop.Activity | Should -Not -BeNullOrEmpty -Because 'the graph work reported progress before it ended'
            $stop.StateBeforeStop | Should -Be 'Running'
            $stop.State | Should -Be 'Stopped'
            $stop.StopSeconds | Should -BeLessThan 5
            $d.IsOpen | Should -BeTrue

            @(Get-GcRetained -Dump $d -Top 3 | ForEach-Object { '{0:x}|{1}|{2}' -f $_.Address, $_.RetainedBytes, $_.RetainedCount }) | Should -Be $cleanTop
            (Get-GcHeapStat -Dump $d -Live -TypeName 'GcTriage.Fixture.ChainNode').Count | Should -Be $cleanLive
        }
        finally { Close-GcDump -Dump $d }
    }
}
