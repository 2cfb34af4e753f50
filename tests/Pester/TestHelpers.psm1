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
        [int] $TimeoutSeconds = 60,
        # The dotnet host to run it with (a copied runtime, for the DAC trust tests).
        [string] $DotnetHost = 'dotnet',
        # A runtimeconfig.json to run the fixture with instead of its own (dotnet exec --runtimeconfig).
        [string] $RuntimeConfig
    )
    $psi = [System.Diagnostics.ProcessStartInfo]::new($DotnetHost)
    $psi.RedirectStandardInput = $true
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.UseShellExecute = $false
    if ($RuntimeConfig) { $psi.ArgumentList.Add('exec'); $psi.ArgumentList.Add('--runtimeconfig'); $psi.ArgumentList.Add($RuntimeConfig) }
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

function New-FixtureRuntimeConfig {
    # The fixture's own runtimeconfig.json with these configProperties added or replaced, written to $Path.
    param([Parameter(Mandatory)][string] $Path, [Parameter(Mandatory)][hashtable] $Properties)
    $source = [System.IO.Path]::ChangeExtension((Get-FixtureDll), '.runtimeconfig.json')
    $json = Get-Content -Raw $source | ConvertFrom-Json -AsHashtable
    if (-not $json.runtimeOptions.ContainsKey('configProperties')) { $json.runtimeOptions.configProperties = @{} }
    foreach ($k in $Properties.Keys) { $json.runtimeOptions.configProperties[$k] = $Properties[$k] }
    $json | ConvertTo-Json -Depth 10 | Set-Content -Path $Path
    $Path
}

