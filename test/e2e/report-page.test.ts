// report.html in Debian's Chromium (playwright-core), opened from the file system as a reader would: a
// tiny study's page at 1400 px and at 390 px, printed to A4, and offline (every request is routed; any
// that leaves file:// fails the test). Set AUGSAL_SCREENSHOTS=DIR to keep the screenshots (desktop,
// phone, a print page) there; docs/report-*.png come from it. Skipped (with the reason) without Chromium.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const CHROMIUM = process.env.AUGSAL_CHROMIUM ?? "/usr/bin/chromium";
const SHOTS = process.env.AUGSAL_SCREENSHOTS;
const cliPath = join(process.cwd(), "dist", "cli.js");
const page = suite("report.html in Chromium: desktop, phone, print, offline");

if (!existsSync(CHROMIUM)) {
  console.log(`\n  report page: SKIPPED — ${CHROMIUM} is missing (apt-get install chromium, or set AUGSAL_CHROMIUM)\n`);
  page.skip("report.html in Chromium (no Chromium on this machine)", () => {});
} else {
  const tmp = mkdtempSync(join(tmpdir(), "augsal-report-page-"));
  const out = join(tmp, "run");
  let url = "";
  let browser: import("playwright-core").Browser;
  const problems: string[] = [];
  const foreign: string[] = [];

  /** A fresh tab of `width` px that logs console errors and refuses every request outside file:// and data:. */
  async function open(width: number, height = 900) {
    const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1 });
    await context.route("**/*", (route) => {
      const u = route.request().url();
      if (u.startsWith("file://") || u.startsWith("data:")) return route.continue();
      foreign.push(u);
      return route.abort();
    });
    const tab = await context.newPage();
    tab.on("console", (m) => m.type() === "error" && problems.push(`console (${width} px): ${m.text()}`));
    tab.on("pageerror", (e) => problems.push(`page error (${width} px): ${e.message}`));
    await tab.goto(url, { waitUntil: "load" });
    return { context, tab };
  }

  page.before(async () => {
    // A tiny study on the bundled MNIST: five augmentations (the page's full width), two methods (the
    // method switch), no trust tables (they cost the most and have their own tests).
    const r = spawnSync(
      process.execPath,
      [
        cliPath,
        ...["--epochs", "2", "--steps", "2", "--queries", "1", "--copies", "2", "--train-per-class", "4"],
        ...["--val-per-class", "5", "--methods", "vanilla,inputxgrad", "--no-trust", "--workers", "1", "--out", out],
      ],
      { encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0" } },
    );
    assert.is(r.status, 0, r.stderr);
    url = pathToFileURL(join(out, "report.html")).href;
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
    });
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  });

  page.after(async () => {
    await browser?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  page("at 1400 px: no console error, Figure 4's scale and method switches show one panel each", async () => {
    const { context, tab } = await open(1400);
    const visible = () =>
      tab.evaluate(() =>
        Array.from(document.querySelectorAll<HTMLElement>("#fig4 .f4p"))
          .filter((e) => e.offsetParent !== null)
          .map((e) => `${e.dataset.s}/${e.dataset.m}`),
      );
    assert.equal(await visible(), ["shared/vanilla"]);
    await tab.click('label[for="f4-permap"]');
    assert.equal(await visible(), ["per-map/vanilla"]);
    await tab.click('label[for="f4m-inputxgrad"]');
    assert.equal(await visible(), ["per-map/inputxgrad"]);
    await tab.click('label[for="f4-shared"]');
    assert.equal(await visible(), ["shared/inputxgrad"]);
    await tab.click('label[for="f4m-vanilla"]');
    // Every Figure 1 and Figure 4 map is drawn (a decoded image inside the SVG), at its natural size.
    const figs = await tab.evaluate(() =>
      Array.from(document.querySelectorAll<SVGSVGElement>("svg.augfig")).map((s) => s.getBoundingClientRect().width),
    );
    assert.ok(figs.length >= 5, `${figs.length} image figures in the page`);
    if (SHOTS) await tab.screenshot({ path: join(SHOTS, "report-desktop.png") });
    assert.equal(problems, []);
    await context.close();
  });

  page("at 390 px: nothing overflows the page, text is at least 14 px, Figure 4 scrolls in its own box", async () => {
    const { context, tab } = await open(390, 844);
    const m = await tab.evaluate(() => {
      const px = (e: Element) => parseFloat(getComputedStyle(e).fontSize);
      const sizes = Array.from(document.querySelectorAll("main p, main li, main td, figcaption, .caption"))
        .filter((e) => (e as HTMLElement).offsetParent !== null && e.textContent!.trim())
        .map((e) => ({ tag: e.tagName + "." + e.className, px: px(e) }));
      const scroller = document.querySelector("#fig4 .figscroll") as HTMLElement;
      const caption = document.querySelector("#fig4 figcaption") as HTMLElement;
      return {
        scrollWidth: document.scrollingElement!.scrollWidth,
        innerWidth: window.innerWidth,
        smallest: sizes.sort((a, b) => a.px - b.px)[0],
        f4Scrolls: scroller.scrollWidth > scroller.clientWidth,
        captionInScroller: scroller.contains(caption),
        captionWidth: caption.getBoundingClientRect().width,
      };
    });
    assert.ok(m.scrollWidth <= m.innerWidth, `page ${m.scrollWidth} px wide in a ${m.innerWidth} px window`);
    assert.ok(m.smallest.px >= 14, `smallest text: ${m.smallest.tag} at ${m.smallest.px} px`);
    assert.ok(m.f4Scrolls, "Figure 4 keeps its size and scrolls inside its box");
    assert.not.ok(m.captionInScroller, "Figure 4's caption is outside the scroll box");
    assert.ok(m.captionWidth <= 390);
    if (SHOTS) await tab.screenshot({ path: join(SHOTS, "report-phone.png") });
    assert.equal(problems, []);
    await context.close();
  });

  page("printed to A4: body text and table cells at least 9 pt; the PDF has a sane page count", async () => {
    const { context, tab } = await open(1400);
    await tab.emulateMedia({ media: "print" });
    const m = await tab.evaluate(() => {
      const pt = (e: Element) => (parseFloat(getComputedStyle(e).fontSize) * 72) / 96;
      const pick = (sel: string) =>
        Array.from(document.querySelectorAll(sel))
          .filter((e) => e.textContent!.trim() && getComputedStyle(e).display !== "none")
          .map((e) => ({ what: `${e.tagName}.${e.className}`, pt: pt(e) }))
          .sort((a, b) => a.pt - b.pt)[0];
      return { p: pick("main section p"), td: pick("main td"), caption: pick("figcaption, .caption") };
    });
    assert.ok(m.p.pt >= 9, `body text: ${m.p.what} at ${m.p.pt} pt`);
    assert.ok(m.td.pt >= 9, `table cells: ${m.td.what} at ${m.td.pt} pt`);
    assert.ok(m.caption.pt >= 9, `captions: ${m.caption.what} at ${m.caption.pt} pt`);
    // Chromium shrinks a page whose content is wider than the paper; nothing may be wider.
    const wide = await tab.evaluate(() => {
      const w = document.querySelector("main")!.clientWidth;
      return Array.from(document.querySelectorAll("main *"))
        .filter((e) => e.getBoundingClientRect().right > w + 1 && getComputedStyle(e).display !== "none")
        .slice(0, 3)
        .map((e) => `${e.tagName}.${e.className}`);
    });
    assert.equal(wide, [], "nothing wider than the printed column");
    const pdf = await tab.pdf({ format: "A4", preferCSSPageSize: true });
    const pages = (pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) ?? []).length;
    console.log(
      `\n  report page: A4 print ${pages} pages, report.html ${readFileSync(join(out, "report.html")).length} bytes`,
    );
    assert.ok(pages >= 3 && pages <= 30, `${pages} pages`);
    if (SHOTS) {
      // One printed page as an image: the print layout at A4's width (210 mm at 96 px/in, minus the margins).
      await tab.setViewportSize({ width: 688, height: 1010 });
      await tab.screenshot({ path: join(SHOTS, "report-print.png") });
    }
    assert.equal(problems, []);
    await context.close();
  });

  page("offline: no request left file:// in any of the tabs", () => {
    assert.equal(foreign, []);
  });

  page("re-rendering the report gives the same bytes: page, SVG figures and their PNGs", () => {
    const files = [
      "report.html",
      "figures/figure1.svg",
      "figures/figure1.png",
      "figures/figure4-shared.svg",
      "figures/figure4-shared.png",
      "figures/figure4-permap.svg",
      "figures/figure4-permap.png",
    ];
    const before = files.map((f) => readFileSync(join(out, f)));
    const r = spawnSync(process.execPath, [cliPath, "report", "--out", out], { encoding: "utf8" });
    assert.is(r.status, 0, r.stderr);
    files.forEach((f, i) => assert.ok(before[i].equals(readFileSync(join(out, f))), `${f} changed`));
  });
}

page.run();
