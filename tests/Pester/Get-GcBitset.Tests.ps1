BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force; Import-GcTriageUnderTest
    $script:temp = New-GcTempDirectory
    $script:dumpPath = (Save-FixtureDump -Directory $temp).FullName
    $script:d = Open-GcDump -Path $dumpPath
}

AfterAll {
    if ($script:d) { Close-GcDump -Dump $script:d }
    Remove-GcTempDirectory $script:temp
}

Describe 'Get-GcBitset' {
    It 'counts the set bits of the odd-length BitArray' {
        $b = @(Get-GcBitset -Dump $d | Where-Object Kind -eq 'BitArray')
        $b.Count | Should -Be 1
        $b[0] | Should -BeOfType ([GcTriage.GcBitsetInfo])
        $b[0].LengthBits | Should -Be 1001
        $b[0].SetBits | Should -Be 334
        $b[0].Bytes | Should -Be 184
    }

    It 'prices the large bool[] as a BitArray' {
        $f = @(Get-GcBitset -Dump $d -Top 1)[0]
        $f.Kind | Should -Be 'BoolArray'
        $f.LengthBits | Should -Be 1000000
        $f.SetBits | Should -Be 142858
        $f.Bytes | Should -Be 1000024
        $f.BitArrayBytes | Should -Be 125056
        $f.SavingBytes | Should -Be (1000024 - 125056)
        $f.Generation | Should -Be 'LOH'
    }

    It 'leaves short bool[] out by -MinLength' {
        @(Get-GcBitset -Dump $d -MinLength 1000001 | Where-Object Kind -eq 'BoolArray').Count | Should -Be 0
        @(Get-GcBitset -Dump $d -MinLength 1000001 | Where-Object Kind -eq 'BitArray').Count | Should -Be 1
    }

    It 'pipes into Get-GcRoot and Export-Csv' {
        $r = @(Get-GcBitset -Dump $d -Top 1 | Get-GcRoot -Dump $d -MaxPaths 1)
        $r[0].RootName | Should -Be 'GcTriage.Fixture.HeapMode.s_flags'
        $csv = Join-Path $temp 'bits.csv'
        Get-GcBitset -Dump $d | Export-Csv $csv
        @(Import-Csv $csv).Count | Should -BeGreaterOrEqual 2
    }

    It 'rejects a negative -MinLength' {
        { Get-GcBitset -Dump $d -MinLength -1 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,GcTriage.Commands.GetGcBitsetCommand'
    }
}
