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
}
