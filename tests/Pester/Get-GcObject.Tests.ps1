BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-GcTriageUnderTest
    $script:Dir = New-GcTempDirectory
    $script:DumpFile = Save-FixtureDump -Directory $Dir
    $script:Dump = Open-GcDump $DumpFile.FullName
}
AfterAll { Close-GcDump -All; Remove-GcTempDirectory $Dir }

Describe 'Get-GcObject' {
    It 'lists objects by type with address, size and generation' {
        $w = @(Get-GcObject -Dump $Dump -TypeName 'GcTriage.Fixture.Widget')
        $w.Count | Should -Be 1000
        $w[0] | Should -BeOfType ([GcTriage.GcObjectInfo])
        ($w | Where-Object Size -ne 40) | Should -BeNullOrEmpty
        ($w | Where-Object Generation -ne 'Gen0') | Should -BeNullOrEmpty
        for ($i = 1; $i -lt $w.Count; $i++) { $w[$i].Address | Should -BeGreaterThan $w[$i - 1].Address }
    }

    It 'filters by -MinSize and -Generation' {
        $big = @(Get-GcObject -Dump $Dump -MinSize 1000000)
        $big.TypeName | Should -Contain 'System.Boolean[]'
        ($big | Where-Object Size -lt 1000000) | Should -BeNullOrEmpty
        $poh = @(Get-GcObject -Dump $Dump -Generation POH -TypeName 'System.Byte`[`]')
        ($poh | Where-Object Size -eq 1024).Count | Should -BeGreaterOrEqual 1
    }

    It 'leaves the heap''s Free blocks out of -MinSize unless asked (-IncludeFree, -TypeName Free)' {
        $free = @(Get-GcHeapStat -Dump $Dump -TypeName Free)
        $free.Count | Should -Be 1 -Because 'the fixture heap has free space between objects'
        $freeBlocks = @(Get-GcObject -Dump $Dump -TypeName Free)
        $freeBlocks.Count | Should -Be $free[0].Count
        ($freeBlocks | Measure-Object Size -Sum).Sum | Should -Be $free[0].TotalSize
        $all = @(Get-GcObject -Dump $Dump -MinSize 0 -IncludeFree)
        $objects = @(Get-GcObject -Dump $Dump -MinSize 0)
        ($objects | Where-Object TypeName -eq 'Free') | Should -BeNullOrEmpty
        $objects.Count | Should -Be ($all.Count - $free[0].Count)
        $minFree = ($freeBlocks | Measure-Object Size -Maximum).Maximum
        @(Get-GcObject -Dump $Dump -MinSize $minFree | Where-Object TypeName -eq 'Free').Count | Should -Be 0
        @(Get-GcObject -Dump $Dump -MinSize $minFree -IncludeFree | Where-Object TypeName -eq 'Free').Count | Should -BeGreaterOrEqual 1
    }

    It 'returns the object at an address, by pipeline property name, and InvalidAddress for an interior one' {
        $first = Get-GcObject -Dump $Dump -TypeName 'GcTriage.Fixture.Gadget' | Select-Object -First 1
        ($first | Get-GcObject -Dump $Dump).TypeName | Should -Be 'GcTriage.Fixture.Gadget'
        Get-GcObject -Dump $Dump -Address ($first.Address + 8) -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidAddress,*'
        $err[0].Exception.Message | Should -BeLike '*inside*GcTriage.Fixture.Gadget*'
    }

    It 'stops early under Select-Object -First and leaves the session usable' {
        @(Get-GcObject -Dump $Dump | Select-Object -First 1).Count | Should -Be 1
        (Get-GcHeapStat -Dump $Dump -TypeName 'GcTriage.Fixture.Widget').Count | Should -Be 1000
    }

    It 'stops on Ctrl+C (StopProcessing) with the host alive and the session usable' {
        $stop = Stop-GcPipelineAfter 'Get-GcObject -Dump $args[0] | ForEach-Object { Start-Sleep -Milliseconds 20; $_ }' -ArgumentList $Dump
        $stop.State | Should -Be 'Stopped'
        $Dump.IsOpen | Should -BeTrue
        (Get-GcHeapStat -Dump $Dump -TypeName 'GcTriage.Fixture.Widget').Count | Should -Be 1000
    }
}
