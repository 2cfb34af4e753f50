# The default views of module/GcTriage.Format.ps1xml, rendered on real objects (a dump of the heap fixture, a live session
# of the gc fixture): designed at 120 columns and checked at 80, no header wraps, no line runs past the width, and the key
# columns of every view are there at both widths. Type names are short in tables (the full name a property away), and
# addresses are hex in tables and in Format-List alike.
BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-GcTriageUnderTest
    $script:Dir = New-GcTempDirectory
    $script:DumpPath = (Save-FixtureDump -Directory $Dir).FullName
    $script:D = Open-GcDump -Path $DumpPath

    $fixture = Start-GcFixture -Mode gc
    try {
        $fixture.Send('tick 100 gen0 1')
        $script:Pauses = @(Get-GcPause -ProcessId $fixture.Id -Duration '00:00:02')
        $script:Process = @(Get-GcProcess -ProcessId $fixture.Id)
        $script:Setting = @(Get-GcSetting -ProcessId $fixture.Id)
        $fixture.Send('alloc')
        $script:Allocations = @(Get-GcAllocation -ProcessId $fixture.Id -Duration '00:00:02' -Top 5)
    }
    finally { Stop-GcFixture $fixture }
    $stats = @(Get-GcHeapStat -Dump $D)
    $before = @($stats | ForEach-Object { [pscustomobject]@{ TypeName = $_.TypeName; Count = [math]::Floor($_.Count / 2); TotalSize = [math]::Floor($_.TotalSize / 2) } })
    $script:Report = Invoke-GcTriage -Dump $D -OutputDirectory (Join-Path $Dir 'report') -Top 5

    # Each view: the objects, and the columns that must be there at 80 and at 120.
    $script:Cases = @(
        @{ Name = 'GcProcess'; Objects = $Process; At80 = 'ProcessId', 'Name', 'Runtime', 'GcMode', 'Heaps'; At120 = 'CommandLine' }
        @{ Name = 'GcDump'; Objects = @($D); At80 = 'Runtime', 'GcMode', 'Objects', 'Path'; At120 = @() }
        @{ Name = 'GcTypeStat'; Objects = @($stats | Select-Object -First 8); At80 = 'Count', 'TotalSize', 'TypeName', 'Gen0'; At120 = 'Gen1', 'Gen2', 'LOH', 'POH' }
        @{ Name = 'GcObjectInfo'; Objects = @(Get-GcObject -Dump $D -MinSize 100KB); At80 = 'Address', 'Size', 'Gen', 'TypeName'; At120 = @() }
        @{ Name = 'GcTypeDelta'; Objects = @(Compare-GcHeap -ReferenceObject $before -DifferenceObject $stats | Select-Object -First 5); At80 = 'CountDelta', 'SizeDelta', 'SizeAfter', 'TypeName'; At120 = @() }
        @{ Name = 'GcCollectionInfo'; Objects = @(Get-GcDictionary -Dump $D -Top 5); At80 = 'Address', 'Count', 'Shallow', 'Advice', 'TypeName'; At120 = 'Fill', 'Wasted', 'Gen', 'Keys' }
        @{ Name = 'GcCollectionDelta'; Objects = @(Compare-GcHeap -ReferenceDump $D -DifferenceDump $D -IncludeCollections -CollectionTop 3 | Where-Object { $_ -is [GcTriage.GcCollectionDelta] }); At80 = 'CountDelta', 'BytesDelta', 'BytesAfter', 'TypeName', 'HeldBy'; At120 = @() }
        @{ Name = 'GcDacResolution'; Objects = @($D.Dac); At80 = 'Source', 'DacPath', 'Reason'; At120 = @() }
        @{ Name = 'GcCollectionAdvice'; Objects = @((Get-GcDictionary -Dump $D -Top 1).Advice); At80 = 'Recommended', 'Current', 'Saving', 'Recommendation'; At120 = @() }
        @{ Name = 'GcBitsetInfo'; Objects = @(Get-GcBitset -Dump $D); At80 = 'Address', 'TypeName', 'LengthBits', 'SetBits', 'Density', 'Bytes', 'AsBitArray'; At120 = 'Gen' }
        @{ Name = 'GcRootPath'; Objects = @(Get-GcDictionary -Dump $D -Top 1 | Get-GcRoot -Dump $D); At80 = 'Address', 'RootKind', 'RootName', 'Depth', 'Truncated'; At120 = 'Path' }
        @{ Name = 'GcRootStep'; Objects = @((Get-GcDictionary -Dump $D -Top 1 | Get-GcRoot -Dump $D -MaxPaths 1).Chain); At80 = 'Address', 'FieldName', 'TypeName'; At120 = @() }
        @{ Name = 'GcPause'; Objects = $Pauses; At80 = 'Number', 'Time (UTC)', 'Gen', 'Type', 'Reason', 'Pause'; At120 = 'Suspend', 'Before', 'After', '%Pause', 'Captured' }
        @{ Name = 'GcPauseSummary'; Objects = @($Pauses | Measure-GcPause -GroupBy Generation); At80 = 'Group', 'Count', 'P50', 'P90', 'P99', 'Max'; At120 = 'Mean', 'Total', '%Pause', 'Gen0/1/2', 'Reasons' }
        @{ Name = 'GcAllocationStat'; Objects = $Allocations; At80 = 'PerSecond', 'Sampled', 'EstimatedBytes', 'TypeName'; At120 = 'Percent', 'Samples', 'Kind' }
        @{ Name = 'GcSetting'; Objects = $Setting; At80 = 'ProcessId', 'GcMode', 'Heaps', 'Concurrent'; At120 = 'CpuQuota', 'MemoryLimit', 'Findings' }
        @{ Name = 'GcEffectiveValue'; Objects = @($Setting.Effective); At80 = 'Name', 'Configured', 'ConfiguredBy', 'Effective'; At120 = 'Source', 'Why' }
        @{ Name = 'GcFinding'; Objects = @($Report.Findings); At80 = 'Severity', 'Code', 'Message'; At120 = @() }
        @{ Name = 'GcLikelyCause'; Objects = @($Report.LikelyCauses); At80 = 'Rank', 'Severity', 'Code', 'Text'; At120 = @() }
        @{ Name = 'GcTriageReport (Format-Table)'; Objects = @($Report); Table = $true; At80 = 'Target', 'Heap', 'Findings', 'Errors', 'Report'; At120 = @() }
        @{ Name = 'GcRetainedInfo'; Objects = @(Get-GcRetained -Dump $D -Top 5); At80 = 'Address', 'Retained', 'Objects', 'Share', 'TypeName'; At120 = 'Size', 'Gen', 'Dominator' }
        @{ Name = 'GcRetainedTypeStat'; Objects = @(Get-GcRetained -Dump $D -GroupBy Type -Top 5); At80 = 'Count', 'Retained', 'Objects', 'Share', 'TypeName'; At120 = 'Size' }
        @{ Name = 'GcLeakSuspect'; Objects = @(Get-GcLeakSuspect -Dump $D); At80 = 'Kind', 'Share', 'Retained', 'Address', 'TypeName'; At120 = 'AccumulationPoint' }
        @{ Name = 'GcFragmentation'; Objects = @(Get-GcFragmentation -Dump $D); At80 = 'Gen', 'Segment', 'Objects', 'Free', 'Frag', 'Pinned'; At120 = 'LargestFree' }
        @{ Name = 'GcFreeBlock'; Objects = @((Get-GcFragmentation -Dump $D).LargestFreeBlocks); At80 = 'Address', 'Size', 'Gen', 'Segment'; At120 = 'PinnedNeighbours' }
        @{ Name = 'GcPinnedNeighbour'; Objects = @((Get-GcFragmentation -Dump $D -LargestFreeBlocks 50).LargestFreeBlocks.PinnedNeighbours); At80 = 'Address', 'Size', 'PinnedBy', 'Root'; At120 = 'TypeName' }
        @{ Name = 'GcHandleStat'; Objects = @(Get-GcHandle -Dump $D); At80 = 'Kind', 'Count', 'TargetBytes', 'TypeName'; At120 = @() }
        @{ Name = 'GcHandleInfo'; Objects = @(Get-GcHandle -Dump $D -Detail -Top 8); At80 = 'Handle', 'Kind', 'Address', 'Size', 'TypeName'; At120 = @() }
        @{ Name = 'GcFinalizableStat'; Objects = @(Get-GcFinalizable -Dump $D -WarningAction SilentlyContinue); At80 = 'Count', 'Bytes', 'Ready', 'TypeName'; At120 = @() }
        @{ Name = 'GcDuplicateString'; Objects = @(Get-GcDuplicateString -Dump $D -Top 5); At80 = 'Count', 'Length', 'Wasted', 'Address'; At120 = 'HoldingField' }
        @{ Name = 'GcCrossGenerationStat'; Objects = @(Get-GcCrossGenerationReference -Dump $D); At80 = 'Count', 'Sources', 'From', 'To', 'SourceType'; At120 = 'Field' }
        @{ Name = 'GcMarkCostStat'; Objects = @(Get-GcMarkCost -Dump $D -Top 8); At80 = 'References', 'Live', 'LiveBytes', 'TypeName'; At120 = 'Refs/Obj' }
    )

    # The header of the first table in a rendering: the line above the first line of dashes, and whether it took one line.
    function Get-TableHeader([string] $text) {
        $lines = $text -split '\r?\n'
        $dash = [array]::FindIndex($lines, [Predicate[string]] { param($l) $l -match '^\s*-+( +-+)*\s*$' })
        if ($dash -lt 1) { throw "no table in:`n$text" }
        $start = $dash - 1
        while ($start -gt 0 -and $lines[$start - 1].Trim()) { $start-- }
        [pscustomobject]@{ Lines = @($lines[$start..($dash - 1)]); Dashes = $lines[$dash]; All = $lines }
    }
}
AfterAll { Close-GcDump -All; Remove-GcTempDirectory $Dir }

