BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-GcTriageUnderTest
    $script:Module = Get-Module GcTriage
    $script:Commands = Get-Command -Module GcTriage
    $manifest = Import-PowerShellDataFile (Join-Path (Get-RepoRoot) 'GcTriage.psd1')
    $script:Declared = $manifest.CmdletsToExport
}

Describe 'GcTriage module' {
    It 'exports only cmdlets the manifest declares, each with [OutputType]' {
        $Commands.Count | Should -BeGreaterThan 5
        foreach ($c in $Commands) {
            $c.CommandType | Should -Be 'Cmdlet'
            $Declared | Should -Contain $c.Name
            $c.OutputType.Count | Should -BeGreaterThan 0 -Because "$($c.Name) declares its output type"
        }
    }

    It 'has help with a synopsis and at least two examples for every cmdlet, and a description for every parameter' {
        $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
        foreach ($c in $Commands) {
            $help = Get-Help $c.Name -Full
            $help.Synopsis | Should -Not -BeNullOrEmpty -Because "$($c.Name) has a synopsis"
            $help.Synopsis | Should -Not -BeLike "*$($c.Name) *[[]*" -Because "$($c.Name) synopsis is written, not generated"
            @($help.Examples.Example).Count | Should -BeGreaterOrEqual 2 -Because "$($c.Name) has two examples"
            foreach ($p in $c.Parameters.Keys | Where-Object { $_ -notin $common }) {
                $ph = $help.parameters.parameter | Where-Object name -eq $p
                $ph | Should -Not -BeNullOrEmpty -Because "$($c.Name) -$p has help"
                ($ph.description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "$($c.Name) -$p is described"
            }
        }
    }

    It 'has a table view for every output type' {
        $views = Get-FormatData -TypeName 'GcTriage.*' -PowerShellVersion $PSVersionTable.PSVersion
        $viewed = $views.TypeNames
        foreach ($c in $Commands) {
            foreach ($t in $c.OutputType.Type | Where-Object { $_ -and $_.FullName -like 'GcTriage.*' }) {
                $viewed | Should -Contain $t.FullName -Because "$($c.Name) emits $($t.FullName)"
            }
        }
    }

    It 'loads ClrMD and GcTriage.Core in its own load context, and the model in the default one' {
        $clrmd = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Microsoft.Diagnostics.Runtime' }
        # The walk that loads it: any Core call. Get-GcProcess needs NETCore.Client.
        $null = Get-GcProcess
        $clrmd = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -in 'GcTriage.Core', 'Microsoft.Diagnostics.NETCore.Client' }
        $clrmd | Should -Not -BeNullOrEmpty
        foreach ($a in $clrmd) {
            $alc = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($a)
            $alc | Should -Not -Be ([System.Runtime.Loader.AssemblyLoadContext]::Default)
            $alc.Name | Should -Be 'GcTriage'
        }
        $model = [GcTriage.GcTypeStat].Assembly
        [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($model) | Should -Be ([System.Runtime.Loader.AssemblyLoadContext]::Default)
        [GcTriage.GcTypeStat]::new() | Should -BeOfType ([GcTriage.GcTypeStat])
        # Third-party types are not visible to scripts by name: they live in the module's context only.
        { [Microsoft.Diagnostics.NETCore.Client.DiagnosticsClient] } | Should -Throw
    }

    It 'gives its assemblies the manifest''s version, the one place it is written' {
        foreach ($name in 'GcTriage.Commands', 'GcTriage.Model', 'GcTriage.Core') {
            $dll = Get-ChildItem (Join-Path (Get-RepoRoot) 'module/bin') -Recurse -Filter "$name.dll" | Select-Object -First 1
            $dll | Should -Not -BeNullOrEmpty -Because "$name.dll is laid out under module/bin"
            $version = [System.Reflection.AssemblyName]::GetAssemblyName($dll.FullName).Version
            '{0}.{1}.{2}' -f $version.Major, $version.Minor, $version.Build | Should -Be $Module.Version.ToString() -Because "$name takes ModuleVersion"
            [System.Diagnostics.FileVersionInfo]::GetVersionInfo($dll.FullName).ProductVersion | Should -BeLike "$($Module.Version)*"
        }
    }

    It 'ends build.ps1 Test with "N passed, N failed, N skipped", the part CI reads first' {
        $dir = New-GcTempDirectory
        try {
            $tests = Join-Path $dir 'Sample.Tests.ps1'
            Set-Content $tests "Describe 'sample' { It 'passes' { 1 | Should -Be 1 }; It 'passes too' { 2 | Should -Be 2 }; It 'is skipped' -Skip { 1 | Should -Be 2 } }"
            $exe = [Environment]::ProcessPath
            $first = [Environment]::GetCommandLineArgs()[0]
            [string[]] $pre = @(if ($first -like '*.dll') { $first })
            $lines = & $exe @pre -NoProfile -NonInteractive -File (Join-Path (Get-RepoRoot) 'build.ps1') Test -NoBuild -SkipXunit -PesterPath $tests -TestResultsPath (Join-Path $dir 'results') 6>&1 2>&1
            $LASTEXITCODE | Should -Be 0
            $last = @($lines | ForEach-Object { "$_" } | Where-Object { $_.Trim() })[-1]
            $last | Should -Be '2 passed, 0 failed, 1 skipped'
            $last | Should -Match '^\d+ passed, \d+ failed'
        }
        finally { Remove-GcTempDirectory $dir }
    }

    It 'keeps the manifest claims true: PowerShell 7.6, Core edition' {
        $Module.PowerShellVersion | Should -Be ([version]'7.6')
        $Module.CompatiblePSEditions | Should -Be @('Core')
    }
}
