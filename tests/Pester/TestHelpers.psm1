# Shared helpers for the Pester tests. Each test file does:
#   BeforeAll { Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force; Import-GcTriageUnderTest }
Set-StrictMode -Version Latest

$script:RepoRoot = (Resolve-Path "$PSScriptRoot/../..").Path

function Get-RepoRoot { $script:RepoRoot }

function Import-GcTriageUnderTest {
    Import-Module (Join-Path $script:RepoRoot 'GcTriage.psd1') -Force -Global -ErrorAction Stop
}

function Get-FixtureDll {
    if ($env:GCTRIAGE_FIXTURE) { return $env:GCTRIAGE_FIXTURE }
    foreach ($config in 'Release', 'Debug') {
        $p = Join-Path $script:RepoRoot "tests/GcTriage.Fixture/bin/$config/net10.0/GcTriage.Fixture.dll"
        if (Test-Path $p) { return $p }
    }
    throw 'GcTriage.Fixture.dll is not built; run build.ps1 Build.'
}

<#
.SYNOPSIS
Starts tests/GcTriage.Fixture in a mode and waits for its READY line. Returns an object with Id, Process, Lines,
and the methods Send(line) and WaitFor(prefix, seconds).
#>
function Start-GcFixture {
    param(
        [Parameter(Mandatory)][string] $Mode,
        [string[]] $ArgumentList = @(),
        [hashtable] $Environment = @{},
        [int] $TimeoutSeconds = 60
    )
    $psi = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    $psi.RedirectStandardInput = $true
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.UseShellExecute = $false
    $psi.ArgumentList.Add((Get-FixtureDll))
    $psi.ArgumentList.Add($Mode)
    foreach ($a in $ArgumentList) { $psi.ArgumentList.Add($a) }
    foreach ($k in $Environment.Keys) { $psi.Environment[$k] = [string]$Environment[$k] }
    $process = [System.Diagnostics.Process]::Start($psi)
    $fixture = [pscustomobject]@{
        Id      = $process.Id
        Process = $process
        Lines   = [System.Collections.Generic.List[string]]::new()
    }
    $fixture | Add-Member -MemberType ScriptMethod -Name Send -Value {
        param([string] $line)
        $this.Process.StandardInput.WriteLine($line)
        $this.Process.StandardInput.Flush()
    }
    $fixture | Add-Member -MemberType ScriptMethod -Name WaitFor -Value {
        param([string] $prefix, [int] $seconds = 60)
        $deadline = [DateTime]::UtcNow.AddSeconds($seconds)
        while ($true) {
            $task = $this.Process.StandardOutput.ReadLineAsync()
            $left = $deadline - [DateTime]::UtcNow
            if ($left -le [TimeSpan]::Zero -or -not $task.Wait($left)) { throw "fixture did not print '$prefix' in $seconds s; saw: $($this.Lines -join ' | ')" }
            $line = $task.Result
            if ($null -eq $line) { throw "fixture exited before '$prefix'; saw: $($this.Lines -join ' | '); stderr: $($this.Process.StandardError.ReadToEnd())" }
            $this.Lines.Add($line)
            if ($line.StartsWith($prefix)) { return $line }
        }
    }
    $null = $fixture.WaitFor('READY', $TimeoutSeconds)
    $fixture
}

function Stop-GcFixture {
    param([Parameter(ValueFromPipeline)] $Fixture)
    process {
        if ($null -eq $Fixture) { return }
        $p = $Fixture.Process
        try {
            if (-not $p.HasExited) {
                try { $Fixture.Send('exit') } catch { }
                if (-not $p.WaitForExit(5000)) { $p.Kill($true); $null = $p.WaitForExit(5000) }
            }
        }
        finally { $p.Dispose() }
    }
}

<# A private (0700) temp folder; remove it with Remove-GcTempDirectory. #>
function New-GcTempDirectory {
    $path = Join-Path ([System.IO.Path]::GetTempPath()) ('gctriage-pester-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
    if ($IsWindows) { $null = New-Item -ItemType Directory -Path $path }
    else { $null = [System.IO.Directory]::CreateDirectory($path, [System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute') }
    $path
}

function Remove-GcTempDirectory {
    param([string] $Path)
    if ($Path -and (Test-Path -LiteralPath $Path)) { Remove-Item -LiteralPath $Path -Recurse -Force -ErrorAction SilentlyContinue }
}

<# Starts a process that is not .NET (sleep), for bad-input tests. #>
function Start-NonDotNetProcess {
    if ($IsWindows) { Start-Process -FilePath 'ping' -ArgumentList '-n', '120', '127.0.0.1' -PassThru -WindowStyle Hidden }
    else { Start-Process -FilePath 'sleep' -ArgumentList '120' -PassThru }
}

Export-ModuleMember -Function Get-RepoRoot, Import-GcTriageUnderTest, Get-FixtureDll, Start-GcFixture, Stop-GcFixture, New-GcTempDirectory, Remove-GcTempDirectory, Start-NonDotNetProcess
