@{
    RootModule           = 'module/bin/GcTriage.Commands.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5d0c7a4e-6f0b-4c53-9a2e-3f7b1c9e8d21'
    Author               = 'GcTriage contributors'
    CompanyName          = 'GcTriage'
    Copyright            = '(c) GcTriage contributors. MIT License.'
    Description          = 'Triage .NET garbage-collector incidents from PowerShell: GC configuration, live GC pauses and allocations over EventPipe, dumps walked with ClrMD (heap statistics, oversized collections, bitsets, root paths, heap diffs), and unattended reports.'
    PowerShellVersion    = '7.6'
    CompatiblePSEditions = @('Core')
    RequiredAssemblies   = @('module/bin/GcTriage.Model.dll')
    FormatsToProcess     = @('module/GcTriage.Format.ps1xml')
    TypesToProcess       = @('module/GcTriage.Types.ps1xml')
    CmdletsToExport      = @(
        'Get-GcProcess'
        'Get-GcSetting'
        'Save-GcDump'
        'Open-GcDump'
        'Close-GcDump'
        'Get-GcHeapStat'
        'Get-GcObject'
        'Get-GcDictionary'
        'Get-GcBitset'
        'Get-GcRoot'
        'Get-GcRetained'
        'Get-GcDominator'
        'Get-GcLeakSuspect'
        'Compare-GcHeap'
        'Get-GcFragmentation'
        'Get-GcHandle'
        'Get-GcFinalizable'
        'Get-GcDuplicateString'
        'Get-GcCrossGenerationReference'
        'Get-GcMarkCost'
        'Get-GcPause'
        'Measure-GcPause'
        'Watch-GcPause'
        'Get-GcAllocation'
        'Invoke-GcTriage'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('GC', 'GarbageCollector', 'dotnet', 'diagnostics', 'ClrMD', 'EventPipe', 'performance', 'Linux', 'Windows')
            LicenseUri = 'https://opensource.org/licenses/MIT'
        }
    }
}
