# The HTML report of Invoke-GcTriage, opened in a real headless browser (Debian's chromium): no console errors, no network
# requests, and every chart drawn with a non-zero size. A screenshot is kept under artifacts/test-results.
BeforeDiscovery {
    $script:HasChromium = [bool](@('chromium', 'chromium-browser', 'google-chrome') | Where-Object { Get-Command $_ -ErrorAction Ignore })
}
BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-GcTriageUnderTest
    $script:Dir = New-GcTempDirectory
    $script:Artifacts = Join-Path (Get-RepoRoot) 'artifacts/test-results'
    $null = New-Item -ItemType Directory -Force $Artifacts
    $script:ChartProbe = @'
JSON.stringify({
  drawn: Number(document.body.getAttribute('data-charts-drawn')),
  canvases: [...document.querySelectorAll('canvas')].map(c => { const r = c.getBoundingClientRect(); return { id: c.id, w: r.width, h: r.height, painted: c.width > 0 && c.height > 0 }; }),
  firstHeading: (document.querySelector('h2') || {}).textContent || '',
  title: document.title,
  // Cells whose alignment differs from their column's header (a number left-aligned under a right-aligned header).
  misaligned: [...document.querySelectorAll('table')].flatMap(t => {
    const heads = [...t.querySelectorAll('thead th')];
    return [...t.querySelectorAll('tbody tr')].flatMap(r => [...r.children]
      .filter((c, i) => heads[i] && getComputedStyle(c).textAlign !== getComputedStyle(heads[i]).textAlign)
      .map(c => heads[[...r.children].indexOf(c)].textContent));
  })
})
'@
}
AfterAll { Close-GcDump -All; Remove-GcTempDirectory $Dir }

