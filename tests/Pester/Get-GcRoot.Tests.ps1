BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force; Import-GcTriageUnderTest
    $script:temp = New-GcTempDirectory
    $script:dumpPath = (Save-FixtureDump -Directory $temp).FullName
    $script:d = Open-GcDump -Path $dumpPath
    $script:dead = Get-GcObject -Dump $d -TypeName 'System.Collections.Generic.Dictionary<System.Int64, System.Boolean>+Entry*' |
        Sort-Object Size -Descending | Select-Object -Skip 1 -First 1
}

AfterAll {
    if ($script:d) { Close-GcDump -Dump $script:d }
    Remove-GcTempDirectory $script:temp
}

Describe 'Get-GcRoot' {
    It 'names the static field that holds the dictionary (pipeline by Address)' {
        $p = @(Get-GcDictionary -Dump $d -Top 1 | Get-GcRoot -Dump $d -MaxPaths 1)
        $p.Count | Should -Be 1
        $p[0] | Should -BeOfType ([GcTriage.GcRootPath])
        $p[0].RootKind | Should -Be 'StaticField'
        $p[0].RootName | Should -Be 'GcTriage.Fixture.Cache.s_seen'
        $p[0].Depth | Should -Be 0
    }

    It 'binds the dump from the piped object (DumpPath) and reuses the session the command before it opened' {
        $copy = Join-Path $temp 'copy.dmp'
        Copy-Item $dumpPath $copy
        try {
            $p = @(Get-GcDictionary -Path $copy -Top 1 | Get-GcRoot -MaxPaths 1)
            $p.Count | Should -Be 1
            $p[0].RootName | Should -Be 'GcTriage.Fixture.Cache.s_seen'
            $p[0].DumpPath | Should -Be $copy
            # Several objects of the same dump: one session for all, closed when the pipeline ends; the same paths as with -Dump.
            $expected = @(Get-GcBitset -Dump $d | Get-GcRoot -Dump $d -MaxPaths 1 -WarningAction SilentlyContinue)
            $expected.Count | Should -BeGreaterOrEqual 2
            $piped = @(Get-GcBitset -Path $copy | Get-GcRoot -MaxPaths 1 -WarningAction SilentlyContinue)
            ($piped | ForEach-Object { "$($_.Address) $($_.RootName)" }) -join '; ' | Should -Be (($expected | ForEach-Object { "$($_.Address) $($_.RootName)" }) -join '; ')
            if ($IsLinux) {
                $open = Get-ChildItem /proc/$PID/fd -ErrorAction SilentlyContinue | ForEach-Object { $_.LinkTarget } | Where-Object { $_ -eq $copy }
                $open | Should -BeNullOrEmpty -Because 'the sessions -Path opened are closed at the end of the pipeline'
            }
        }
        finally { Remove-Item $copy -ErrorAction Ignore }
    }

    It 'shows a closure as its delegate and display class' {
        $hidden = Get-GcDictionary -Dump $d -KeyType Int32 -ValueType String | Where-Object { $_.Count -eq 10 -and $_.KeyMax -eq 9 }
        $p = @($hidden | Get-GcRoot -Dump $d -MaxPaths 1)[0]
        $p.RootName | Should -Be 'GcTriage.Fixture.Events.Tick'
        $p.Depth | Should -Be 2
        $p.Chain[0].TypeName | Should -Be 'System.Action'
        $p.Chain[1].TypeName | Should -BeLike 'GcTriage.Fixture.HeapMode+<>c__DisplayClass*'
        $p.Chain[1].FieldName | Should -Be '_target'
        $p.Chain[2].FieldName | Should -Be 'hidden'
        $p.Path | Should -Match '\(hidden\) System.Collections.Generic.Dictionary'
    }

    It 'takes a hex string address (as from CSV)' {
        $a = '0x{0:x}' -f (Get-GcDictionary -Dump $d -Top 1).Address
        @(Get-GcRoot -Dump $d -Address $a -MaxPaths 1)[0].RootName | Should -Be 'GcTriage.Fixture.Cache.s_seen'
    }

    It 'says a dead object is unreachable, with a warning and no error' {
        $out = @(Get-GcRoot -Dump $d -Address $dead.Address -WarningVariable w -WarningAction SilentlyContinue -ErrorVariable e)
        $out.Count | Should -Be 0
        $e.Count | Should -Be 0
        $w[0] | Should -Match 'not reachable from any root'
    }

    It 'says Truncated, never unreachable, when the budget runs out' {
        $out = @(Get-GcRoot -Dump $d -Address $dead.Address -MaxNodes 1 -WarningVariable w -WarningAction SilentlyContinue)
        $out.Count | Should -Be 1
        $out[0].RootKind | Should -Be 'Unknown'
        $out[0].Truncated | Should -BeTrue
        $w[0] | Should -Match 'may still be rooted'
    }

    It 'writes InvalidAddress for an address that is not an object, and goes on' {
        $good = (Get-GcDictionary -Dump $d -Top 1).Address
        $out = @(Get-GcRoot -Dump $d -Address ($good + 8), $good -MaxPaths 1 -ErrorVariable err -ErrorAction SilentlyContinue)
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidAddress*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $out.Count | Should -Be 1
    }

    It 'stops on Ctrl+C (StopProcessing) with the host alive and the session usable' {
        # A root search per Widget, each path held up downstream: Stop() lands while Get-GcRoot is running.
        $stop = Stop-GcPipelineAfter "Get-GcObject -Dump `$args[0] -TypeName 'GcTriage.Fixture.Widget' | Get-GcRoot -Dump `$args[0] -MaxPaths 1 -WarningAction SilentlyContinue | ForEach-Object { Start-Sleep -Milliseconds 50; `$_ }" -ArgumentList $d
        $stop.StateBeforeStop | Should -Be 'Running'
        $stop.State | Should -Be 'Stopped'
        $d.IsOpen | Should -BeTrue
        @(Get-GcDictionary -Dump $d -Top 1 | Get-GcRoot -Dump $d -MaxPaths 1)[0].RootName | Should -Be 'GcTriage.Fixture.Cache.s_seen'
    }

    It 'exports paths to CSV' {
        $csv = Join-Path $temp 'roots.csv'
        Get-GcDictionary -Dump $d -Top 3 | Get-GcRoot -Dump $d -MaxPaths 1 | Select-Object Address, RootKind, RootName, Depth, Path | Export-Csv $csv
        @(Import-Csv $csv).Count | Should -Be 3
    }
}
