#!/usr/bin/env pwsh
<#
.SYNOPSIS
What a live session costs the target, read from the target's own CPU profile instead of its throughput.

.DESCRIPTION
On these VMs the fixtures' throughput swings by up to 2x from one 500 ms sample to the next with nothing attached, so the
throughput benches (Pauses.Bench.ps1, Allocations.Bench.ps1) need many cycles. This one asks a different question that the host's
speed does not move: which share of the target's working thread runs code that it never runs without a session.

1. Starts a fixture: -Fixture alloc (one thread allocating byte[1024] and a small class flat out) or gc (gcBench with
   DOTNET_GCgen0size=0x80000: ~3,500-4,800 GCs per second).
2. perf record -F 1999 on it: 8 s without a session (A), 8 s without a session again (B), then 8 s during each session in
   -Session (each a Get-GcPause or Get-GcAllocation command line run by one warm pwsh listener).
3. For each recording, the working thread's samples are put in bins: 256 bytes of libcoreclr or JIT-compiled code, one bin for
   the kernel. "New code" = the share of a recording's samples in bins that hold under 0.02% of A's samples. The kernel delta is
   its kernel share minus A's. B against A is the method's floor (tier-up, JIT placement).
4. Attributed cost = new code + kernel delta - the floor.

It misses indirect costs (caches, memory bandwidth), so it reads lower than a throughput loss. Needs perf (Debian: linux-perf).

Re-run: dotnet pwsh -NoProfile -File ./bench/SessionProfile.Bench.ps1 -Fixture gc
        dotnet pwsh -NoProfile -File ./bench/SessionProfile.Bench.ps1 -Fixture alloc
#>
[CmdletBinding()]
param(
    [ValidateSet('alloc', 'gc')]
    [string] $Fixture = 'gc',
    # Session command lines, run with $id bound to the fixture's process id; default: the module's default session for the fixture.
    [string[]] $Session,
    [int] $Seconds = 8,
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = (Resolve-Path "$PSScriptRoot/..").Path
if (-not (Get-Command perf -ErrorAction SilentlyContinue)) { Write-Warning 'perf is not installed (Debian: apt-get install linux-perf); nothing measured.'; return }
$fixtureDll = Join-Path $root "tests/GcTriage.Fixture/bin/$Configuration/net10.0/GcTriage.Fixture.dll"
if (-not (Test-Path $fixtureDll)) { throw "Build first: $fixtureDll is missing." }
$psd1 = Join-Path $root 'GcTriage.psd1'
Import-Module (Join-Path $PSScriptRoot 'BenchTools.psm1') -Force
$pwshCmd = @(Get-PwshCommand)
if (-not $Session) {
    $Session = if ($Fixture -eq 'gc') { @('Get-GcPause -Id $id -Duration 00:00:30 | Out-Null') }
    else { @('Get-GcAllocation -Id $id -Duration 00:00:30 | Out-Null', 'Get-GcAllocation -Id $id -Duration 00:00:30 -DutyCycle 1 | Out-Null') }
}

$temp = Join-Path ([IO.Path]::GetTempPath()) ('gctriage-profile-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
$null = [IO.Directory]::CreateDirectory($temp)
$psi = [Diagnostics.ProcessStartInfo]::new('dotnet')
$psi.ArgumentList.Add($fixtureDll)
if ($Fixture -eq 'gc') { foreach ($a in 'gcBench', '64', '500') { $psi.ArgumentList.Add($a) }; $psi.Environment['DOTNET_GCgen0size'] = '0x80000'; $thread = 'dotnet' }
else { $psi.ArgumentList.Add('alloc'); $thread = 'alloc-0' }
$psi.RedirectStandardInput = $true; $psi.RedirectStandardOutput = $true; $psi.UseShellExecute = $false
$fx = [Diagnostics.Process]::Start($psi)
$fx.BeginOutputReadLine()

function Save-Profile([string] $name) {
    $data = Join-Path $temp "$name.data"
    & perf record -F 1999 -p $fx.Id -o $data -- sleep $Seconds *> $null
    $bins = @{}; $n = 0
    foreach ($line in (& perf script -i $data --comm $thread -F ip,dso 2>$null)) {
        $parts = $line.Trim() -split '\s+', 2
        if ($parts.Count -lt 2) { continue }
        $n++
        $ip = [Convert]::ToUInt64($parts[0], 16)
        $key = if ($parts[1] -like '*kernel*') { 'kernel' }
        elseif ($parts[1] -like '*libcoreclr*' -or $parts[1] -like '*doublemapper*') { 'code:' + ($ip -shr 8) }
        else { $parts[1] + ':' + ($ip -shr 6) }
        $bins[$key] = 1 + $(if ($bins.ContainsKey($key)) { $bins[$key] } else { 0 })
    }
    Remove-Item $data
    [pscustomobject]@{ Name = $name; Bins = $bins; Samples = $n }
}

function Compare-Profile($reference, $profile) {
    $new = 0
    foreach ($k in $profile.Bins.Keys) {
        if ($k -eq 'kernel') { continue }
        $refShare = if ($reference.Bins.ContainsKey($k)) { $reference.Bins[$k] / $reference.Samples } else { 0 }
        if ($refShare -lt 0.0002) { $new += $profile.Bins[$k] }
    }
    $kernel = { param($p) if ($p.Bins.ContainsKey('kernel')) { $p.Bins['kernel'] / $p.Samples } else { 0 } }
    100 * ($new / $profile.Samples + (& $kernel $profile) - (& $kernel $reference))
}

try {
    Start-Sleep -Seconds 10 # tiering and the GC's budgets settle
    $a = Save-Profile 'off-A'
    $b = Save-Profile 'off-B'
    $floor = Compare-Profile $a $b
    $rows = @([pscustomobject]@{ Recording = 'no session (B against A): the floor'; Samples = $b.Samples; NewCodePercent = [math]::Round($floor, 2); AttributedPercent = 0 })
    foreach ($cmd in $Session) {
        $script = "Import-Module '$psd1'; `$id = $($fx.Id); " + ($cmd -replace '00:00:30', '00:00:03') + "; [Console]::Out.WriteLine('WARM'); [Console]::Out.Flush(); $cmd"
        $lpsi = [Diagnostics.ProcessStartInfo]::new($pwshCmd[0])
        foreach ($arg in @($pwshCmd | Select-Object -Skip 1) + @('-NoProfile', '-Command', $script)) { $lpsi.ArgumentList.Add($arg) }
        $lpsi.RedirectStandardOutput = $true; $lpsi.UseShellExecute = $false
        $l = [Diagnostics.Process]::Start($lpsi)
        while (($line = $l.StandardOutput.ReadLine()) -ne $null -and $line -ne 'WARM') { }
        Start-Sleep -Seconds 3
        $p = Save-Profile 'on'
        $l.Kill($true); $l.WaitForExit()
        $v = Compare-Profile $a $p
        $rows += [pscustomobject]@{ Recording = $cmd; Samples = $p.Samples; NewCodePercent = [math]::Round($v, 2); AttributedPercent = [math]::Round($v - $floor, 2) }
        Start-Sleep -Seconds 3
    }
    $rows | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
}
finally {
    try { $fx.StandardInput.WriteLine('exit') } catch { }
    if (-not $fx.WaitForExit(5000)) { $fx.Kill() }
    Remove-Item $temp -Recurse -Force -ErrorAction SilentlyContinue
}