Describe 'default table views at 120 and 80 columns' {
    It '<Name> has objects to render' -ForEach @(
        'GcProcess', 'GcDump', 'GcTypeStat', 'GcObjectInfo', 'GcTypeDelta', 'GcCollectionInfo', 'GcCollectionDelta', 'GcDacResolution', 'GcCollectionAdvice', 'GcBitsetInfo', 'GcRootPath',
        'GcRootStep', 'GcPause', 'GcPauseSummary', 'GcAllocationStat', 'GcSetting', 'GcEffectiveValue', 'GcFinding', 'GcLikelyCause', 'GcTriageReport (Format-Table)',
        'GcRetainedInfo', 'GcRetainedTypeStat', 'GcLeakSuspect',
        'GcFragmentation', 'GcFreeBlock', 'GcPinnedNeighbour', 'GcHandleStat', 'GcHandleInfo', 'GcFinalizableStat', 'GcDuplicateString', 'GcCrossGenerationStat', 'GcMarkCostStat' | ForEach-Object { @{ Name = $_ } }
    ) {
        $case = $Cases | Where-Object { $_.Name -eq $Name }
        @($case.Objects).Count | Should -BeGreaterThan 0 -Because "the fixture gives $Name objects"
    }

    It 'fits every view in <_> columns: one header line, nothing past the width, the key columns there' -ForEach 120, 80 {
        $width = $_
        foreach ($case in $Cases) {
            $text = if ($case.Table) { $case.Objects | Format-Table | Out-String -Width $width } else { $case.Objects | Out-String -Width $width }
            $h = Get-TableHeader $text
            $h.Lines.Count | Should -Be 1 -Because "the $($case.Name) header does not wrap at $width columns:`n$text"
            foreach ($line in $h.All) { $line.TrimEnd().Length | Should -BeLessOrEqual $width -Because "$($case.Name) fits in $width columns:`n$text" }
            $labels = @($case.At80) + $(if ($width -ge 120) { @($case.At120) } else { @() })
            foreach ($label in $labels) {
                $h.Lines[0] | Should -Match "(^|\s)$([regex]::Escape($label))(\s|$)" -Because "$($case.Name) shows $label at $width columns:`n$text"
            }
            # A header is never cut ("Tru…"): every label the header has is whole.
            $h.Lines[0] | Should -Not -Match '…' -Because "no $($case.Name) header is cut at $width columns"
        }
    }
}

