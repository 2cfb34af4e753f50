# What the bench scripts share: medians, nearest-rank percentiles, and the command line of this very PowerShell.

function Get-Median([double[]] $Values) {
    $s = @($Values | Sort-Object)
    if ($s.Count -eq 0) { return [double]::NaN }
    if ($s.Count % 2) { return $s[[int][math]::Floor($s.Count / 2)] }
    ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2
}

function Get-Percentile([double[]] $Values, [double] $P) {
    # nearest rank, as Measure-GcPause
    $s = @($Values | Sort-Object)
    if ($s.Count -eq 0) { return [double]::NaN }
    $s[[math]::Max(1, [math]::Ceiling($P / 100 * $s.Count)) - 1]
}

function Get-PwshCommand {
    # This very PowerShell (the local dotnet tool: dotnet + pwsh.dll), to start child sessions with.
    $self = [Environment]::ProcessPath
    $first = [Environment]::GetCommandLineArgs()[0]
    if ($first -like '*.dll') { return @($self, $first) }
    @($self)
}

Export-ModuleMember -Function Get-Median, Get-Percentile, Get-PwshCommand