Describe 'report.html in a headless browser' -Skip:(-not $HasChromium) {
    It 'renders a live triage (pauses over time, distribution, top types, collections) with no errors and no network' {
        $fixture = Start-GcFixture -Mode gc
        try {
            $fixture.Send('tick 150 gen0 1')
            $fixture.Send('gen2 3')
            $report = Invoke-GcTriage -ProcessId $fixture.Id -Duration '00:00:03' -OutputDirectory (Join-Path $Dir 'live') -CaptureDump Always
        }
        finally { Stop-GcFixture $fixture }
        @($report.Pauses).Count | Should -BeGreaterThan 0
        $html = Join-Path $report.OutputDirectory 'report.html'
        $page = Invoke-HeadlessPage -Path $html -Expression $ChartProbe -ScreenshotPath (Join-Path $Artifacts 'report-live.png')
        $page.ConsoleErrors | Should -BeNullOrEmpty
        $page.Exceptions | Should -BeNullOrEmpty
        $page.Requests | Should -BeNullOrEmpty
        $probe = $page.Result | ConvertFrom-Json
        $probe.canvases.Count | Should -BeGreaterOrEqual 3
        $probe.drawn | Should -Be $probe.canvases.Count
        $probe.title | Should -Be "GC triage: GcTriage.Fixture (process $($report.ProcessId))"
        @($probe.misaligned) | Should -BeNullOrEmpty -Because 'every cell aligns with its header ("% paused" included)'
        foreach ($c in $probe.canvases) {
            $c.w | Should -BeGreaterThan 0 -Because "chart $($c.id) has a width"
            $c.h | Should -BeGreaterThan 0 -Because "chart $($c.id) has a height"
        }
        Join-Path $Artifacts 'report-live.png' | Should -Exist
    }

    It 'renders a dump triage with the likely cause first' {
        $fixture = Start-GcFixture -Mode heap
        try { $dump = Save-GcDump -ProcessId $fixture.Id -Path (Join-Path $Dir 'heap.dmp') }
        finally { Stop-GcFixture $fixture }
        $report = Invoke-GcTriage -Path $dump.FullName -OutputDirectory (Join-Path $Dir 'dump')
        $page = Invoke-HeadlessPage -Path (Join-Path $report.OutputDirectory 'report.html') -Expression $ChartProbe -ScreenshotPath (Join-Path $Artifacts 'report-dump.png')
        $page.ConsoleErrors | Should -BeNullOrEmpty
        $page.Exceptions | Should -BeNullOrEmpty
        $page.Requests | Should -BeNullOrEmpty
        $probe = $page.Result | ConvertFrom-Json
        $probe.drawn | Should -BeGreaterOrEqual 2
        $probe.drawn | Should -Be $probe.canvases.Count
        $report.LikelyCauses[0].Text | Should -BeLike '*set-like*Dictionary<System.Int64, System.Boolean> of 142,858 entries*GcTriage.Fixture.Cache.s_seen*BitArray*'
    }
    It 'renders the GC-cost sections of a dump triage: fragmentation with its bars and pins, handles, the finalization backlog' {
        $dump = Save-FixtureDump -Directory $Dir -Mode cost
        $report = Invoke-GcTriage -Path $dump.FullName -OutputDirectory (Join-Path $Dir 'cost')
        # Cells as text, except a cell that is only a size: its exact bytes, from the title ("2064464 bytes").
        $probe = @'
JSON.stringify((() => {
  const cell = c => { const b = c.querySelector('span[title$=" bytes"]'); return b && b.textContent === c.textContent.trim() ? b.title.replace(' bytes', '') : c.textContent.trim(); };
  const rows = t => t ? [...t.querySelectorAll('tbody tr')].map(r => [...r.children].map(cell)) : [];
  const tables = id => [...document.querySelectorAll('#' + id + ' > table')];
  return {
    sections: [...document.querySelectorAll('section')].map(s => s.id),
    fragmentation: rows(tables('fragmentation')[0]),
    bars: [...document.querySelectorAll('#fragmentation .share')].map(b => ({ bar: b.getBoundingClientRect().width, fill: b.firstElementChild.getBoundingClientRect().width, width: b.firstElementChild.style.width })),
    blocks: rows(tables('fragmentation')[1]),
    kinds: rows(tables('handles')[0]),
    pinned: rows(document.querySelector('#pinned-targets + table')),
    finalization: document.querySelector('#finalization p').textContent,
    finalizationRow: rows(tables('finalization')[0])[0],
    finalizationFindings: [...document.querySelectorAll('#finalization li code')].map(c => c.textContent),
    handleFindings: [...document.querySelectorAll('#handles li code')].map(c => c.textContent),
    misaligned: [...document.querySelectorAll('section#fragmentation table, section#handles table, section#finalization table')].flatMap(t => {
      const heads = [...t.querySelectorAll('thead th')];
      return [...t.querySelectorAll('tbody tr')].flatMap(r => [...r.children]
        .filter((c, i) => heads[i] && getComputedStyle(c).textAlign !== getComputedStyle(heads[i]).textAlign)
        .map(c => heads[[...r.children].indexOf(c)].textContent));
    })
  };
})())
'@
        $page = Invoke-HeadlessPage -Path (Join-Path $report.OutputDirectory 'report.html') -Expression $probe -ScreenshotPath (Join-Path $Artifacts 'report-cost.png')
        $page.ConsoleErrors | Should -BeNullOrEmpty
        $page.Exceptions | Should -BeNullOrEmpty
        $page.Requests | Should -BeNullOrEmpty
        $p = $page.Result | ConvertFrom-Json
        foreach ($id in 'fragmentation', 'handles', 'finalization') { $p.sections | Should -Contain $id }
        @($p.misaligned) | Should -BeNullOrEmpty

        # One row per generation, as Get-GcFragmentation: the free share, free bytes, free blocks and object bytes exactly.
        $p.fragmentation.Count | Should -Be @($report.Fragmentation).Count
        for ($i = 0; $i -lt $p.fragmentation.Count; $i++) {
            $f = $report.Fragmentation[$i]
            $row = $p.fragmentation[$i]
            $row[0] | Should -Be "$($f.Generation)"
            $row[1] | Should -Be (($f.FragmentationRatio * 100).ToString('0.#', [cultureinfo]::InvariantCulture) + ' %')
            [long]$row[2] | Should -Be $f.FreeBytes
            $row[3] | Should -Be $f.FreeBlocks.ToString('N0', [cultureinfo]::InvariantCulture)
            [long]$row[4] | Should -Be $f.ObjectBytes
            $row[5] | Should -Be $f.PinnedObjects.ToString('N0', [cultureinfo]::InvariantCulture)
            # The bar's fill is the free share of the bar's width (whole percent).
            $p.bars[$i].bar | Should -BeGreaterThan 0
            $p.bars[$i].width | Should -Be "$([math]::Round($f.FragmentationRatio * 100))%"
            [math]::Abs($p.bars[$i].fill - [math]::Round($f.FragmentationRatio * 100) / 100 * $p.bars[$i].bar) | Should -BeLessThan 1 -Because "the $($f.Generation) bar is drawn at its share"
        }
        ($report.Fragmentation | Where-Object Generation -eq 'Gen0').FragmentationRatio | Should -BeGreaterThan 0.5 -Because 'gen0 holds the holes between the pinned arrays'

        # The largest free blocks, largest first, each with the pinned CostSlot[] after it and its handle.
        $blocks = @($report.Fragmentation.LargestFreeBlocks | Sort-Object Size -Descending -Stable)
        $p.blocks.Count | Should -Be $blocks.Count
        for ($i = 0; $i -lt $blocks.Count; $i++) {
            $p.blocks[$i][0] | Should -Be ('0x{0:x} in {1}' -f $blocks[$i].Address, $blocks[$i].Generation)
            [long]$p.blocks[$i][1] | Should -Be $blocks[$i].Size
            $pin = $blocks[$i].PinnedNeighbours[0]
            $p.blocks[$i][2].StartsWith(('GcTriage.Fixture.CostSlot[] 0x{0:x} ' -f $pin.Address)) | Should -BeTrue -Because $p.blocks[$i][2]
            $p.blocks[$i][2].EndsWith(" $($pin.Generation)") | Should -BeTrue -Because $p.blocks[$i][2]
            $p.blocks[$i][3] | Should -Be "PinnedHandle: $($pin.Root)"
        }

        # Handles by kind: the fixture's 25 pinned handles (20 CostSlot[], 5 CostPinnedTarget) are among the Pinned ones.
        $pinnedKind = $p.kinds | Where-Object { $_[0] -eq 'Pinned' }
        [long]($pinnedKind[1] -replace ',') | Should -Be (($report.Handles | Where-Object Kind -eq 'Pinned' | Measure-Object Count -Sum).Sum)
        $slots = $p.pinned | Where-Object { $_[0] -eq 'GcTriage.Fixture.CostSlot[]' }
        $slots[1] | Should -Be 'Pinned'
        $slots[2] | Should -Be '20'
        [long]$slots[3] | Should -Be (20 * (24 + 16 * 64))
        $slots[4] | Should -Be '20' -Because 'all 20 are in gen0'
        ($p.pinned | Where-Object { $_[0] -eq 'GcTriage.Fixture.CostPinnedTarget' })[2] | Should -Be '5'
        $p.handleFindings | Should -Contain 'YoungPinnedHandles'

        $p.finalization | Should -BeLike '*200 objects (4.7 KB) are ready for finalization and wait for the finalizer thread, of * finalizable*'
        $p.finalizationFindings | Should -Be @('FinalizationBacklog')
        $total = $report.Finalization
        $p.finalizationRow[1] | Should -Be $total.Count.ToString('N0', [cultureinfo]::InvariantCulture)
        $p.finalizationRow[3] | Should -Be ((200 / $total.Count * 100).ToString('0.#', [cultureinfo]::InvariantCulture) + ' %')
        $p.finalizationRow[4] | Should -Be '200'
        [long]$p.finalizationRow[5] | Should -Be (200 * 24) -Because '200 CostFinalizable of 24 bytes'
    }
}
