# The help is generated from the cmdlets themselves (build.ps1 ConvertTo-MamlHelp with build/Get-CmdletMetadata.ps1): here
# Get-Help -Full is compared with Get-Command for every parameter of every cmdlet, so that a new cmdlet or parameter cannot get
# help that says something else than what PowerShell binds.
BeforeDiscovery {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-GcTriageUnderTest
    $script:CommandNames = @(Get-Command -Module GcTriage -CommandType Cmdlet | Sort-Object Name | ForEach-Object Name)
}
BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-GcTriageUnderTest
    $script:Common = [System.Management.Automation.Cmdlet]::CommonParameters

    # What Get-Help shows for pipeline input, from the attributes of the parameter in the given sets.
    function Get-ExpectedPipeline($inSets) {
        $how = @()
        if (@($inSets | Where-Object ValueFromPipeline).Count) { $how += 'ByValue' }
        if (@($inSets | Where-Object ValueFromPipelineByPropertyName).Count) { $how += 'ByPropertyName' }
        if ($how) { "True ($($how -join ', '))" } else { 'False' }
    }
    function Get-ExpectedPosition($inSets) {
        $positions = @($inSets | ForEach-Object Position | Sort-Object -Unique)
        if ($positions.Count -eq 1 -and $positions[0] -ge 0) { [string]$positions[0] } else { 'named' }
    }
}

Describe 'Get-Help -Full of <_>' -ForEach $CommandNames {
    BeforeAll {
        $script:Name = $_
        $script:Command = Get-Command $Name
        $script:Help = Get-Help $Name -Full
    }

    It 'has one SYNTAX item per parameter set, each naming exactly the set''s parameters' {
        $items = @($Help.syntax.syntaxItem)
        $items.Count | Should -Be @($Command.ParameterSets).Count
        foreach ($set in $Command.ParameterSets) {
            $names = @($set.Parameters.Name | Where-Object { $_ -notin $Common } | Sort-Object)
            $match = @($items | Where-Object { (@($_.parameter.name | Sort-Object) -join ',') -eq ($names -join ',') })
            $match.Count | Should -BeGreaterOrEqual 1 -Because "$Name set '$($set.Name)' has a syntax line with $($names -join ', ')"
            foreach ($sp in $set.Parameters | Where-Object { $_.Name -notin $Common }) {
                $hp = @($match[0].parameter | Where-Object name -eq $sp.Name)[0]
                $hp.required | Should -Be ($sp.IsMandatory.ToString().ToLowerInvariant()) -Because "$Name -$($sp.Name) in set '$($set.Name)'"
                $hp.position | Should -Be (Get-ExpectedPosition @($sp)) -Because "$Name -$($sp.Name) in set '$($set.Name)'"
                $hp.pipelineInput | Should -Be (Get-ExpectedPipeline @($sp)) -Because "$Name -$($sp.Name) in set '$($set.Name)'"
            }
        }
        # The text form that users read starts with the command's name and has no empty SYNTAX.
        ($Help | Out-String -Width 200) | Should -Match "SYNTAX\s+$Name "
    }

    It 'describes no parameter the cmdlet does not have' {
        $names = @($Command.Parameters.Keys)
        foreach ($hp in @($Help.parameters.parameter)) { $names | Should -Contain $hp.name -Because "$Name help describes -$($hp.name)" }
    }

    It 'gives every parameter its position, pipeline input, aliases, wildcards, type and whether it is required' {
        foreach ($p in $Command.Parameters.Values | Where-Object { $_.Name -notin $Common }) {
            $hp = @($Help.parameters.parameter | Where-Object name -eq $p.Name)
            $hp.Count | Should -Be 1 -Because "$Name -$($p.Name) is listed once"
            $hp = $hp[0]
            $inSets = @($p.ParameterSets.Values)
            $required = @($inSets | Where-Object { -not $_.IsMandatory }).Count -eq 0
            $hp.required | Should -Be ($required.ToString().ToLowerInvariant()) -Because "$Name -$($p.Name) required"
            $hp.position | Should -Be (Get-ExpectedPosition $inSets) -Because "$Name -$($p.Name) position"
            $hp.pipelineInput | Should -Be (Get-ExpectedPipeline $inSets) -Because "$Name -$($p.Name) pipeline input"
            $aliases = if ($p.Aliases.Count) { $p.Aliases -join ', ' } else { 'none' }
            $hp.aliases | Should -Be $aliases -Because "$Name -$($p.Name) aliases"
            $wildcards = [bool]($p.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
            $hp.globbing | Should -Be ($wildcards.ToString().ToLowerInvariant()) -Because "$Name -$($p.Name) wildcards"
            $type = if ([Nullable]::GetUnderlyingType($p.ParameterType)) { [Nullable]::GetUnderlyingType($p.ParameterType) } else { $p.ParameterType }
            $hp.type.name | Should -Be $type.FullName -Because "$Name -$($p.Name) type"
        }
    }
}

Describe 'generated help, on cmdlets it knows by name' {
    It 'shows the positional -Path of the dump commands as position 0 with its aliases, and the pipeline input of -Dump' {
        $help = Get-Help Get-GcHeapStat -Full
        $path = $help.parameters.parameter | Where-Object name -eq 'Path'
        $path.position | Should -Be '0'
        $path.aliases | Should -Be 'None' -Because 'Get-ChildItem output binds to -LiteralPath, not to the wildcard -Path'
        $path.pipelineInput | Should -Be 'True (ByPropertyName)'
        $literal = $help.parameters.parameter | Where-Object name -eq 'LiteralPath'
        $literal.aliases | Should -Be 'PSPath, LP, FullName, DumpPath'
        $literal.pipelineInput | Should -Be 'True (ByPropertyName)'
        $literal.globbing | Should -Be 'false'
        ($help.parameters.parameter | Where-Object name -eq 'Dump').pipelineInput | Should -Be 'True (ByValue)'
        ($help.parameters.parameter | Where-Object name -eq 'TypeName').globbing | Should -Be 'true'
        $path.globbing | Should -Be 'true' -Because '-Path is resolved with wildcards (Get-GcHeapStat ./*.dmp)'
        ($help.parameters.parameter | Where-Object name -eq 'Generation').type.name | Should -Be 'GcTriage.GcGeneration[]'
        $text = Get-Help Get-GcHeapStat -Full | Out-String -Width 200
        $text | Should -Match 'Get-GcHeapStat \[\[-Path\] <String\[\]>\]'
        $text | Should -Match 'Get-GcHeapStat \[-Dump\] <GcDump>'
        $text | Should -Match ('-Generation \{' + ([Enum]::GetNames([GcTriage.GcGeneration]) -join ' \| ') + '\}')
    }

    It 'takes defaults from a fresh instance of the cmdlet' {
        $help = Get-Help Get-GcRoot -Full
        ($help.parameters.parameter | Where-Object name -eq 'MaxPaths').defaultValue | Should -Be ([string]([GcTriage.Commands.GetGcRootCommand]::new().MaxPaths))
        ($help.parameters.parameter | Where-Object name -eq 'Timeout').defaultValue | Should -Be '00:05:00'
    }
}
