BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-GcTriageUnderTest
    $script:Dir = New-GcTempDirectory
    $script:DumpFile = Save-FixtureDump -Directory $Dir -Mode cost
    $script:Dump = Open-GcDump $DumpFile.FullName
    $script:Columns = 'Gen0', 'Gen1', 'Gen2', 'LOH', 'POH'

    # The Total row of one section of gcheapstat ('' for the allocated bytes, 'Free space:' ...), as a hashtable by column.
    function Get-GcHeapStatTotal([string[]] $Lines, [string] $Section) {
        $start = if ($Section) { [array]::IndexOf($Lines, $Section) } else { -1 }
        $header = $null
        for ($i = $start + 1; $i -lt $Lines.Count; $i++) {
            $words = -split $Lines[$i]
            if ($words.Count -gt 0 -and $words[0] -eq 'Heap') { $header = $words; continue }
            if ($header -and $words.Count -gt 0 -and $words[0] -eq 'Total') {
                $row = @{}
                for ($c = 1; $c -lt $words.Count -and $c -lt $header.Count; $c++) { $row[$header[$c]] = [long]$words[$c] }
                return $row
            }
        }
        throw "no Total row after '$Section'"
    }
}
AfterAll { Close-GcDump -All; Remove-GcTempDirectory $Dir }

Describe 'Get-GcFragmentation' {
    It 'gives one row per generation whose figures add up' {
        $rows = Get-GcFragmentation -Dump $Dump
        $rows[0] | Should -BeOfType ([GcTriage.GcFragmentation])
        ($rows.Generation | Sort-Object -Unique) | Should -Be ($rows.Generation)
        foreach ($r in $rows) {
            $r.Scope | Should -Be 'Generation'
            if ($r.ObjectBytes + $r.FreeBytes -gt 0) { $r.FragmentationRatio | Should -Be ($r.FreeBytes / ($r.ObjectBytes + $r.FreeBytes)) }
            $r.ObjectBytes + $r.FreeBytes | Should -BeLessOrEqual $r.AllocatedBytes
        }
        $index = Get-GcHeapStat -Dump $Dump
        ($rows | Measure-Object ObjectBytes -Sum).Sum + ($rows | Measure-Object FreeBytes -Sum).Sum | Should -Be (($index | Measure-Object TotalSize -Sum).Sum)
        ($rows | Measure-Object FreeBytes -Sum).Sum | Should -Be (($index | Where-Object TypeName -eq 'Free').TotalSize)
    }

    It 'finds the holes in front of the pinned CostSlot[] arrays, with the pinning handle' {
        $all = Get-GcFragmentation -Dump $Dump -LargestFreeBlocks 25
        $blocks = @($all.LargestFreeBlocks | Sort-Object Size -Descending | Select-Object -First 5)
        $blocks.Count | Should -Be 5
        foreach ($b in $blocks) {
            $b | Should -BeOfType ([GcTriage.GcFreeBlock])
            $slot = @($b.PinnedNeighbours | Where-Object TypeName -eq 'GcTriage.Fixture.CostSlot[]')
            $slot.Count | Should -BeGreaterOrEqual 1 -Because "the 99 arrays dropped between two pinned ones left the hole at 0x$('{0:x}' -f $b.Address)"
            $slot[0].PinnedBy | Should -Be 'PinnedHandle'
            $handle = Get-GcHandle -Dump $Dump -Kind Pinned -Detail | Where-Object Address -eq $slot[0].Address
            $slot[0].Root | Should -Be ('handle 0x{0:x}' -f $handle.HandleAddress)
        }
        # 20 pinned arrays (and the 5 pinned CostPinnedTarget) are counted where they live.
        ($all | Measure-Object PinnedObjects -Sum).Sum | Should -BeGreaterOrEqual 25
    }

    It 'agrees with dotnet-dump gcheapstat (free and allocated bytes per generation) and dumpheap -type Free -stat' {
        $out = [string[]](& dotnet tool run dotnet-dump analyze $DumpFile.FullName -c 'gcheapstat' -c 'dumpheap -type Free -stat' -c exit 2>&1 | ForEach-Object { "$_".TrimEnd() })
        $LASTEXITCODE | Should -Be 0
        $free = Get-GcHeapStatTotal $out 'Free space:'
        $allocated = Get-GcHeapStatTotal $out ''
        $rows = @{}; Get-GcFragmentation -Dump $Dump | ForEach-Object { $rows["$($_.Generation)"] = $_ }
        foreach ($g in $Columns) {
            $ours = if ($rows.ContainsKey($g)) { $rows[$g] } else { $null }
            [long]$(if ($ours) { $ours.FreeBytes } else { 0 }) | Should -Be $free[$g] -Because "gcheapstat's free space in $g"
            [long]$(if ($ours) { $ours.AllocatedBytes } else { 0 }) | Should -Be $allocated[$g] -Because "gcheapstat's allocated bytes in $g"
        }
        $line = $out | Where-Object { $_ -match '^\s*[0-9a-f]{8,16}\s+([\d,]+)\s+([\d,]+)\s+Free$' } | Select-Object -First 1
        $line | Should -Not -BeNullOrEmpty
        $null = $line -match '^\s*[0-9a-f]{8,16}\s+([\d,]+)\s+([\d,]+)\s+Free$'
        ($rows.Values | Measure-Object FreeBlocks -Sum).Sum | Should -Be ([long]($Matches[1] -replace ',', ''))
        ($rows.Values | Measure-Object FreeBytes -Sum).Sum | Should -Be ([long]($Matches[2] -replace ',', ''))
    }

    It 'gives one row per segment/region with -BySegment that sums to the generation rows, and filters -Generation' {
        $seg = Get-GcFragmentation -Dump $Dump -BySegment
        $seg | ForEach-Object { $_.Scope | Should -Be 'Segment'; $_.SegmentAddress | Should -Not -BeNullOrEmpty }
        foreach ($g in Get-GcFragmentation -Dump $Dump) {
            ($seg | Where-Object Generation -eq $g.Generation | Measure-Object FreeBytes -Sum).Sum | Should -Be $g.FreeBytes
            ($seg | Where-Object Generation -eq $g.Generation | Measure-Object ObjectBytes -Sum).Sum | Should -Be $g.ObjectBytes
        }
        $only = @(Get-GcFragmentation -Dump $Dump -Generation Gen2, LOH)
        $only.Generation | Should -Be 'Gen2', 'LOH'
    }

    It 'exports the fragmented rows to CSV' {
        $csv = Join-Path $Dir 'frag.csv'
        Get-GcFragmentation -Dump $Dump -BySegment | Where-Object FreeBytes -gt 0 | Select-Object Generation, SegmentAddress, FreeBytes, FragmentationRatio | Export-Csv $csv
        $back = @(Import-Csv $csv)
        $back.Count | Should -BeGreaterOrEqual 1
        [long]$back[0].FreeBytes | Should -BeGreaterThan 0
    }
}
