#!/usr/bin/env pwsh
<#
.SYNOPSIS
Writes, as JSON, what the built module's cmdlets declare: parameter sets, and per parameter its type, position, aliases, pipeline
input, wildcards, mandatory, valid values and default value. build.ps1 runs it in a child pwsh (the module's DLLs stay unlocked in
the build's own session) and turns it, with the prose of module/help/*.md, into the MAML help: SYNTAX and parameter metadata come
from the cmdlets themselves, so that a new cmdlet or parameter needs only its markdown.
#>
param(
    [Parameter(Mandatory)] [string] $ManifestPath,
    [Parameter(Mandatory)] [string] $OutFile
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$module = Import-Module $ManifestPath -PassThru -Force
$common = [System.Management.Automation.Cmdlet]::CommonParameters

# C#-style short names as Get-Help shows them: String[], Int32, Nullable<Double> -> Double, GcDump.
function Get-ShortTypeName([type] $type) {
    $inner = [Nullable]::GetUnderlyingType($type)
    if ($inner) { return Get-ShortTypeName $inner }
    if ($type.IsArray) { return (Get-ShortTypeName $type.GetElementType()) + '[]' }
    $type.Name
}

function Get-FullTypeName([type] $type) {
    $inner = [Nullable]::GetUnderlyingType($type)
    if ($inner) { return Get-FullTypeName $inner }
    $type.FullName
}

function Get-ValidValues($parameter) {
    $set = $parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] } | Select-Object -First 1
    if ($set) { return @($set.ValidValues) }
    $type = $parameter.ParameterType
    if ($type.IsArray) { $type = $type.GetElementType() }
    $inner = [Nullable]::GetUnderlyingType($type)
    if ($inner) { $type = $inner }
    if ($type.IsEnum) { return @([Enum]::GetNames($type)) }
    @()
}

# The default a parameter has when not given: read from a fresh instance of the cmdlet class. Only values that say something
# (not null, not 0, not false, not an empty list).
function Get-DefaultValue([object] $instance, [string] $name) {
    if ($null -eq $instance) { return $null }
    $property = $instance.GetType().GetProperty($name)
    if ($null -eq $property) { return $null }
    $value = $property.GetValue($instance)
    if ($null -eq $value) { return $null }
    if ($value -is [System.Management.Automation.SwitchParameter]) { return $null }
    if ($value -is [bool] -and -not $value) { return $null }
    if ($value -is [System.Collections.IEnumerable] -and $value -isnot [string] -and @($value).Count -eq 0) { return $null }
    if ($value -is [ValueType] -and $value -eq [Activator]::CreateInstance($value.GetType())) { return $null }
    [System.Convert]::ToString($value, [System.Globalization.CultureInfo]::InvariantCulture)
}

$commands = foreach ($command in Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name) {
    $instance = $null
    try { $instance = [Activator]::CreateInstance($command.ImplementingType) } catch { $instance = $null }
    try {
        $parameters = foreach ($p in $command.Parameters.Values | Where-Object { $_.Name -notin $common }) {
            [ordered]@{
                Name         = $p.Name
                Type         = Get-ShortTypeName $p.ParameterType
                FullType     = Get-FullTypeName $p.ParameterType
                IsSwitch     = $p.SwitchParameter
                Aliases      = @($p.Aliases)
                Globbing     = [bool]($p.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
                ValidValues  = @(Get-ValidValues $p)
                DefaultValue = Get-DefaultValue $instance $p.Name
            }
        }
        $sets = foreach ($set in $command.ParameterSets) {
            [ordered]@{
                Name       = $set.Name
                IsDefault  = $set.IsDefault
                Parameters = @(foreach ($sp in $set.Parameters | Where-Object { $_.Name -notin $common }) {
                        [ordered]@{
                            Name                  = $sp.Name
                            Position              = $sp.Position
                            Mandatory             = $sp.IsMandatory
                            ByValue               = $sp.ValueFromPipeline
                            ByPropertyName        = $sp.ValueFromPipelineByPropertyName
                            ValueFromRemaining    = $sp.ValueFromRemainingArguments
                        }
                    })
            }
        }
        [ordered]@{
            Name       = $command.Name
            Verb       = $command.Verb
            Noun       = $command.Noun
            Parameters = @($parameters)
            # Sets as Get-Command lists them, the default set first.
            Sets       = @($sets | Sort-Object { -not $_.IsDefault })
        }
    }
    finally {
        if ($instance -is [IDisposable]) { $instance.Dispose() }
    }
}

@($commands) | ConvertTo-Json -Depth 8 | Set-Content -LiteralPath $OutFile -Encoding utf8
