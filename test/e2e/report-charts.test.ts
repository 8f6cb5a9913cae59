// report.html's charts in Debian's Chromium (playwright-core), opened from disk as a user would: at
// 1400 px and at 390 px every chart container gets a Vega view with a drawn SVG and no error, the
// charts fit the column, the page logs no console error and asks nothing of any host (the inlined
// vega, vega-lite and vega-embed are all it needs). Skipped (with the reason) without Chromium.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { renderAll } from "../../src/report/index.js";
import { reportCharts } from "../../src/report/charts/index.js";
import { chartsReportInput } from "../report/charts-fixture.js";

const CHROMIUM = process.env.AUGSAL_CHROMIUM ?? "/usr/bin/chromium";
const charts = suite("report charts: every Vega-Lite chart draws in Chromium, offline");

if (!existsSync(CHROMIUM)) {
  console.log(
    `\n  report charts: SKIPPED — ${CHROMIUM} is missing (apt-get install chromium, or set AUGSAL_CHROMIUM)\n`,
  );
  charts.skip("report.html's charts in Chromium (no Chromium on this machine)", () => {});
} else {
  let dir: string;
  let profile: string;
  let context: import("playwright-core").BrowserContext;
  const input = chartsReportInput();
  const names = reportCharts(input).map((c) => c.name);

  charts.before(async () => {
    dir = mkdtempSync(join(tmpdir(), "augsal-report-charts-"));
    for (const f of renderAll(input).files) {
      mkdirSync(dirname(join(dir, f.path)), { recursive: true });
      writeFileSync(join(dir, f.path), f.data);
    }
    profile = mkdtempSync(join(tmpdir(), "augsal-chromium-"));
    const { chromium } = await import("playwright-core");
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
    });
  });

  charts.after(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const width of [1400, 390]) {
    charts(`at ${width} px: a Vega view per chart, no console error, no request, no overflow`, async () => {
      const page = await context.newPage();
      await page.setViewportSize({ width, height: 900 });
      const problems: string[] = [];
      const requests: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
      const url = pathToFileURL(join(dir, "report.html")).href;
      page.on("request", (r) => {
        if (r.url() !== url) requests.push(r.url());
      });
      await page.goto(url);
      await page.waitForFunction(
        () =>
          Array.from(document.querySelectorAll(".vchart")).every(
            (e) => e.hasAttribute("data-rendered") || e.hasAttribute("data-error"),
          ),
        null,
        { timeout: 60_000 },
      );
      const state = await page.evaluate(() =>
        Array.from(document.querySelectorAll<HTMLElement>(".vchart")).map((el) => {
          const svg = el.querySelector(".vview svg");
          const box = svg?.getBoundingClientRect();
          return {
            name: el.dataset.chart,
            error: el.dataset.error ?? null,
            view: typeof (el as unknown as { _view?: { width(): number } })._view?.width === "function",
            marks: svg?.querySelectorAll("path, line, text").length ?? 0,
            width: box?.width ?? 0,
            column: el.clientWidth,
          };
        }),
      );
      assert.equal(
        state.map((s) => s.name),
        names,
        "one container per chart, in page order",
      );
      for (const s of state) {
        assert.is(s.error, null, `${s.name}: no error`);
        assert.ok(s.view, `${s.name}: a Vega view`);
        assert.ok(s.marks > 20, `${s.name}: drawn (${s.marks} marks)`);
        assert.ok(s.width > 0 && s.width <= s.column + 1, `${s.name}: ${s.width} px in a ${s.column} px column`);
      }
      if (width === 1400) {
        // The controls: the smoothing slider, a method drop-down, a legend entry (selection by model).
        const before = await page.locator("#chart-figure2 svg.marks").innerHTML();
        await page.locator("#chart-figure2 input[type=range]").fill("9");
        await page.waitForTimeout(300);
        assert.is.not(
          await page.locator("#chart-figure2 svg.marks").innerHTML(),
          before,
          "the slider redraws the smoothed loss",
        );
        await page.locator("#chart-trust-equivariance select").selectOption("ig");
        await page.locator("#chart-figure2 .role-legend-label text").first().click({ force: true });
        await page.waitForTimeout(300);
        const faded = await page.locator('#chart-figure2 svg.marks [opacity="0.12"]').count();
        assert.ok(faded > 0, "picking a model in the legend fades the others");
      }
      assert.equal(problems, [], "no console errors or warnings");
      assert.equal(requests, [], "nothing is fetched: the page is one offline file");
      await page.close();
    });
  }
}

charts.run();
