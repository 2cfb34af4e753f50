# Compare-GcHeap -Retained between the graph fixture at its 1,000 items and at 1,500 (tests/GcTriage.Fixture/GraphMode.cs): each
# GraphItem (24 B) holds a byte[1024] (1,048 B), so 500 more items retain 500 x 1,072 = 536,000 more bytes in 1,000 more objects.
BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force; Import-GcTriageUnderTest
    $script:temp = New-GcTempDirectory
    $script:small = (Save-FixtureDump -Directory $temp -Mode graph -Name 'small.dmp').FullName
    $fixture = Start-GcFixture -Mode graph -ArgumentList '1500'
    try { $script:large = (Save-GcDump -ProcessId $fixture.Id -Path (Join-Path $temp 'large.dmp') -Type Heap).FullName }
    finally { Stop-GcFixture $fixture }
    $script:ns = 'GcTriage.Fixture.'
    $script:dictType = 'System.Collections.Generic.Dictionary<System.Int32, GcTriage.Fixture.GraphItem>'
}

AfterAll {
    Close-GcDump -All
    Remove-GcTempDirectory $script:temp
}

Describe 'Compare-GcHeap -Retained' {
    It 'gives the retained growth of each type between two dumps, exactly' {
        $d = @(Compare-GcHeap -ReferenceDump $small -DifferenceDump $large -Retained)
        $d[0] | Should -BeOfType ([GcTriage.GcRetainedTypeDelta])

        $item = $d | Where-Object TypeName -eq "${ns}GraphItem"
        $item.CountBefore, $item.CountAfter, $item.CountDelta | Should -Be @(1000, 1500, 500)
        $item.SizeBefore, $item.SizeAfter, $item.SizeDelta | Should -Be @(24000, 36000, 12000)
        $item.RetainedBytesBefore, $item.RetainedBytesAfter, $item.RetainedBytesDelta | Should -Be @(1072000, 1608000, 536000)
        $item.RetainedCountBefore, $item.RetainedCountAfter, $item.RetainedCountDelta | Should -Be @(2000, 3000, 1000)
        $item.ReferencePath | Should -Be $small
        $item.DifferencePath | Should -Be $large

        # The dictionary retains its own arrays (bigger at capacity 1,500) and every item: it grew most, so it comes first.
        $shallow = foreach ($p in $small, $large) { (Get-GcDictionary -Path $p -ValueType "${ns}GraphItem").ShallowBytes }
        $dict = $d | Where-Object TypeName -eq $dictType
        $dict.RetainedBytesBefore | Should -Be ($shallow[0] + 1072000)
        $dict.RetainedBytesDelta | Should -Be ($shallow[1] - $shallow[0] + 536000)
        $dict.RetainedCountDelta | Should -Be 1000
        $d[0].TypeName | Should -Be $dictType

        foreach ($same in "${ns}GraphChainNode", "${ns}GraphDiamondTop", "${ns}GraphCycleNode", "${ns}GraphSharedTarget") {
            $row = $d | Where-Object TypeName -eq $same
            $row.CountBefore | Should -Be 1 -Because $same
            $row.RetainedBytesDelta | Should -Be 0 -Because $same
            $row.RetainedCountDelta | Should -Be 0 -Because $same
        }
        ($d | Where-Object TypeName -eq "${ns}GraphChainNode").RetainedBytesAfter | Should -Be 4800000

        $sorted = @($d | Sort-Object @{ Expression = 'RetainedBytesDelta'; Descending = $true }, @{ Expression = 'CountDelta'; Descending = $true }, @{ Expression = { $_.TypeName }; Descending = $false })
        ($d | ForEach-Object RetainedBytesDelta) | Should -Be ($sorted | ForEach-Object RetainedBytesDelta)
    }

    It 'agrees with the same comparison of Get-GcRetained -GroupBy Type rows, as objects and read back from CSV' {
        $fromDumps = @(Compare-GcHeap $small $large -Retained -TypeName "${ns}*", '*Dictionary*')
        $fromDumps.Count | Should -BeGreaterThan 6
        $key = { '{0}|{1}|{2}|{3}|{4}|{5}|{6}|{7}|{8}' -f $_.TypeName, $_.CountBefore, $_.CountAfter, $_.SizeBefore, $_.SizeAfter,
            $_.RetainedBytesBefore, $_.RetainedBytesAfter, $_.RetainedCountBefore, $_.RetainedCountAfter }
        $expected = @($fromDumps | ForEach-Object $key)

        $before = Get-GcRetained -Path $small -GroupBy Type -Top 100000
        $objects = @(Get-GcRetained -Path $large -GroupBy Type -Top 100000 | Compare-GcHeap -ReferenceObject $before -Retained -TypeName "${ns}*", '*Dictionary*')
        @($objects | ForEach-Object $key) | Should -Be $expected
        $objects[0].ReferencePath | Should -BeNullOrEmpty

        $csvA = Join-Path $temp 'retained-small.csv'
        $csvB = Join-Path $temp 'retained-large.csv'
        $before | Export-Csv $csvA
        Get-GcRetained -Path $large -GroupBy Type -Top 100000 | Export-Csv $csvB
        $csv = @(Compare-GcHeap -ReferenceObject (Import-Csv $csvA) -DifferenceObject (Import-Csv $csvB) -Retained -TypeName "${ns}*", '*Dictionary*')
        @($csv | ForEach-Object $key) | Should -Be $expected
        $csv[0] | Should -BeOfType ([GcTriage.GcRetainedTypeDelta])
    }

    It 'leaves out unchanged types with -ExcludeUnchanged' {
        $changed = @(Compare-GcHeap $small $large -Retained -TypeName "${ns}*" -ExcludeUnchanged)
        $changed.TypeName | Should -Be @("${ns}GraphItem")
        @(Compare-GcHeap $small $small -Retained -ExcludeUnchanged).Count | Should -Be 0
    }

    It 'skips a row without retained columns (InvalidTypeStatRow) and refuses -Live' {
        $row = [pscustomobject]@{ TypeName = 'X'; Count = 1; Size = 24 }
        $ok = [pscustomobject]@{ TypeName = 'Y'; Count = '2'; Size = '48'; RetainedBytes = '100'; RetainedCount = '3' }
        $out = @(Compare-GcHeap -ReferenceObject @() -DifferenceObject $row, $ok -Retained -ErrorVariable err -ErrorAction SilentlyContinue)
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidTypeStatRow*'
        $err[0].Exception.Message | Should -Match 'RetainedBytes'
        $out.Count | Should -Be 1
        $out[0].RetainedBytesDelta | Should -Be 100
        $out[0].RetainedCountAfter | Should -Be 3

        { Compare-GcHeap $small $large -Retained -Live -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidArgument*'
    }
}
