# Bad input for every command that reads a dump (every cmdlet deriving from DumpCmdlet, found by reflection): no dump, a
# missing file, a file that is not a dump, and one out-of-range value per command that validates one. Each is an ErrorRecord
# with the module's ErrorId; a bad file is a non-terminating error, and the command goes on with the next.
BeforeDiscovery {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-GcTriageUnderTest
    $dumpCmdlet = [GcTriage.Commands.DumpCmdlet]
    $script:Commands = @(Get-Command -Module GcTriage -CommandType Cmdlet |
            Where-Object { $_.ImplementingType.IsSubclassOf($dumpCmdlet) } | Sort-Object Name |
            ForEach-Object { @{ Name = $_.Name; Type = $_.ImplementingType.FullName } })

    # One value outside each command's ValidateRange/ValidateSet, and the parameter that refuses it.
    $outOfRange = @{
        'Get-GcBitset'                       = @{ Top = 0 }
        'Get-GcCrossGenerationReference'     = @{ Top = 0 }
        'Get-GcDictionary'                   = @{ MinCount = -1 }
        'Get-GcDominator'                    = @{ Top = 0 }
        'Get-GcDuplicateString'              = @{ MinCount = 1 }
        'Get-GcFinalizable'                  = @{ Top = 0 }
        'Get-GcFragmentation'                = @{ LargestFreeBlocks = 1001 }
        'Get-GcHandle'                       = @{ Top = 0 }
        'Get-GcHeapStat'                     = @{ Top = 0 }
        'Get-GcLeakSuspect'                  = @{ MinShare = 0 }
        'Get-GcMarkCost'                     = @{ Top = 0 }
        'Get-GcObject'                       = @{ MinSize = -1 }
        'Get-GcRetained'                     = @{ Top = 0 }
        'Get-GcRoot'                         = @{ MaxPaths = 10001 }
    }
    $script:RangeCases = @($Commands | Where-Object { $outOfRange.ContainsKey($_.Name) } | ForEach-Object {
            $bad = $outOfRange[$_.Name]
            @{ Name = $_.Name; Type = $_.Type; Parameter = @($bad.Keys)[0]; Value = @($bad.Values)[0] }
        })
}
BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-GcTriageUnderTest
    $script:Dir = New-GcTempDirectory
    $script:Missing = Join-Path $Dir 'missing.dmp'
    $script:Garbage = Join-Path $Dir 'garbage.dmp'
    Set-Content -LiteralPath $Garbage -Value ('not a dump ' * 200)

    # The parameters a command needs besides the dump (those mandatory in the Path set), with a value that binds.
    function script:Get-OtherArguments([string] $Name) {
        $arguments = @{}
        $set = (Get-Command $Name).ParameterSets | Where-Object Name -eq 'Path'
        foreach ($p in $set.Parameters | Where-Object { $_.IsMandatory -and $_.Name -ne 'Path' }) {
            if ($p.Name -ne 'Address') { throw "$Name needs -$($p.Name): give it a value here" }
            $arguments.Address = 1
        }
        $arguments
    }
}
AfterAll { Close-GcDump -All; Remove-GcTempDirectory $Dir }

Describe 'Bad input for the commands that read a dump' {
    It 'finds the commands that read a dump' {
        $Commands.Name | Should -Contain 'Get-GcFragmentation'
        $Commands.Name | Should -Contain 'Get-GcMarkCost'
        $Commands.Count | Should -BeGreaterOrEqual 15
    }

    It '<Name> without a dump says so (DumpNotGiven)' -ForEach ($Commands | Where-Object Name -ne 'Get-GcSetting') {
        Close-GcDump -All
        $arguments = Get-OtherArguments $Name
        $e = { & $Name @arguments } | Should -Throw -ErrorId "DumpNotGiven,$Type" -PassThru
        $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $e.Exception.ErrorId | Should -Be 'DumpNotGiven'
        $e.Exception.Message | Should -BeLike "$Name reads a dump, and none was given: add -Path <dump file>, or -Dump <session> from Open-GcDump."
        $e.ErrorDetails.RecommendedAction | Should -Be "$Name -Path ./app.dmp, or: `$d = Open-GcDump ./app.dmp; $Name -Dump `$d"
    }

    It 'Get-GcSetting without a dump or a process id is PowerShell''s missing ProcessId (its default set reads a process)' {
        $e = { Get-GcSetting } | Should -Throw -ErrorId 'MissingMandatoryParameter,GcTriage.Commands.GetGcSettingCommand' -PassThru
        $e.Exception.Message | Should -BeLike '*ProcessId*'
    }

    It '<Name> -Path (a missing file) writes DumpNotFound and goes on with the next file' -ForEach $Commands {
        $arguments = Get-OtherArguments $Name
        $out = & $Name -Path $Missing, $Garbage @arguments -ErrorVariable err -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $err.Count | Should -Be 2
        $err[1].FullyQualifiedErrorId | Should -Be "DumpFormat,$Type"
        $err[0].FullyQualifiedErrorId | Should -Be "DumpNotFound,$Type"
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].TargetObject | Should -Be $Missing
        $err[0].Exception.ErrorId | Should -Be 'DumpNotFound'
        $err[0].Exception.Message | Should -BeLike "*'$Missing'*"
    }

    It '<Name> -LiteralPath (a file that is not a dump) writes DumpFormat and leaves the file closed' -ForEach $Commands {
        $arguments = Get-OtherArguments $Name
        $out = & $Name -LiteralPath $Garbage @arguments -ErrorVariable err -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be "DumpFormat,$Type"
        $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $err[0].TargetObject | Should -Be $Garbage
        $err[0].Exception.GetType().FullName | Should -Be 'GcTriage.Core.DumpFormatException'
        $err[0].Exception.Message | Should -BeLike "'$Garbage' cannot be read as a dump: *"
        # The file was not left open.
        { [System.IO.File]::Open($Garbage, 'Open', 'ReadWrite', 'None').Dispose() } | Should -Not -Throw
    }

    It '<Name> -<Parameter> <Value> is refused before any dump is read' -ForEach $RangeCases {
        $arguments = Get-OtherArguments $Name
        $arguments[$Parameter] = $Value
        $e = { & $Name -LiteralPath $Garbage @arguments } | Should -Throw -ErrorId "ParameterArgumentValidationError,$Type" -PassThru
        $e.Exception | Should -BeOfType ([System.Management.Automation.ParameterBindingException])
        $e.Exception.ParameterName | Should -Be $Parameter
        $e.CategoryInfo.Category | Should -Be 'InvalidData'
    }
}
