// The browser page in Debian's Chromium (driven by playwright-core): it loads a tiny run from
// `augsal serve`, a drawn stroke updates all six models live, and everything the page computes — the
// drawing's predictions, probabilities and maps, a test image's maps, the portable check — equals
// what Node computes with the same wasm core, bit for bit. Skipped (with the reason) without Chromium.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadCore, wasmBytes } from "../../src/node/wasm.js";
import type { Core } from "../../src/core/load.js";
import { sha256F32, sha256Hex } from "../../src/core/sha256.js";
import { Model } from "../../src/nn/model.js";
import { PRESETS } from "../../src/nn/spec.js";
import { attribute } from "../../src/explain/saliency.js";
import { runPortableCheck, type PortableResult } from "../../src/portable.js";
import { serveRun, type RunningServer } from "../../src/cli/serve.js";
import type { PageState } from "../../src/web/app.js";
import { makeTinyRun, type TinyRun } from "../web/fixture.js";
import { fitLikeMnist } from "../../src/web/paint.js";
import { attributeWith, type MethodName } from "../../src/explain/methods.js";

const CHROMIUM = process.env.AUGSAL_CHROMIUM ?? "/usr/bin/chromium";
const web = suite("web: the page in Chromium equals Node bit for bit");

/** Node's own computation of one image through one set's model (Model + attribute, not the page's engine). */
function nodeMaps(core: Core, run: TinyRun, image: Float32Array, label: number, target: "label" | "predicted") {
  return [...run.params].map(([set, params]) => {
    const mark = core.arena.mark();
    const m = new Model(core, PRESETS.tutorial, 1);
    m.setParams(params);
    const s = attribute(m, image, [label], { target, score: run.config.score });
    core.exports.softmax_forward(m.probs, m.logits, 1, m.classes);
    const probs = Array.from(core.arena.f32(m.probs, m.classes));
    core.arena.reset(mark);
    return { set, target: s.target[0], predicted: s.predicted[0], probs, mapSha256: sha256F32(s.abs) };
  });
}

/** The page's last computation once every pending one is done (the threaded page computes in a worker). */
async function settled(p: import("playwright-core").Page): Promise<PageState> {
  return (await p.evaluate(async () => {
    await window.augsal.idle();
    return window.augsal.last;
  }))!;
}

function assertSameAsNode(page: PageState, node: ReturnType<typeof nodeMaps>, what: string): void {
  assert.equal(
    page.results.map((r) => r.set),
    node.map((r) => r.set),
    `${what}: the six sets in order`,
  );
  page.results.forEach((r, i) => {
    const n = node[i];
    assert.is(r.predicted, n.predicted, `${what}, ${r.set}: prediction`);
    assert.is(r.target, n.target, `${what}, ${r.set}: class explained`);
    // f32 → JS number → f32 is exact, so equal numbers mean equal bits.
    assert.equal(r.probs, n.probs, `${what}, ${r.set}: probabilities`);
    assert.is(r.mapSha256, n.mapSha256, `${what}, ${r.set}: saliency map`);
  });
}

