BeforeAll { Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force; Import-GcTriageUnderTest }

Describe 'Get-GcPause' {
    BeforeAll {
        $script:temp = New-GcTempDirectory
    }
    AfterAll {
        Remove-GcTempDirectory $script:temp
    }

    Context 'a live process' {
        BeforeEach {
            $script:f = Start-GcFixture -Mode gc
        }
        AfterEach {
            Stop-GcFixture $script:f
        }

        It 'streams one GcPause per induced GC until -Duration ends' {
            $f.Send('tick 250 gen2 1'); $null = $f.WaitFor('TICKING', 10)
            $pauses = @(Get-GcPause -Id $f.Id -Duration 00:00:03)
            $induced = @($pauses | Where-Object Reason -EQ 'InducedCompacting')
            $induced.Count | Should -BeGreaterOrEqual 4
            $pauses | Should -BeOfType ([GcTriage.GcPause])
            $induced | ForEach-Object {
                $_.Generation | Should -Be 2
                $_.Type | Should -Be ([GcTriage.GcPauseType]::NonConcurrent)
                $_.PauseMs | Should -BeGreaterThan 0
                $_.ProcessId | Should -Be $f.Id
                $_.HeapAfterBytes | Should -BeLessOrEqual $_.HeapBeforeBytes
                $_.Timestamp.Kind | Should -Be ([DateTimeKind]::Utc)
            }
            $numbers = $pauses.Number
            for ($i = 1; $i -lt $numbers.Count; $i++) { $numbers[$i] | Should -BeGreaterThan $numbers[$i - 1] }
        }

        It 'keeps the milliseconds of Timestamp through Export-Csv and Import-Csv | Measure-GcPause' {
            $f.Send('tick 100 gen0 1'); $null = $f.WaitFor('TICKING', 10)
            $pauses = @(Get-GcPause -Id $f.Id -Duration 00:00:02)
            $pauses.Count | Should -BeGreaterOrEqual 3
            $csv = Join-Path $temp 'pauses.csv'
            $pauses | Export-Csv $csv
            $rows = @(Import-Csv $csv)
            $rows.Count | Should -Be $pauses.Count
            for ($i = 0; $i -lt $rows.Count; $i++) {
                $back = [datetime]::Parse($rows[$i].TimestampText, [cultureinfo]::InvariantCulture, 'RoundtripKind')
                $back | Should -Be $pauses[$i].Timestamp
                $back.Kind | Should -Be 'Utc'
            }
            # Not all on whole seconds: the milliseconds are really there.
            @($pauses | Where-Object { $_.Timestamp.Millisecond -ne 0 }).Count | Should -BeGreaterThan 0
            $a = $pauses | Measure-GcPause
            $b = $rows | Measure-GcPause
            foreach ($p in 'Count', 'P50PauseMs', 'P99PauseMs', 'MaxPauseMs', 'TotalPauseMs', 'Gen0Count') { $b.$p | Should -Be $a.$p }
        }

        It 'binds -ProcessId from Get-Process by property name' {
            $f.Send('tick 250 gen2 1'); $null = $f.WaitFor('TICKING', 10)
            $pauses = @(Get-Process -Id $f.Id | Get-GcPause -Duration 00:00:02)
            $pauses.Count | Should -BeGreaterOrEqual 2
            $pauses.ProcessId | Select-Object -Unique | Should -Be $f.Id
        }

        It 'keeps the raw trace with -OutFile (owner-only) and reads the same GCs back with -TracePath' {
            $file = Join-Path $temp 'live.nettrace'
            $f.Send('tick 250 gen2 1'); $null = $f.WaitFor('TICKING', 10)
            $live = @(Get-GcPause -Id $f.Id -Duration 00:00:02 -OutFile $file)
            $live.Count | Should -BeGreaterOrEqual 2
            if (-not $IsWindows) { (Get-Item $file).UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite') }
            $back = @(Get-ChildItem $file | Get-GcPause)
            $back.Number | Should -Be $live.Number
            $back.PauseMs | Should -Be $live.PauseMs
            $back.HeapAfterBytes | Should -Be $live.HeapAfterBytes
            { Get-GcPause -Id $f.Id -Duration 00:00:01 -OutFile $file -ErrorAction Stop } | Should -Throw -ErrorId 'FileExists,GcTriage.Commands.GetGcPauseCommand'
        }

        It 'stops the session at once for Select-Object -First 1, and a second session works afterwards' {
            $f.Send('alloc'); $null = $f.WaitFor('ALLOCATING', 10)
            $one = @(Get-GcPause -Id $f.Id | Select-Object -First 1)
            $one.Count | Should -Be 1
            $f.Send('stop'); $null = $f.WaitFor('STOPPED', 10)
            $f.Send('tick 250 gen2 1'); $null = $f.WaitFor('TICKING', 10)
            @(Get-GcPause -Id $f.Id -Duration 00:00:02 | Where-Object Reason -EQ 'InducedCompacting').Count | Should -BeGreaterOrEqual 2
        }

        It 'stops on a pipeline stop (Ctrl+C), and a second session works afterwards' {
            $stop = Stop-GcPipelineAfter "Get-GcPause -Id $($f.Id)"
            $stop.StopSeconds | Should -BeLessThan 15
            $stop.Completed | Should -BeTrue
            $f.Send('tick 250 gen2 1'); $null = $f.WaitFor('TICKING', 10)
            @(Get-GcPause -Id $f.Id -Duration 00:00:02 | Where-Object Reason -EQ 'InducedCompacting').Count | Should -BeGreaterOrEqual 2
        }

        It 'keeps the GCs seen and warns, without an error, when the target exits mid-session' {
            $f.Send('tick 200 gen2 1'); $null = $f.WaitFor('TICKING', 10)
            $f.Send('dieafter 1500'); $null = $f.WaitFor('DYING', 10)
            $pauses = @(Get-GcPause -Id $f.Id -WarningVariable w -WarningAction SilentlyContinue -ErrorVariable e)
            $e.Count | Should -Be 0
            $pauses.Count | Should -BeGreaterOrEqual 2
            ($w -join ' ') | Should -BeLike "*$($f.Id) exited*"
        }
    }

    Context 'bad input' {
        It 'reports a process that does not exist as ProcessNotFound' {
            $p = Start-Process -FilePath 'true' -PassThru; $p.WaitForExit()
            Get-GcPause -Id $p.Id -Duration 00:00:01 -ErrorVariable e -ErrorAction SilentlyContinue
            $e[0].FullyQualifiedErrorId | Should -Be 'ProcessNotFound,GcTriage.Commands.GetGcPauseCommand'
            $e[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $e[0].TargetObject | Should -Be $p.Id
        }

        It 'reports a process that is not .NET as NotDotNetProcess' {
            $p = Start-NonDotNetProcess
            try {
                Get-GcPause -Id $p.Id -Duration 00:00:01 -ErrorVariable e -ErrorAction SilentlyContinue
                $e[0].FullyQualifiedErrorId | Should -Be 'NotDotNetProcess,GcTriage.Commands.GetGcPauseCommand'
                $e[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            }
            finally { $p | Stop-Process -Force }
        }

        It 'reports a truncated .nettrace as TraceFormat, after the GCs it could read' {
            $f = Start-GcFixture -Mode gc
            try {
                $full = Join-Path $temp 'full.nettrace'
                $f.Send('tick 100 gen2 2'); $null = $f.WaitFor('TICKING', 10)
                $null = Get-GcPause -Id $f.Id -Duration 00:00:03 -OutFile $full
            }
            finally { Stop-GcFixture $f }
            $bytes = [IO.File]::ReadAllBytes($full)
            $cut = Join-Path $temp 'cut.nettrace'
            [IO.File]::WriteAllBytes($cut, $bytes[0..([int]($bytes.Length * 2 / 3))])
            $read = @(Get-GcPause -TracePath $cut -ErrorVariable e -ErrorAction SilentlyContinue)
            $e[0].FullyQualifiedErrorId | Should -Be 'TraceFormat,GcTriage.Commands.GetGcPauseCommand'
            $e[0].CategoryInfo.Category | Should -Be 'InvalidData'
            $e[0].TargetObject | Should -Be $cut
            $read.Count | Should -BeGreaterThan 0
        }

        It 'reports a missing trace file as TraceNotFound' {
            Get-GcPause -TracePath (Join-Path $temp 'nope.nettrace') -ErrorVariable e -ErrorAction SilentlyContinue
            $e[0].FullyQualifiedErrorId | Should -Be 'TraceNotFound,GcTriage.Commands.GetGcPauseCommand'
        }

        It 'rejects a non-positive -Duration' {
            { Get-GcPause -Id $PID -Duration 00:00:00 -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentTransformationError,GcTriage.Commands.GetGcPauseCommand'
        }
    }
    Context '-Duration as users type it' {
        BeforeAll {
            $script:f = Start-GcFixture -Mode gc
            $f.Send('tick 200 gen2 1'); $null = $f.WaitFor('TICKING', 10)
        }
        AfterAll {
            Stop-GcFixture $script:f
        }

        It 'reads -Duration 2s as PowerShell parses it (the number 2, an Int16) and listens 2 seconds, not 2 ticks' {
            $ast = [System.Management.Automation.Language.Parser]::ParseInput('Get-GcPause -Duration 2s', [ref]$null, [ref]$null)
            $ast.EndBlock.Statements[0].PipelineElements[0].CommandElements[2].Value | Should -BeOfType ([int16])
            # 2 seconds against a gen2 every 200 ms: several induced GCs; 2 ticks would end before the first
            $pauses = @(Get-GcPause -Id $f.Id -Duration 2s | Where-Object Reason -EQ 'InducedCompacting')
            $pauses.Count | Should -BeGreaterOrEqual 3
        }

        It 'reads -Duration 2 as two seconds' {
            $pauses = @(Get-GcPause -Id $f.Id -Duration 2 | Where-Object Reason -EQ 'InducedCompacting')
            $pauses.Count | Should -BeGreaterOrEqual 3
        }

        It 'reads -Duration ''2s'' and 00:00:02 alike' {
            @(Get-GcPause -Id $f.Id -Duration '2s' | Where-Object Reason -EQ 'InducedCompacting').Count | Should -BeGreaterOrEqual 3
            @(Measure-GcPause -Id $f.Id -Duration 00:00:02).Count | Should -Be 1
        }

        It 'refuses <Typed>, saying what it was read as' -ForEach @(
            @{ Typed = "'5'"; Value = '5'; Message = "*The duration '5' has no unit: it reads as 5d as a TimeSpan, or 5s as a number of seconds. Write '5s', '5m' or '5h', or pass the number 5 (seconds) unquoted." }
            @{ Typed = "'00:00:00.5'"; Value = '00:00:00.5'; Message = "*The duration '00:00:00.5' was read as 0.5s; it must be at least 1 second." }
            @{ Typed = '0.5'; Value = 0.5; Message = "*The duration '0.5' was read as 0.5s; it must be at least 1 second." }
            @{ Typed = "'5 minutes'"; Value = '5 minutes'; Message = "*'5 minutes' is not a duration; give a TimeSpan, a number of seconds (20), or a string such as '30s', '5m', '1h', '1h30m' or '00:00:30'." }
        ) {
            $err = $null
            try { Get-GcPause -Id $f.Id -Duration $Value -ErrorAction Stop } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -Be 'ParameterArgumentTransformationError,GcTriage.Commands.GetGcPauseCommand'
            $err.Exception.Message | Should -BeLike $Message
        }

        It 'reads the same on every duration parameter: Watch-GcPause -Cooldown takes 0 and 5m, not 0.5' {
            $cmd = Get-Command Watch-GcPause
            $cmd.Parameters.Cooldown.Attributes.Where({ $_ -is [GcTriage.Commands.GcDurationAttribute] }).AllowZero | Should -Be $true
            { Watch-GcPause -Id $f.Id -ThresholdMs 1e9 -Duration 1 -Cooldown 0.5 -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentTransformationError,GcTriage.Commands.WatchGcPauseCommand'
            @(Watch-GcPause -Id $f.Id -ThresholdMs 1e9 -Duration 1s -Cooldown 0).Count | Should -Be 0
            { Get-GcAllocation -Id $f.Id -Duration '1' -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentTransformationError,GcTriage.Commands.GetGcAllocationCommand'
        }

        It 'gives every TimeSpan parameter of the module the one duration reading' {
            $missing = foreach ($c in Get-Command -Module GcTriage -CommandType Cmdlet) {
                foreach ($p in $c.Parameters.Values) {
                    $t = [Nullable]::GetUnderlyingType($p.ParameterType) ?? $p.ParameterType
                    if ($t -eq [TimeSpan] -and -not $p.Attributes.Where({ $_ -is [GcTriage.Commands.GcDurationAttribute] })) { "$($c.Name) -$($p.Name)" }
                }
            }
            $missing | Should -BeNullOrEmpty
            foreach ($name in 'Get-GcPause', 'Measure-GcPause', 'Watch-GcPause', 'Get-GcAllocation', 'Invoke-GcTriage') {
                (Get-Command $name).Parameters.Duration.Attributes.Where({ $_ -is [GcTriage.Commands.GcDurationAttribute] }).Count | Should -Be 1 -Because $name
            }
        }
    }
}
