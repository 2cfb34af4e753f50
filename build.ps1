#!/usr/bin/env pwsh
<#
.SYNOPSIS
Builds, tests, demonstrates, benchmarks and packages GcTriage.

.DESCRIPTION
Tasks (run one or several in order):
  Build    Compiles the solution and lays out the module under module/bin (Commands and Model at the top, Core and
           every third-party assembly in module/bin/dependencies), with MAML help from module/help/*.md (the prose) and the
           built cmdlets' own parameter metadata (SYNTAX, positions, aliases, pipeline input, wildcards).
  Test     Build, then xunit (tests/GcTriage.Core.Tests) and Pester (tests/Pester, in a child pwsh); ends with
           "N passed, N failed, N skipped".
  Demo     Build, then triage the incident service in examples/ and print what fills its heap.
  Bench    Build, then run every bench/*.Bench.ps1 and print its figures.
  Package  Build, then out/GcTriage (the folder to copy to a jump host) and out/GcTriage.<version>.nupkg.
  Clean    Removes build output.

.EXAMPLE
dotnet tool restore && dotnet pwsh ./build.ps1 Test
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Build', 'Test', 'Demo', 'Bench', 'Package', 'Clean')]
    [string[]] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Pester tests to run (file names or tags); all by default.
    [string[]] $PesterPath,

    # Skip the xunit half or the Pester half of Test.
    [switch] $SkipXunit,
    [switch] $SkipPester,

    # Test without building first (the module under module/bin as it is).
    [switch] $NoBuild,

    # Where Test writes its results (trx, Pester XML, the summary); artifacts/test-results by default.
    [string] $TestResultsPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$Root = $PSScriptRoot
$ModuleBin = Join-Path $Root 'module/bin'
$Out = Join-Path $Root 'out'

function Invoke-Native {
    param([string] $Command, [string[]] $Arguments)
    & $Command @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Command $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

function Get-PesterModulePath {
    [xml] $props = Get-Content (Join-Path $Root 'Directory.Packages.props') -Raw
    $version = @($props.Project.PropertyGroup | ForEach-Object { $_.PSObject.Properties['PesterVersion'] } | Where-Object { $_ })[0].Value
    $packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
    $path = Join-Path $packages "pester/$version/tools/Pester.psd1"
    if (-not (Test-Path $path)) {
        Invoke-Native dotnet @('restore', (Join-Path $Root 'build/Tools.proj'), '--nologo', '-v', 'quiet')
    }
    if (-not (Test-Path $path)) { throw "Pester $version was not restored to $path" }
    $path
}

# The command line of this very PowerShell (the local dotnet tool), to start child sessions with.
function Get-PwshCommand {
    $self = [Environment]::ProcessPath
    $first = [Environment]::GetCommandLineArgs()[0]
    if ($first -like '*.dll') { return @($self, $first) }
    @($self)
}

function ConvertTo-MamlHelp {
    # module/help/<Verb-Noun>.md (the prose: SYNOPSIS, DESCRIPTION, PARAMETERS (### -Name), EXAMPLES (### title, ```code```, text),
    # OUTPUTS) and the cmdlets' own metadata (build/Get-CmdletMetadata.ps1: sets, positions, aliases, pipeline input, wildcards,
    # mandatory, types, valid values, defaults) -> one MAML file with SYNTAX and true parameter details.
    param([string] $HelpFolder, [string] $MetadataPath, [string] $Destination)
    $esc = { param($t) [System.Security.SecurityElement]::Escape([string]$t) }
    $paras = { param($text) (($text.Trim() -split "(\r?\n){2,}") | Where-Object { $_.Trim() } | ForEach-Object { "<maml:para>$(& $esc ($_.Trim() -replace '\r?\n', ' '))</maml:para>" }) -join '' }
    $metadata = @{}
    foreach ($c in @(Get-Content $MetadataPath -Raw | ConvertFrom-Json)) { $metadata[$c.Name] = $c }

    # A parameter's MAML element: in a syntax item (per set) or in the parameter list (over all its sets).
    $parameterXml = {
        param($info, $inSets, [string] $description, [bool] $inSyntax)
        $required = @($inSets | Where-Object { -not $_.Mandatory }).Count -eq 0
        $positions = @($inSets | ForEach-Object { $_.Position } | Sort-Object -Unique)
        $position = if ($positions.Count -eq 1 -and $positions[0] -ge 0) { [string]$positions[0] } else { 'named' }
        $how = @()
        if (@($inSets | Where-Object ByValue).Count) { $how += 'ByValue' }
        if (@($inSets | Where-Object ByPropertyName).Count) { $how += 'ByPropertyName' }
        $pipeline = if ($how) { "True ($($how -join ', '))" } else { 'False' }
        $aliases = if (@($info.Aliases).Count) { @($info.Aliases) -join ', ' } else { 'none' }
        $variableLength = ([string]$info.Type).EndsWith('[]')
        $x = "<command:parameter required=`"$($required.ToString().ToLowerInvariant())`" variableLength=`"$($variableLength.ToString().ToLowerInvariant())`" globbing=`"$(([bool]$info.Globbing).ToString().ToLowerInvariant())`" pipelineInput=`"$pipeline`" position=`"$position`" aliases=`"$(& $esc $aliases)`">"
        $x += "<maml:name>$($info.Name)</maml:name>"
        if (-not $inSyntax) { $x += "<maml:description>$description</maml:description>" }
        if (@($info.ValidValues).Count -and $inSyntax) {
            $x += '<command:parameterValueGroup>' + ((@($info.ValidValues) | ForEach-Object { "<command:parameterValue required=`"false`" variableLength=`"false`">$(& $esc $_)</command:parameterValue>" }) -join '') + '</command:parameterValueGroup>'
        }
        elseif (-not $info.IsSwitch) {
            $x += "<command:parameterValue required=`"true`" variableLength=`"$($variableLength.ToString().ToLowerInvariant())`">$(& $esc $info.Type)</command:parameterValue>"
        }
        $x += "<dev:type><maml:name>$(& $esc $info.FullType)</maml:name><maml:uri /></dev:type>"
        $default = if ($null -ne $info.DefaultValue) { $info.DefaultValue } elseif ($info.IsSwitch) { 'False' } else { 'None' }
        $x += "<dev:defaultValue>$(& $esc $default)</dev:defaultValue>"
        $x + '</command:parameter>'
    }

    $sb = [System.Text.StringBuilder]::new()
    $null = $sb.AppendLine('<?xml version="1.0" encoding="utf-8"?>')
    $null = $sb.AppendLine('<helpItems schema="maml" xmlns="http://msh">')
    foreach ($file in Get-ChildItem $HelpFolder -Filter '*-*.md' | Sort-Object Name) {
        $text = Get-Content $file.FullName -Raw
        $name = $file.BaseName
        $verb, $noun = $name -split '-', 2
        $sections = @{}
        foreach ($m in [regex]::Matches($text, '(?ms)^## (\w+)\s*\r?\n(.*?)(?=^## |\z)')) { $sections[$m.Groups[1].Value] = $m.Groups[2].Value }
        foreach ($required in 'SYNOPSIS', 'DESCRIPTION', 'PARAMETERS', 'EXAMPLES') {
            if (-not $sections.ContainsKey($required)) { throw "$($file.Name) has no '## $required' section" }
        }
        $meta = $metadata[$name]
        if (-not $meta) {
            # Help for a cmdlet not (yet) in CmdletsToExport: the prose only; Module.Tests fails on the missing export.
            Write-Warning "$($file.Name) describes $name, which the module does not export: no SYNTAX or parameter details"
            $meta = [pscustomobject]@{ Parameters = @(); Sets = @() }
        }
        $prose = [ordered]@{}
        foreach ($m in [regex]::Matches($sections.PARAMETERS, '(?ms)^### -(\w+)\s*\r?\n(.*?)(?=^### |\z)')) { $prose[$m.Groups[1].Value] = $m.Groups[2].Value }
        foreach ($described in @($prose.Keys)) {
            if ($meta.Parameters.Count -and $described -notin @($meta.Parameters.Name)) { Write-Warning "$($file.Name) describes -$described, which $name does not have" }
        }

        $null = $sb.AppendLine('<command:command xmlns:maml="http://schemas.microsoft.com/maml/2004/10" xmlns:command="http://schemas.microsoft.com/maml/dev/command/2004/10" xmlns:dev="http://schemas.microsoft.com/maml/dev/2004/10">')
        $null = $sb.AppendLine("<command:details><command:name>$name</command:name><command:verb>$verb</command:verb><command:noun>$noun</command:noun><maml:description>$(& $paras $sections.SYNOPSIS)</maml:description></command:details>")
        $null = $sb.AppendLine("<maml:description>$(& $paras $sections.DESCRIPTION)</maml:description>")

        # SYNTAX: one item per parameter set, the default first; positional parameters by position, then mandatory, then the rest.
        $null = $sb.AppendLine('<command:syntax>')
        foreach ($set in @($meta.Sets)) {
            $null = $sb.Append("<command:syntaxItem><maml:name>$name</maml:name>")
            $ordered = @($set.Parameters) | Sort-Object @{ e = { if ($_.Position -ge 0) { $_.Position } else { [int]::MaxValue } } }, @{ e = { -not $_.Mandatory } }
            foreach ($sp in $ordered) {
                $info = @($meta.Parameters | Where-Object Name -eq $sp.Name)[0]
                $null = $sb.Append((& $parameterXml $info @($sp) '' $true))
            }
            $null = $sb.AppendLine('</command:syntaxItem>')
        }
        $null = $sb.AppendLine('</command:syntax>')

        # PARAMETERS: in the markdown's order (then any it lacks), metadata over all the parameter's sets.
        $null = $sb.AppendLine('<command:parameters>')
        $names = @($prose.Keys) + @($meta.Parameters.Name | Where-Object { $_ -notin $prose.Keys })
        foreach ($pn in $names) {
            $info = @($meta.Parameters | Where-Object Name -eq $pn)[0]
            if (-not $info) {
                # Described but not a parameter (stale help, or no metadata): kept visible, Help.Tests fails on it.
                $null = $sb.AppendLine("<command:parameter required=`"false`" variableLength=`"false`" globbing=`"false`" pipelineInput=`"False`" position=`"named`" aliases=`"none`"><maml:name>$pn</maml:name><maml:description>$(& $paras $prose[$pn])</maml:description></command:parameter>")
                continue
            }
            $inSets = @($meta.Sets | ForEach-Object { $_.Parameters | Where-Object Name -eq $pn })
            $description = if ($prose.Contains($pn)) { & $paras $prose[$pn] } else { Write-Warning "$($file.Name) does not describe -$pn"; '' }
            $null = $sb.AppendLine((& $parameterXml $info $inSets $description $false))
        }
        $null = $sb.AppendLine('</command:parameters>')

        # INPUTS: what binds from the pipeline, by value or by property name.
        $byValue = @($meta.Parameters | Where-Object { $pn = $_.Name; @($meta.Sets | ForEach-Object { $_.Parameters } | Where-Object { $_.Name -eq $pn -and $_.ByValue }).Count })
        $byName = @($meta.Parameters | Where-Object { $pn = $_.Name; @($meta.Sets | ForEach-Object { $_.Parameters } | Where-Object { $_.Name -eq $pn -and $_.ByPropertyName }).Count })
        if ($byValue.Count -or $byName.Count) {
            $null = $sb.AppendLine('<command:inputTypes>')
            foreach ($p in $byValue) {
                $null = $sb.AppendLine("<command:inputType><dev:type><maml:name>$(& $esc $p.FullType)</maml:name></dev:type><maml:description><maml:para>Binds to -$($p.Name).</maml:para></maml:description></command:inputType>")
            }
            if ($byName.Count) {
                $list = ($byName | ForEach-Object { $n = @($_.Name) + @($_.Aliases); $n -join '/' }) -join ', '
                $null = $sb.AppendLine("<command:inputType><dev:type><maml:name>System.Management.Automation.PSObject</maml:name></dev:type><maml:description><maml:para>$(& $esc "Objects with these properties bind by name: $list.")</maml:para></maml:description></command:inputType>")
            }
            $null = $sb.AppendLine('</command:inputTypes>')
        }

        if ($sections.ContainsKey('OUTPUTS')) {
            $null = $sb.AppendLine('<command:returnValues>')
            foreach ($t in ($sections.OUTPUTS -split '\r?\n' | Where-Object { $_.Trim() })) {
                $null = $sb.AppendLine("<command:returnValue><dev:type><maml:name>$(& $esc $t.Trim())</maml:name></dev:type></command:returnValue>")
            }
            $null = $sb.AppendLine('</command:returnValues>')
        }
        $null = $sb.AppendLine('<command:examples>')
        foreach ($m in [regex]::Matches($sections.EXAMPLES, '(?ms)^### (.*?)\r?\n\s*```\w*\r?\n(.*?)```(.*?)(?=^### |\z)')) {
            $null = $sb.AppendLine("<command:example><maml:title>--- $(& $esc $m.Groups[1].Value.Trim()) ---</maml:title><dev:code>$(& $esc $m.Groups[2].Value.TrimEnd())</dev:code><dev:remarks>$(& $paras $m.Groups[3].Value)</dev:remarks></command:example>")
        }
        $null = $sb.AppendLine('</command:examples>')
        $null = $sb.AppendLine('</command:command>')
    }
    $null = $sb.AppendLine('</helpItems>')
    $null = New-Item -ItemType Directory -Force -Path (Split-Path $Destination)
    [System.IO.File]::WriteAllText($Destination, $sb.ToString())
}

# The cmdlets' metadata, read by a child pwsh from the module just laid out (build/Get-CmdletMetadata.ps1).
function Get-CmdletMetadataFile {
    $path = Join-Path $Root 'artifacts/help/cmdlets.json'
    $null = New-Item -ItemType Directory -Force -Path (Split-Path $path)
    $pwsh = @(Get-PwshCommand)
    $exe = $pwsh[0]
    $pre = @($pwsh | Select-Object -Skip 1)
    & $exe @pre -NoProfile -NonInteractive -File (Join-Path $Root 'build/Get-CmdletMetadata.ps1') -ManifestPath (Join-Path $Root 'GcTriage.psd1') -OutFile $path
    if ($LASTEXITCODE -ne 0) { throw "build/Get-CmdletMetadata.ps1 failed with exit code $LASTEXITCODE" }
    $path
}

function Invoke-Build {
    Write-Host "== Build ($Configuration)" -ForegroundColor Cyan
    Invoke-Native dotnet @('build', (Join-Path $Root 'GcTriage.sln'), '-c', $Configuration, '--nologo', '-v', 'quiet', '-clp:NoSummary;ErrorsOnly')
    $publish = Join-Path $Root "artifacts/publish/GcTriage.Commands"
    if (Test-Path $publish) { Remove-Item $publish -Recurse -Force }
    Invoke-Native dotnet @('publish', (Join-Path $Root 'src/GcTriage.Commands/GcTriage.Commands.csproj'), '-c', $Configuration, '-o', $publish, '--no-build', '--nologo', '-v', 'quiet')

    # A module that is loaded cannot be overwritten on Windows; elsewhere, replacing files is safe.
    if (Test-Path $ModuleBin) { Remove-Item $ModuleBin -Recurse -Force }
    $deps = Join-Path $ModuleBin 'dependencies'
    $null = New-Item -ItemType Directory -Force -Path $deps
    $top = 'GcTriage.Commands.dll', 'GcTriage.Commands.pdb', 'GcTriage.Model.dll', 'GcTriage.Model.pdb', 'GcTriage.Model.xml'
    foreach ($item in Get-ChildItem $publish) {
        if ($item.Name -in 'System.Management.Automation.dll', 'GcTriage.Commands.deps.json') { continue }
        $dest = if ($item.Name -in $top) { $ModuleBin } else { $deps }
        Copy-Item $item.FullName -Destination $dest -Recurse -Force
    }
    # PowerShell looks for help in <ModuleBase>/<culture>, and the module base is the folder of GcTriage.psd1: the root.
    $helpOut = Join-Path $Root 'en-US'
    if (Test-Path $helpOut) { Remove-Item $helpOut -Recurse -Force }
    ConvertTo-MamlHelp -HelpFolder (Join-Path $Root 'module/help') -MetadataPath (Get-CmdletMetadataFile) -Destination (Join-Path $helpOut 'GcTriage.Commands.dll-Help.xml')
    $about = Join-Path $Root 'module/help/about_GcTriage.help.txt'
    if (Test-Path $about) { Copy-Item $about $helpOut }
    Write-Host "Module laid out in $ModuleBin; Import-Module $(Join-Path $Root 'GcTriage.psd1')"
}

function Invoke-Test {
    $results = if ($TestResultsPath) { [System.IO.Path]::GetFullPath($TestResultsPath) } else { Join-Path $Root 'artifacts/test-results' }
    if (Test-Path $results) { Remove-Item $results -Recurse -Force }
    $null = New-Item -ItemType Directory -Force -Path $results
    $passed = 0; $failed = 0; $skipped = 0
    # Every failure is named again just above the last line, so that the tail of a long CI log says what broke.
    $failures = [System.Collections.Generic.List[string]]::new()

    if (-not $SkipXunit) {
        Write-Host '== xunit (tests/GcTriage.Core.Tests)' -ForegroundColor Cyan
        & dotnet test (Join-Path $Root 'tests/GcTriage.Core.Tests/GcTriage.Core.Tests.csproj') -c $Configuration --no-build --nologo `
            --logger 'trx;LogFileName=xunit.trx' --logger 'console;verbosity=normal' --results-directory $results
        $trx = Get-ChildItem $results -Filter '*.trx' -Recurse | Select-Object -First 1
        if ($trx) {
            [xml] $x = Get-Content $trx.FullName -Raw
            $c = $x.TestRun.ResultSummary.Counters
            $passed += [int]$c.passed
            $failed += [int]$c.failed + [int]$c.error + [int]$c.timeout + [int]$c.aborted
            $skipped += [int]$c.notExecuted
            foreach ($r in @($x.TestRun.Results.UnitTestResult | Where-Object { $_.outcome -ne 'Passed' -and $_.outcome -ne 'NotExecuted' })) {
                $message = "$($r.Output.ErrorInfo.Message)".Trim() -split "`n" | Select-Object -First 1
                $failures.Add("xunit  $($r.testName): $message")
            }
        }
        elseif ($LASTEXITCODE -ne 0) { $failed += 1; Write-Host 'xunit produced no results' -ForegroundColor Red }
    }

    if (-not $SkipPester) {
        Write-Host '== Pester (tests/Pester, in a child pwsh)' -ForegroundColor Cyan
        $pester = Get-PesterModulePath
        $summary = Join-Path $results 'pester-summary.json'
        $paths = if ($PesterPath) { $PesterPath -split ',' | ForEach-Object { if (Test-Path $_) { (Resolve-Path $_).Path } else { Join-Path $Root "tests/Pester/$_" } } } else { @(Join-Path $Root 'tests/Pester') }
        $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$pester' -Force
`$c = New-PesterConfiguration
`$c.Run.Path = @('$($paths -join "','")')
`$c.Run.PassThru = `$true
`$c.Output.Verbosity = 'Detailed'
`$c.TestResult.Enabled = `$true
`$c.TestResult.OutputPath = '$(Join-Path $results 'pester.xml')'
`$r = Invoke-Pester -Configuration `$c
`$names = @(`$r.Failed | ForEach-Object { "`$(`$_.ExpandedPath): `$((`"`$(`$_.ErrorRecord | Select-Object -First 1)`" -split "``n")[0])" }) +
    @(`$r.FailedBlocks | ForEach-Object { "`$(`$_.Path -join '.'): block failed" }) +
    @(`$r.FailedContainers | ForEach-Object { "`$(`$_.Item): container failed" })
@{ Passed = `$r.PassedCount; Skipped = `$r.SkippedCount; Failed = `$r.FailedCount + `$r.FailedBlocksCount + `$r.FailedContainersCount + [int](`$r.TotalCount -eq 0); Names = `$names } | ConvertTo-Json | Set-Content '$summary'
"@
        $pwsh = @(Get-PwshCommand)
        $exe = $pwsh[0]
        $pre = @($pwsh | Select-Object -Skip 1)
        & $exe @pre -NoProfile -NonInteractive -Command $script
        if (Test-Path $summary) {
            $s = Get-Content $summary -Raw | ConvertFrom-Json
            $passed += [int]$s.Passed; $failed += [int]$s.Failed; $skipped += [int]$s.Skipped
            foreach ($n in @($s.Names)) { if ($n) { $failures.Add("Pester $n") } }
        }
        else { $failed += 1; Write-Host 'Pester produced no results' -ForegroundColor Red }
    }

    Write-Host ''
    if ($failures.Count -gt 0) {
        Write-Host 'Failed:' -ForegroundColor Red
        foreach ($f in $failures) { Write-Host "  $f" -ForegroundColor Red }
    }
    # CI looks for "N passed, N failed" at the start of the last line; skipped tests come after it.
    Write-Host "$passed passed, $failed failed, $skipped skipped"
    if ($failed -gt 0) { exit 1 }
}

function Invoke-Demo {
    & (Join-Path $Root 'examples/Invoke-Demo.ps1') -Configuration $Configuration
    if (-not $?) { throw 'Demo failed' }
}

function Invoke-Bench {
    foreach ($bench in Get-ChildItem (Join-Path $Root 'bench') -Filter '*.Bench.ps1' | Sort-Object Name) {
        Write-Host "== $($bench.Name)" -ForegroundColor Cyan
        $pwsh = @(Get-PwshCommand)
        $exe = $pwsh[0]
        $pre = @($pwsh | Select-Object -Skip 1)
        & $exe @pre -NoProfile -NonInteractive -File $bench.FullName -Configuration $Configuration
        if ($LASTEXITCODE -ne 0) { throw "$($bench.Name) failed" }
    }
}

function Invoke-Clean {
    foreach ($p in $ModuleBin, $Out, (Join-Path $Root 'artifacts'), (Join-Path $Root 'en-US')) { if (Test-Path $p) { Remove-Item $p -Recurse -Force } }
    Invoke-Native dotnet @('clean', (Join-Path $Root 'GcTriage.sln'), '--nologo', '-v', 'quiet')
}

function Invoke-Package {
    $dest = Join-Path $Out 'GcTriage'
    if (Test-Path $dest) { Remove-Item $dest -Recurse -Force }
    $null = New-Item -ItemType Directory -Force -Path $dest
    Copy-Item (Join-Path $Root 'GcTriage.psd1') $dest
    $null = New-Item -ItemType Directory -Force -Path (Join-Path $dest 'module')
    foreach ($f in 'GcTriage.Format.ps1xml', 'GcTriage.Types.ps1xml') { Copy-Item (Join-Path $Root "module/$f") (Join-Path $dest 'module') }
    Copy-Item $ModuleBin (Join-Path $dest 'module/bin') -Recurse
    Copy-Item (Join-Path $Root 'en-US') (Join-Path $dest 'en-US') -Recurse
    foreach ($f in 'README.md') { Copy-Item (Join-Path $Root $f) $dest }
    Write-Host "Module folder: $dest (copy it into a folder on `$env:PSModulePath on the jump host)"

    # A .nupkg that Install-PSResource / Install-Module take from a local or internal feed; made offline by PSResourceGet.
    Import-Module Microsoft.PowerShell.PSResourceGet -ErrorAction Stop
    Get-ChildItem $Out -Filter '*.nupkg' | Remove-Item -Force
    Compress-PSResource -Path $dest -DestinationPath $Out
    $nupkg = Get-ChildItem $Out -Filter '*.nupkg' | Select-Object -First 1
    if (-not $nupkg) { throw 'Compress-PSResource wrote no .nupkg' }
    Write-Host "Package: $($nupkg.FullName)"
    Write-Host "Install from a folder feed: Register-PSResourceRepository -Name Local -Uri $Out -Trusted; Install-PSResource GcTriage -Repository Local"
}

foreach ($t in $Task) {
    switch ($t) {
        'Build' { Invoke-Build }
        'Test' { if (-not $NoBuild) { Invoke-Build }; Invoke-Test }
        'Demo' { Invoke-Build; Invoke-Demo }
        'Bench' { Invoke-Build; Invoke-Bench }
        'Package' { Invoke-Build; Invoke-Package }
        'Clean' { Invoke-Clean }
    }
}