if (!existsSync(CHROMIUM)) {
  console.log(`\n  web: SKIPPED — ${CHROMIUM} is missing (apt-get install chromium, or set AUGSAL_CHROMIUM)\n`);
  web.skip("the page in Chromium (no Chromium on this machine)", () => {});
} else {
  let run: TinyRun;
  let server: RunningServer;
  let profile: string;
  // playwright-core's types, imported lazily so that a machine without the browser never loads it.
  let context: import("playwright-core").BrowserContext;
  let page: import("playwright-core").Page;
  const problems: string[] = [];
  const foreign: string[] = [];
  const core = loadCore();

  web.before(async () => {
    run = makeTinyRun();
    server = await serveRun(run.dir, { port: 0 });
    profile = mkdtempSync(join(tmpdir(), "augsal-chromium-"));
    const { chromium } = await import("playwright-core");
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
      viewport: { width: 1280, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("request", (r) => {
      if (!r.url().startsWith(server.url) && !/^(data|blob):/.test(r.url())) foreign.push(r.url());
    });
    await page.goto(server.url);
    await page.waitForFunction(() => window.augsal && (window.augsal.ready || window.augsal.error), null, {
      timeout: 30_000,
    });
    const error = await page.evaluate(() => window.augsal.error);
    if (error) throw new Error(`the page failed to start: ${error}`);
  });

  web.after(async () => {
    await context?.close();
    await server?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    if (run) rmSync(run.dir, { recursive: true, force: true });
  });

  web("the page starts on the first test image, shows six cards, and asks nothing of any other host", async () => {
    assert.equal(await page.locator(".model h3").allTextContents(), [
      "Orig",
      "Scaling",
      "RandCrop",
      "Erasing",
      "Distortion",
      "Blur",
    ]);
    assert.is(await page.locator(".queries button").count(), 10);
    const last = await settled(page);
    assert.is(last.source, "query:0");
    assert.is(last.results.length, 6);
    assert.equal(problems, []);
    assert.equal(foreign, []);
  });

  web("a stroke drawn with the mouse updates all six predictions, and they equal Node's bit for bit", async () => {
    const before = await page.evaluate(() => window.augsal.runs);
    await page.click("#clear");
    const box = (await page.locator("#pad").boundingBox())!;
    const at = (x: number, y: number): [number, number] => [
      box.x + (x / 28) * box.width,
      box.y + (y / 28) * box.height,
    ];
    // A "7": the top bar, then the diagonal.
    await page.mouse.move(...at(8, 7));
    await page.mouse.down();
    await page.mouse.move(...at(20, 7), { steps: 8 });
    await page.mouse.move(...at(12, 23), { steps: 12 });
    await page.mouse.up();
    await page.waitForFunction((n) => window.augsal.runs > n && window.augsal.last?.source === "drawing", before, {
      timeout: 10_000,
    });
    await page.waitForTimeout(100); // let the last pointer move's frame run
    const last = await settled(page);
    const ink = last.input.filter((v) => v > 0.5).length;
    assert.ok(ink > 30 && ink < 200, `the stroke inked ${ink} pixels (expected a 2-pixel-wide "7")`);
    assert.ok(
      last.input.every((v) => v >= 0 && v <= 1),
      "pixels stay in [0, 1]",
    );
    const digits = await page.locator(".model .digit").allTextContents();
    assert.equal(
      digits,
      last.results.map((r) => String(r.predicted)),
      "the cards show the predictions",
    );
    for (const r of last.results)
      assert.ok(Math.abs(r.probs.reduce((a, b) => a + b, 0) - 1) < 1e-5, `${r.set}: probabilities sum to 1`);
    assertSameAsNode(last, nodeMaps(core, run, Float32Array.from(last.input), 0, "predicted"), "drawing");
  });

  web("a test image's six saliency maps equal Node's byte for byte", async () => {
    await page.locator(".queries button").nth(7).click();
    const last = await settled(page);
    assert.is(last.source, "query:7");
    assert.is(last.label, run.labels[7]);
    assertSameAsNode(
      last,
      nodeMaps(core, run, run.images.subarray(7 * 784, 8 * 784), run.labels[7], "label"),
      "test image 7",
    );
  });

  web("the portable check in the page gives Node's hashes", async () => {
    const node: PortableResult = { ...runPortableCheck(core), wasmSha256: sha256Hex(wasmBytes()) };
    const inPage = await page.evaluate(() => window.augsal.portable());
    assert.equal(inPage, node);
  });

  web("the overlay toggle repaints the maps; timing of the six models is reported", async () => {
    const pixel = () =>
      page.evaluate(() =>
        Array.from(
          (document.querySelector(".model .map") as HTMLCanvasElement).getContext("2d")!.getImageData(0, 0, 28, 28)
            .data,
        ),
      );
    const heat = await pixel();
    await page.click(".toggle");
    const over = await pixel();
    assert.not.equal(heat, over);
    await page.click(".toggle");
    // Six models' forward + saliency for one drawing, measured in the page (the median of 9 runs).
    const ms = await page.evaluate(async () => {
      const t: number[] = [];
      const img = window.augsal.last!.input;
      for (let i = 0; i < 9; i++) {
        await window.augsal.setInput(img);
        t.push(window.augsal.last!.ms);
      }
      return t.sort((a, b) => a - b)[4];
    });
    console.log(
      `\n  web: six models' forward + saliency for one drawing in Chromium: ${ms.toFixed(1)} ms (median of 9)`,
    );
    assert.ok(ms > 0);
    assert.equal(problems, []);
  });

  // figpage: the live page's fit-like-MNIST default, method selector, per-map scale and phone width.
  web(
    "fit like MNIST is on by default: a drawing reaches the models fitted, and switching it off sends it raw",
    async () => {
      assert.ok(await page.locator("#fit").isChecked());
      const raw = new Array(784).fill(0);
      for (let y = 2; y < 9; y++) raw[y * 28 + 3] = 1; // a short bar in the top-left corner
      await page.evaluate((px) => window.augsal.setInput(px), raw);
      const fitted = await settled(page);
      assert.equal(fitted.input, Array.from(fitLikeMnist(Float32Array.from(raw), 28, 28)));
      assert.match((await page.locator("#source").textContent()) ?? "", /fitted like MNIST/);
      await page.locator("#fit").uncheck({ force: true });
      const plain = await settled(page);
      assert.equal(plain.input, raw);
      await page.locator("#fit").check({ force: true });
    },
  );

  web("the method selector offers the run's live methods; a test image's maps equal Node's for each", async () => {
    const options = await page
      .locator("#method option")
      .evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value));
    assert.equal(options, ["vanilla", "inputxgrad", "smoothgrad", "smoothgrad2", "vargrad", "ig", "gradcam"]);
    await page.locator(".queries button").nth(3).click();
    // The noisy methods draw their noise from the run's seed and the test image's index, as the study does.
    const queryIndex = (JSON.parse(readFileSync(join(run.dir, "queries.json"), "utf8")) as { index: number }[])[3]
      .index;
    for (const method of ["inputxgrad", "smoothgrad", "gradcam"] as MethodName[]) {
      await page.selectOption("#method", method);
      const last = await settled(page);
      assert.is(last.method, method);
      const image = run.images.subarray(3 * 784, 4 * 784);
      const node = [...run.params].map(([set, params]) => {
        const mark = core.arena.mark();
        const m = new Model(core, PRESETS.tutorial, 1);
        m.setParams(params);
        const s = attributeWith(method, m, image, [run.labels[3]], {
          target: "label",
          score: run.config.score,
          seed: run.config.seed,
          ids: [queryIndex],
        });
        core.arena.reset(mark);
        return { set, mapSha256: sha256F32(s.abs) };
      });
      assert.equal(
        last.results.map((r) => r.mapSha256),
        node.map((r) => r.mapSha256),
        `${method}: the page's maps are Node's`,
      );
    }
    await page.selectOption("#method", "vanilla");
  });

  web("the per-map scale repaints each map on its own scale, and back", async () => {
    const pixel = () =>
      page.evaluate(() =>
        Array.from(
          (document.querySelectorAll(".model .map")[1] as HTMLCanvasElement)
            .getContext("2d")!
            .getImageData(0, 0, 28, 28).data,
        ),
      );
    // The page computes asynchronously: take the shared-scale pixels once no computation is in flight.
    await settled(page);
    const shared = await pixel();
    await page.locator("#permap").check({ force: true });
    assert.is((await settled(page)).scale, "shared", "the state is from the last computation");
    const perMap = await pixel();
    assert.not.equal(shared, perMap);
    assert.match((await page.locator("#scale-caption").textContent()) ?? "", /own scale/);
    await page.locator("#permap").uncheck({ force: true });
    assert.equal(await pixel(), shared);
  });

  // Threads (issue 15): the page served cross-origin isolated runs its models on N threads in Web Workers
  // over one shared memory; ?threads=1, or a page that is not isolated, runs them on its own thread.
  // Every live method's maps, predictions and probabilities for three test images and a drawing are the
  // same bytes on 1, 2 and 3 threads, on the page that is not isolated, and in Node.
  /** Open the page at `url` in a new tab and wait until it has computed its first image. */
  async function openPage(url: string): Promise<import("playwright-core").Page> {
    const p = await context.newPage();
    p.on("console", (m) => m.type() === "error" && problems.push(`console (${url}): ${m.text()}`));
    p.on("pageerror", (e) => problems.push(`page error (${url}): ${e.message}`));
    await p.goto(url);
    await p.waitForFunction(() => window.augsal && (window.augsal.ready || window.augsal.error), null, {
      timeout: 60_000,
    });
    const error = await p.evaluate(() => window.augsal.error);
    if (error) throw new Error(`${url}: the page failed to start: ${error}`);
    return p;
  }

  const LIVE: MethodName[] = ["vanilla", "inputxgrad", "smoothgrad", "smoothgrad2", "vargrad", "ig", "gradcam"];
  const QUERIES = [0, 4, 7];
  /** A drawn "1" (a vertical bar), fitted like MNIST by the page before the models see it. */
  const DRAWING = Array.from({ length: 784 }, (_, i) =>
    i % 28 >= 13 && i % 28 <= 14 && i >= 5 * 28 && i < 23 * 28 ? 1 : 0,
  );

  /** Every live method's results for the test images QUERIES and DRAWING, as the page at `p` computes them. */
  function everyMap(p: import("playwright-core").Page) {
    return p.evaluate(
      async ({ methods, queries, drawing }) => {
        const h = window.augsal;
        const select = document.getElementById("method") as HTMLSelectElement;
        const out: { what: string; input: number[]; results: PageState["results"] }[] = [];
        for (const m of methods) {
          select.value = m;
          select.dispatchEvent(new Event("change"));
          await h.idle();
          for (const q of queries) {
            await h.showQuery(q);
            out.push({ what: `${m}, test image ${q}`, input: h.last!.input, results: h.last!.results });
          }
          await h.setInput(drawing);
          out.push({ what: `${m}, drawing`, input: h.last!.input, results: h.last!.results });
        }
        select.value = "vanilla";
        select.dispatchEvent(new Event("change"));
        await h.idle();
        return {
          threads: h.threads,
          mode: document.getElementById("mode")!.textContent ?? "",
          isolated: crossOriginIsolated,
          maps: out,
          stats: await h.engineStats(),
        };
      },
      { methods: LIVE, queries: QUERIES, drawing: DRAWING },
    );
  }

  web(
    "1, 2 and 3 threads, and a page that is not isolated: every live method's maps are the same bytes, and Node's",
    async () => {
      const plain = await serveRun(run.dir, { port: 0, isolation: false });
      const pages: import("playwright-core").Page[] = [];
      try {
        const runs: Record<string, Awaited<ReturnType<typeof everyMap>>> = {};
        for (const [what, url] of [
          ["1 thread", `${server.url}?threads=1`],
          ["2 threads", `${server.url}?threads=2`],
          ["3 threads", `${server.url}?threads=3`],
          ["not isolated", `${plain.url}?threads=2`],
        ]) {
          const p = await openPage(url);
          pages.push(p);
          runs[what] = await everyMap(p);
        }
        assert.equal(
          Object.values(runs).map((r) => [r.isolated, r.threads]),
          [
            [true, 1],
            [true, 2],
            [true, 3],
            [false, 1],
          ],
          "isolation and threads of each page",
        );
        assert.match(runs["2 threads"].mode, /^2 threads \(\?threads=2; Web Workers on one shared memory\)$/);
        assert.match(runs["1 thread"].mode, /^1 thread \(\?threads=1\)$/);
        assert.match(runs["not isolated"].mode, /^1 thread \(the page is not cross-origin isolated\)$/);
        for (const what of ["2 threads", "3 threads"]) {
          const { tasks, callerTasks } = runs[what].stats;
          // the batched methods' runs were shared out as several tasks (how many the helpers claimed
          // depends on the machine's timing, never a value: printed, not asserted)
          assert.ok(tasks > 100, `${what}: ${tasks} tasks ran through the thread group`);
          console.log(`\n  web: ${what}: the helper threads ran ${tasks - callerTasks} of ${tasks} tasks`);
        }
        const ref = runs["1 thread"].maps;
        assert.is(ref.length, LIVE.length * (QUERIES.length + 1));
        for (const [what, r] of Object.entries(runs))
          r.maps.forEach((m, k) =>
            assert.equal(m, ref[k], `${what} = 1 thread: ${m.what} (predictions, probabilities, map hashes)`),
          );
        // Node, on its own (single-thread) core with capacity-1 models, image by image
        const ids = (JSON.parse(readFileSync(join(run.dir, "queries.json"), "utf8")) as { index: number }[]).map(
          (q) => q.index,
        );
        let k = 0;
        for (const method of LIVE) {
          for (const input of [...QUERIES, -1]) {
            const entry = ref[k++];
            const image =
              input >= 0 ? run.images.subarray(input * 784, (input + 1) * 784) : Float32Array.from(entry.input);
            assert.equal(Array.from(image), entry.input, `${entry.what}: the input`);
            const node = [...run.params].map(([set, params]) => {
              const mark = core.arena.mark();
              const m = new Model(core, PRESETS.tutorial, 1);
              m.setParams(params);
              const s = attributeWith(method, m, image, [input >= 0 ? run.labels[input] : 0], {
                target: input >= 0 ? "label" : "predicted",
                score: run.config.score,
                seed: run.config.seed,
                ids: [input >= 0 ? ids[input] : 0],
              });
              core.arena.reset(mark);
              return { set, target: s.target[0], predicted: s.predicted[0], mapSha256: sha256F32(s.abs) };
            });
            assert.equal(
              entry.results.map((r) => ({
                set: r.set,
                target: r.target,
                predicted: r.predicted,
                mapSha256: r.mapSha256,
              })),
              node,
              `${entry.what}: the pages' maps are Node's`,
            );
          }
        }
        // The portable check (training steps, whose weight gradients the threads share out, and three
        // kinds of maps) on the threaded module in the 2-thread page's workers: Node's hashes.
        const inWorkers = await pages[1].evaluate(() => window.augsal.enginePortable());
        assert.equal(inWorkers, runPortableCheck(core));
        assert.equal(problems, []);
      } finally {
        for (const p of pages) await p.close();
        await plain.close();
      }
    },
  );

  web("at 390 px the page does not overflow sideways", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const m = await page.evaluate(() => ({ sw: document.scrollingElement!.scrollWidth, iw: window.innerWidth }));
    assert.ok(m.sw <= m.iw, `page ${m.sw} px wide in a ${m.iw} px window`);
    await page.setViewportSize({ width: 1280, height: 900 });
    assert.equal(problems, []);
    assert.equal(foreign, []);
  });
}

web.run();