Describe 'what the views show' {
    It 'keeps a Dictionary type and its +Entry[] array apart at 80 columns, with the full name a property away' {
        $dict = 'System.Collections.Generic.Dictionary<System.Int64, System.Boolean>'
        $rows = @(Get-GcHeapStat -Dump $D -TypeName $dict, "$dict+Entry[]")
        $rows.Count | Should -Be 2
        $text = $rows | Out-String -Width 80
        $text | Should -Match '\sDictionary<Int64,Boolean>\s'
        $text | Should -Match '\sDictionary<Int64,Boolean>\+Entry\[\]\s'
        $rows.TypeName | Should -Contain "$dict+Entry[]"
        [GcTriage.Units]::TypeName("$dict+Entry[]") | Should -Be 'Dictionary<Int64,Boolean>+Entry[]'
        [GcTriage.Units]::TypeName("$dict+Entry[]", 20) | Should -Be 'Dictionary…>+Entry[]'
    }

    It 'shows Get-GcDictionary''s TypeName and whole Advice at 80 columns' {
        $top = Get-GcDictionary -Dump $D -Top 1
        $advice = '{0} -{1}' -f $top.Advice.Recommended, [GcTriage.Units]::Bytes($top.Advice.SavingBytes)
        $advice | Should -BeLike 'BitArray -*'
        $text = $top | Out-String -Width 80
        $text | Should -Match ([regex]::Escape($advice))
        $text | Should -Match ([regex]::Escape('Dictionary<Int64,Boolean>'))
    }

    It 'names a static root by its type and field, the full name a property away' {
        $r = Get-GcDictionary -Dump $D -Top 1 | Get-GcRoot -Dump $D -MaxPaths 1
        $r.RootName | Should -Be 'GcTriage.Fixture.Cache.s_seen'
        ($r | Out-String -Width 80) | Should -Match '\sCache\.s_seen\s'
        [GcTriage.Units]::FieldName('Acme.Orders.Cache<System.String, Acme.Orders.Line>.s_all') | Should -Be 'Cache<String,Line>.s_all'
    }

    It 'writes addresses in hex in Format-List as in the table' {
        $o = Get-GcObject -Dump $D -MinSize 100KB | Select-Object -First 1
        $hex = '0x{0:x}' -f $o.Address
        ($o | Out-String -Width 120) | Should -Match ([regex]::Escape($hex))
        $list = $o | Format-List | Out-String -Width 120
        $list | Should -Match "(?m)^Address\s+: $([regex]::Escape($hex))\s*$"
        $list | Should -Match "(?m)^MethodTable\s+: 0x[0-9a-f]+\s*$"
        $list | Should -Not -Match "(?m)^Address\s+: \d+\s*$"
        $c = Get-GcDictionary -Dump $D -Top 1
        ($c | Format-List | Out-String -Width 120) | Should -Match "(?m)^Address\s+: $([regex]::Escape(('0x{0:x}' -f $c.Address)))\s*$"
        $r = Get-GcDictionary -Dump $D -Top 1 | Get-GcRoot -Dump $D -MaxPaths 1
        ($r | Format-List | Out-String -Width 120) | Should -Match "(?m)^RootAddress\s+: 0x[0-9a-f]+\s*$"
        $o.Address | Should -BeOfType ([ulong]) -Because 'the object keeps the raw number for Sort-Object and Export-Csv'
    }

    It 'lists the Invoke-GcTriage summary with the report''s whole path' {
        $text = $Report | Out-String -Width 80
        $path = Join-Path $Report.OutputDirectory 'report.html'
        $text | Should -Match "(?m)^Report\s+: $([regex]::Escape($path))\s*$"
        $text | Should -Match "(?m)^LikelyCause\s+: "
    }
}