function Stop-GcFixture {
    param([Parameter(ValueFromPipeline)] $Fixture)
    process {
        if ($null -eq $Fixture) { return }
        $p = $Fixture.Process
        $id = $p.Id
        try {
            if (-not $p.HasExited) {
                try { $Fixture.Send('exit') } catch { }
                if (-not $p.WaitForExit(5000)) { $p.Kill($true); $null = $p.WaitForExit(5000) }
            }
            # A killed runtime leaves its diagnostics socket (and its debugger pipes) behind; once its pid is reused, a later
            # test's process would have a stranger's socket under its pid. Clear the fixture's own leftovers.
            if ($p.HasExited -and -not $IsWindows) {
                $temp = [System.IO.Path]::GetTempPath()
                foreach ($pattern in "dotnet-diagnostic-$id-*-socket", "clr-debug-pipe-$id-*") {
                    foreach ($left in [System.IO.Directory]::GetFiles($temp, $pattern)) { [System.IO.File]::Delete($left) }
                }
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
    if (-not $Path -or -not (Test-Path -LiteralPath $Path)) { return }
    # .NET's recursive delete unlinks links without looking at their targets; Remove-Item refuses a link to a file under
    # /proc (as an attack test plants one) and left the folder behind.
    try { [System.IO.Directory]::Delete($Path, $true) }
    catch { Remove-Item -LiteralPath $Path -Recurse -Force -ErrorAction SilentlyContinue }
}

<# Starts a process that is not .NET (sleep), for bad-input tests. #>
function Start-NonDotNetProcess {
    if ($IsWindows) { Start-Process -FilePath 'ping' -ArgumentList '-n', '120', '127.0.0.1' -PassThru -WindowStyle Hidden }
    else { Start-Process -FilePath 'sleep' -ArgumentList '120' -PassThru }
}

Export-ModuleMember -Function Get-RepoRoot, Import-GcTriageUnderTest, Get-FixtureDll, Start-GcFixture, New-FixtureRuntimeConfig, Stop-GcFixture, New-GcTempDirectory, Remove-GcTempDirectory, Start-NonDotNetProcess

<#
.SYNOPSIS
Starts a loopback-only sshd on a free port, with its own host key, one authorized client key and a `powershell` subsystem that
runs this very PowerShell (the local dotnet tool). Returns Port, UserName, KeyFilePath, Options (for Invoke-Command) and Process;
$null when sshd is not installed. Stop it with Stop-LoopbackSshd.
#>
function Start-LoopbackSshd {
    $sshd = @('/usr/sbin/sshd', (Get-Command sshd -ErrorAction Ignore).Source) | Where-Object { $_ -and (Test-Path $_) } | Select-Object -First 1
    if (-not $sshd -or -not (Get-Command ssh-keygen -ErrorAction Ignore) -or $IsWindows) { return $null }
    $dir = New-GcTempDirectory
    & ssh-keygen -q -t ed25519 -N '' -f (Join-Path $dir 'host_key') | Out-Null
    & ssh-keygen -q -t ed25519 -N '' -f (Join-Path $dir 'client_key') | Out-Null
    Copy-Item (Join-Path $dir 'client_key.pub') (Join-Path $dir 'authorized_keys')
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
    $pwshDll = [Environment]::GetCommandLineArgs()[0]
    $dotnet = [Environment]::ProcessPath
    $subsystem = Join-Path $dir 'pwsh-subsystem.sh'
    $envLines = @("export HOME='$HOME'", "export PATH='$env:PATH'")
    if ($env:DOTNET_ROOT) { $envLines += "export DOTNET_ROOT='$env:DOTNET_ROOT'" }
    $launch = if ($pwshDll -like '*.dll') { "exec '$dotnet' '$pwshDll' -sshs -NoLogo -NoProfile" } else { "exec '$dotnet' -sshs -NoLogo -NoProfile" }
    Set-Content $subsystem (@('#!/bin/sh') + $envLines + $launch)
    [System.IO.File]::SetUnixFileMode($subsystem, [System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute')
    $user = [Environment]::UserName
    Set-Content (Join-Path $dir 'sshd_config') @(
        "Port $port", 'ListenAddress 127.0.0.1', "HostKey $(Join-Path $dir 'host_key')", "PidFile $(Join-Path $dir 'sshd.pid')",
        "AuthorizedKeysFile $(Join-Path $dir 'authorized_keys')", 'PasswordAuthentication no', 'KbdInteractiveAuthentication no',
        'PubkeyAuthentication yes', 'PermitRootLogin prohibit-password', 'StrictModes no', 'UsePAM no', "AllowUsers $user",
        "Subsystem powershell $subsystem")
    if (-not (Test-Path /run/sshd)) { $null = New-Item -ItemType Directory /run/sshd -ErrorAction SilentlyContinue }
    $proc = Start-Process -FilePath $sshd -ArgumentList '-D', '-e', '-f', (Join-Path $dir 'sshd_config') -PassThru -RedirectStandardError (Join-Path $dir 'sshd.log')
    $deadline = [DateTime]::UtcNow.AddSeconds(10)
    while ([DateTime]::UtcNow -lt $deadline) {
        try { $c = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $port); $c.Dispose(); break } catch { Start-Sleep -Milliseconds 100 }
    }
    [pscustomobject]@{
        Port        = $port
        UserName    = $user
        KeyFilePath = Join-Path $dir 'client_key'
        Options     = @{ StrictHostKeyChecking = 'no'; UserKnownHostsFile = '/dev/null'; LogLevel = 'ERROR' }
        Process     = $proc
        Directory   = $dir
    }
}

function Stop-LoopbackSshd {
    param($Sshd)
    if (-not $Sshd) { return }
    if (-not $Sshd.Process.HasExited) { $Sshd.Process.Kill($true); $null = $Sshd.Process.WaitForExit(5000) }
    Remove-GcTempDirectory $Sshd.Directory
}

Export-ModuleMember -Function Start-LoopbackSshd, Stop-LoopbackSshd

<#
.SYNOPSIS
Opens a local HTML file in headless Chromium over the DevTools protocol, and returns what a person would see go wrong: console
errors, uncaught exceptions, every network request that is not the file itself (file:, data: and blob: URLs are local), the value of
a JavaScript expression evaluated after the page loaded, and a PNG screenshot. $null when chromium is not installed.
#>
function Invoke-HeadlessPage {
    param(
        [Parameter(Mandatory)] [string] $Path,
        [string] $Expression = 'document.title',
        [string] $ScreenshotPath,
        [int] $SettleMilliseconds = 1500
    )
    $chromium = @('chromium', 'chromium-browser', 'google-chrome') | ForEach-Object { (Get-Command $_ -ErrorAction Ignore).Source } | Select-Object -First 1
    if (-not $chromium) { return $null }
    $profileDir = New-GcTempDirectory
    $psi = [System.Diagnostics.ProcessStartInfo]::new($chromium)
    foreach ($a in '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--disable-extensions', "--user-data-dir=$profileDir", '--remote-debugging-port=0',
        '--window-size=1280,2000', 'about:blank') { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardError = $true; $psi.RedirectStandardOutput = $true; $psi.UseShellExecute = $false
    # Chromium puts its singleton lock folder (org.chromium.Chromium.*) under TMPDIR: inside the profile, it goes with it.
    $psi.Environment['TMPDIR'] = $profileDir
    $browser = [System.Diagnostics.Process]::Start($psi)
    $ws = $null
    try {
        $endpoint = $null
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        while (-not $endpoint -and [DateTime]::UtcNow -lt $deadline) {
            $line = $browser.StandardError.ReadLine()
            if ($null -eq $line) { break }
            if ($line -match 'DevTools listening on (ws://\S+)') { $endpoint = $Matches[1] }
        }
        if (-not $endpoint) { throw 'chromium did not start its DevTools endpoint' }
        $port = ([uri]$endpoint).Port
        $targets = Invoke-RestMethod "http://127.0.0.1:$port/json/list"
        $page = @($targets | Where-Object type -eq 'page')[0]
        $ws = [System.Net.WebSockets.ClientWebSocket]::new()
        $ws.Options.KeepAliveInterval = [TimeSpan]::Zero
        $ws.ConnectAsync([uri]$page.webSocketDebuggerUrl, [Threading.CancellationToken]::None).Wait()
        $state = @{ Id = 0; Events = [System.Collections.Generic.List[object]]::new() }
        $send = {
            param($method, $params)
            $state.Id++
            $msg = @{ id = $state.Id; method = $method; params = $(if ($params) { $params } else { @{} }) } | ConvertTo-Json -Depth 10 -Compress
            $bytes = [Text.Encoding]::UTF8.GetBytes($msg)
            $ws.SendAsync([ArraySegment[byte]]::new($bytes), 'Text', $true, [Threading.CancellationToken]::None).Wait()
            $want = $state.Id
            while ($true) {
                $buffer = [byte[]]::new(1MB); $ms = [IO.MemoryStream]::new()
                do {
                    $r = $ws.ReceiveAsync([ArraySegment[byte]]::new($buffer), [Threading.CancellationToken]::None)
                    if (-not $r.Wait(30000)) { throw "no DevTools answer to $method" }
                    $ms.Write($buffer, 0, $r.Result.Count)
                } while (-not $r.Result.EndOfMessage)
                $obj = [Text.Encoding]::UTF8.GetString($ms.ToArray()) | ConvertFrom-Json -Depth 50
                if ($obj.PSObject.Properties['id'] -and $obj.id -eq $want) { return $obj }
                $state.Events.Add($obj)
            }
        }
        $null = & $send 'Runtime.enable' $null
        $null = & $send 'Log.enable' $null
        $null = & $send 'Network.enable' $null
        $null = & $send 'Page.enable' $null
        [string] $url = [System.Uri]::new([string](Resolve-Path -LiteralPath $Path).ProviderPath).AbsoluteUri
        $nav = & $send 'Page.navigate' @{ url = $url }
        Write-Verbose ($nav | ConvertTo-Json -Depth 5 -Compress)
        Start-Sleep -Milliseconds $SettleMilliseconds
        $eval = & $send 'Runtime.evaluate' @{ expression = $Expression; returnByValue = $true; awaitPromise = $true }
        if ($ScreenshotPath) {
            $shot = & $send 'Page.captureScreenshot' @{ format = 'png'; captureBeyondViewport = $true }
            [IO.File]::WriteAllBytes($ScreenshotPath, [Convert]::FromBase64String($shot.result.data))
        }
        $consoleErrors = @($state.Events | Where-Object { $_.method -eq 'Runtime.consoleAPICalled' -and $_.params.type -in 'error', 'assert' } |
            ForEach-Object { ($_.params.args | ForEach-Object { $_.value }) -join ' ' })
        $consoleErrors += @($state.Events | Where-Object { $_.method -eq 'Log.entryAdded' -and $_.params.entry.level -eq 'error' } | ForEach-Object { $_.params.entry.text })
        [pscustomobject]@{
            ConsoleErrors = $consoleErrors
            Exceptions    = @($state.Events | Where-Object method -eq 'Runtime.exceptionThrown' | ForEach-Object { $_.params.exceptionDetails.exception.description })
            Requests      = @($state.Events | Where-Object method -eq 'Network.requestWillBeSent' | ForEach-Object { $_.params.request.url } |
                Where-Object { $_ -ne $url -and $_ -notmatch '^(data|blob|about):' })
            Result        = $(if ($eval.result.result.PSObject.Properties['value']) { $eval.result.result.value })
            EvalError     = $(if ($eval.result.PSObject.Properties['exceptionDetails']) { $eval.result.exceptionDetails.text })
        }
    }
    finally {
        if ($ws) { $ws.Dispose() }
        if (-not $browser.HasExited) { $browser.Kill($true); $null = $browser.WaitForExit(5000) }
        $browser.Dispose()
        Remove-GcTempDirectory $profileDir
    }
}

Export-ModuleMember -Function Invoke-HeadlessPage

<#
.SYNOPSIS
Starts the fixture in a mode, writes a Heap dump of it into -Directory, ends the fixture, and returns the dump's FileInfo.
For the heap mode it first checks that the fixture built its heap in a no-GC region (so the dead-object figures are exact).
#>
function Save-FixtureDump {
    param(
        [Parameter(Mandatory)] [string] $Directory,
        [string] $Mode = 'heap',
        [string] $Name = "$Mode.dmp",
        [string] $DotnetHost = 'dotnet'
    )
    $fixture = Start-GcFixture -Mode $Mode -DotnetHost $DotnetHost
    try {
        if ($Mode -eq 'heap' -and $fixture.Lines -notcontains 'NOGC True') { throw 'the heap fixture could not enter its no-GC region' }
        Save-GcDump -ProcessId $fixture.Id -Path (Join-Path $Directory $Name) -Type Heap
    }
    finally { Stop-GcFixture $fixture }
}

Export-ModuleMember -Function Save-FixtureDump

function Stop-GcPipelineAfter {
    # Ctrl+C, as a host does it: runs "Import-Module GcTriage; <Script>" in a fresh runspace (with -ArgumentList as $args),
    # lets it run for -Seconds, calls Stop() on it, and reports the state before and after, how long Stop() took and whether
    # the invocation had completed by then. The runspace is disposed whatever happens.
    param(
        [Parameter(Mandatory)][string] $Script,
        [object[]] $ArgumentList = @(),
        [double] $Seconds = 2
    )
    $ps = [powershell]::Create()
    try {
        $null = $ps.AddScript("Import-Module '$(Join-Path (Get-RepoRoot) 'GcTriage.psd1')'; $Script")
        foreach ($a in $ArgumentList) { $null = $ps.AddArgument($a) }
        $async = $ps.BeginInvoke()
        Start-Sleep -Seconds $Seconds
        $before = $ps.InvocationStateInfo.State
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $ps.Stop()
        [pscustomobject]@{
            StateBeforeStop = $before
            State           = $ps.InvocationStateInfo.State
            StopSeconds     = $sw.Elapsed.TotalSeconds
            Completed       = $async.IsCompleted
        }
    }
    finally { $ps.Dispose() }
}

Export-ModuleMember -Function Stop-GcPipelineAfter
