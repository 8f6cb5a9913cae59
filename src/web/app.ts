// The browser page (web/index.html): draw a digit or pick a test image, and see each of the run's six
// models' prediction, probabilities and saliency map, recomputed live by the wasm core in this tab.
// Everything comes from the local `augsal serve` (see src/cli/serve.ts); no other host is contacted.
// The page exposes `window.augsal` for the browser test (test/web.test.ts) and for the curious.
import { instantiateCore, type Core } from "../core/load.js";
import { sha256F32 } from "../core/sha256.js";
import { portableCheck, type PortableResult } from "../portable.js";
import type { RunInfo } from "./run-info.js";
import { loadModels, predictAll, sharedMax, type ModelEntry, type Prediction } from "./engine.js";
import { setLabel } from "../sets.js";
import { fitLikeMnist, greyRGBA, heatRGBA, overlayRGBA, strokeSegment, VIRIDIS } from "./paint.js";

const W = 28;
const H = 28;
const SIZE = W * H;

/** What the last computation showed (read by the browser test). */
export interface PageState {
  source: string;
  label: number | null;
  ms: number;
  vmax: number;
  input: number[];
  results: { set: string; id: string; target: number; predicted: number; probs: number[]; mapSha256: string }[];
}

interface PageHook {
  ready: boolean;
  error: string | null;
  info: RunInfo | null;
  /** How many times the models have run. */
  runs: number;
  last: PageState | null;
  showQuery(i: number): void;
  setInput(pixels: ArrayLike<number>): void;
  portable(): Promise<PortableResult>;
}

declare global {
  interface Window {
    augsal: PageHook;
  }
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

async function fetchBytes(url: string): Promise<Uint8Array> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** One model's card: header with the prediction, the map, the probability bars. */
interface Card {
  root: HTMLElement;
  digit: HTMLElement;
  conf: HTMLElement;
  target: HTMLElement;
  map: HTMLCanvasElement;
  bars: HTMLElement[];
}

function makeCard(set: string, id: string, available: boolean): Card {
  const root = el("article", "card model");
  root.dataset.set = set;
  const head = el("header");
  const name = el("div", "name");
  name.append(el("h3", undefined, setLabel(set)), el("span", "id", id));
  const pred = el("div", "pred");
  const digit = el("span", "digit", "–");
  const conf = el("span", "conf", "");
  pred.append(digit, conf);
  head.append(name, pred);
  const map = el("canvas", "map");
  map.width = W;
  map.height = H;
  const target = el("div", "target", available ? "" : "not trained yet");
  const chart = el("div", "bars");
  const bars: HTMLElement[] = [];
  for (let c = 0; c < 10; c++) {
    const col = el("div", "bar");
    const fill = el("i");
    col.append(fill, el("span", undefined, String(c)));
    chart.append(col);
    bars.push(col);
  }
  root.append(head, map, target, chart);
  if (!available) root.classList.add("missing");
  return { root, digit, conf, target, map, bars };
}

async function start(): Promise<void> {
  const hook: PageHook = {
    ready: false,
    error: null,
    info: null,
    runs: 0,
    last: null,
    showQuery: () => {},
    setInput: () => {},
    portable: () => Promise.reject(new Error("not ready")),
  };
  window.augsal = hook;
  const showError = (msg: string) => {
    hook.error = msg;
    const box = $("error");
    box.textContent = msg;
    box.hidden = false;
  };

  try {
    const info = (await (await fetch("/api/run.json")).json()) as RunInfo;
    hook.info = info;
    const wasm = await fetchBytes("/augsal.wasm");
    const core: Core = await instantiateCore(wasm);
    const available = info.models.filter((m) => m.url);
    const files = await Promise.all(available.map(async (m) => ({ set: m.set, id: m.id, bytes: await fetchBytes(m.url!) })));
    const models: ModelEntry[] = loadModels(core, files);
    for (const m of models) {
      const [c, h, w] = m.model.spec.input;
      if (c !== 1 || h !== H || w !== W) throw new Error(`${m.id}: the page draws 1x${H}x${W} digits, this model takes ${c}x${h}x${w} inputs`);
    }
    let queries = new Float32Array(0);
    if (info.queries.length) queries = new Float32Array((await fetchBytes("/api/queries.f32")).slice().buffer);

    // Header: the run.
    const c = info.config;
    const run = $("run");
    run.append(
      el("span", "chip", `${c.data} · ${c.arch}`),
      el("span", "chip", `seed ${c.seed}`),
      el("span", "chip", `${c.epochs} epochs · ${c.optimizer.kind}`),
      el("span", "chip", `score ${c.score}`),
    );
    if (info.hasReport) {
      const a = el("a", "chip link", "report ↗");
      a.href = "/run/report.html";
      a.target = "_blank";
      a.rel = "noopener";
      run.append(a);
    }
    if (info.runWasmSha256 && info.runWasmSha256 !== info.wasmSha256) {
      showError("This run was trained with another build of the wasm core: predictions are still valid, but bit-level comparisons with the run's files may differ.");
    }

    // Model cards.
    const cards = new Map<string, Card>();
    const grid = $("models");
    for (const m of info.models) {
      const card = makeCard(m.set, m.id, !!m.url);
      cards.set(m.set, card);
      grid.append(card.root);
    }

    // Colour bar.
    const bar = $<HTMLCanvasElement>("colorbar");
    const bctx = bar.getContext("2d")!;
    const bimg = bctx.createImageData(256, 1);
    for (let i = 0; i < 256; i++) bimg.data.set([VIRIDIS[i * 3], VIRIDIS[i * 3 + 1], VIRIDIS[i * 3 + 2], 255], i * 4);
    bctx.putImageData(bimg, 0, 0);

    // The drawing pad: a 28x28 float image, drawn at 28x28 and shown enlarged (pixelated).
    const pad = $<HTMLCanvasElement>("pad");
    const pctx = pad.getContext("2d")!;
    const pimg = pctx.createImageData(W, H);
    let image: Float32Array = new Float32Array(SIZE);
    let label: number | null = null;
    let source = "empty";
    const overlay = $<HTMLInputElement>("overlay");

    const paintPad = () => {
      greyRGBA(image, pimg.data);
      pctx.putImageData(pimg, 0, 0);
      $("pad-hint").hidden = source !== "empty";
    };

    let lastResults: Prediction[] = [];
    let lastVmax = 0;
    const paintMaps = () => {
      for (const r of lastResults) {
        const card = cards.get(r.set)!;
        const ctx = card.map.getContext("2d")!;
        const img = ctx.createImageData(W, H);
        if (overlay.checked) overlayRGBA(r.map, image, lastVmax, img.data);
        else heatRGBA(r.map, lastVmax, img.data);
        ctx.putImageData(img, 0, 0);
      }
    };

    const compute = () => {
      const empty = !image.some((v) => v > 0);
      if (empty) {
        source = "empty";
        lastResults = [];
        paintPad();
        for (const card of cards.values()) {
          card.digit.textContent = "–";
          card.conf.textContent = "";
          card.root.classList.remove("has");
          card.map.getContext("2d")!.clearRect(0, 0, W, H);
          for (const b of card.bars) (b.firstChild as HTMLElement).style.height = "0";
        }
        $("vmax").textContent = "–";
        $("source").textContent = "";
        hook.last = { source, label: null, ms: 0, vmax: 0, input: Array.from(image), results: [] };
        return;
      }
      const useLabel = label !== null && c.target === "label";
      const t0 = performance.now();
      const results = predictAll(models, image, useLabel ? label! : 0, { target: useLabel ? "label" : "predicted", score: c.score });
      const ms = performance.now() - t0;
      lastResults = results;
      lastVmax = sharedMax(results.map((r) => r.map));
      hook.runs++;
      paintPad();
      paintMaps();
      for (const r of results) {
        const card = cards.get(r.set)!;
        card.root.classList.add("has");
        card.digit.textContent = String(r.predicted);
        card.conf.textContent = `${(r.probs[r.predicted] * 100).toFixed(r.probs[r.predicted] > 0.995 ? 1 : 0)}%`;
        card.root.classList.toggle("wrong", label !== null && r.predicted !== label);
        card.target.textContent = useLabel ? `map explains the label ${r.target}` : `map explains the prediction ${r.target}`;
        r.probs.forEach((p, k) => {
          const b = card.bars[k];
          (b.firstChild as HTMLElement).style.height = `calc((100% - 14px) * ${Math.max(p, 0.01)})`;
          b.classList.toggle("best", k === r.predicted);
          b.title = `${k}: ${(p * 100).toFixed(2)}%`;
        });
      }
      $("vmax").textContent = lastVmax.toPrecision(3);
      $("source").textContent = label !== null ? `test image #${info.queries[Number(source.split(":")[1])].index} · label ${label}` : "your drawing";
      $("timing").textContent = `${results.length} models · forward, softmax and saliency in ${ms.toFixed(1)} ms · wasm SIMD in this tab`;
      hook.last = {
        source,
        label,
        ms,
        vmax: lastVmax,
        input: Array.from(image),
        results: results.map((r) => ({ set: r.set, id: r.id, target: r.target, predicted: r.predicted, probs: Array.from(r.probs), mapSha256: sha256F32(r.map) })),
      };
    };

    // Live recomputation, at most once per frame.
    let pending = false;
    const schedule = () => {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        compute();
      });
    };

    const toDrawing = () => {
      if (label !== null) {
        image = new Float32Array(SIZE);
        label = null;
      }
      source = "drawing";
      document.querySelectorAll(".queries button").forEach((q) => q.classList.remove("active"));
    };

    let last: [number, number] | null = null;
    const at = (e: PointerEvent): [number, number] => {
      const r = pad.getBoundingClientRect();
      return [((e.clientX - r.left) / r.width) * W, ((e.clientY - r.top) / r.height) * H];
    };
    pad.addEventListener("pointerdown", (e) => {
      e.preventDefault();
      pad.setPointerCapture(e.pointerId);
      toDrawing();
      last = at(e);
      strokeSegment(image, W, H, last[0], last[1], last[0], last[1]);
      paintPad();
      schedule();
    });
    pad.addEventListener("pointermove", (e) => {
      if (!last) return;
      const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [e];
      for (const ev of events.length ? events : [e]) {
        const p = at(ev);
        strokeSegment(image, W, H, last[0], last[1], p[0], p[1]);
        last = p;
      }
      paintPad();
      schedule();
    });
    const end = () => {
      last = null;
    };
    pad.addEventListener("pointerup", end);
    pad.addEventListener("pointercancel", end);

    $("clear").addEventListener("click", () => {
      image = new Float32Array(SIZE);
      label = null;
      document.querySelectorAll(".queries button").forEach((q) => q.classList.remove("active"));
      compute();
    });
    $("fit").addEventListener("click", () => {
      if (!image.some((v) => v > 0)) return;
      toDrawing();
      image = fitLikeMnist(image, W, H);
      compute();
    });
    overlay.addEventListener("change", paintMaps);

    // Test images: thumbnails of the run's query images.
    const qbox = $("queries");
    const showQuery = (i: number) => {
      if (!(i >= 0 && i < info.queries.length)) throw new RangeError(`no test image ${i} (the run has ${info.queries.length})`);
      image = queries.slice(i * SIZE, (i + 1) * SIZE);
      label = info.queries[i].label;
      source = `query:${i}`;
      qbox.querySelectorAll("button").forEach((b, k) => b.classList.toggle("active", k === i));
      compute();
    };
    info.queries.forEach((q, i) => {
      const b = el("button");
      b.type = "button";
      b.title = `test image #${q.index}, label ${q.label}`;
      const cv = el("canvas");
      cv.width = W;
      cv.height = H;
      const ctx = cv.getContext("2d")!;
      const img = ctx.createImageData(W, H);
      greyRGBA(queries.subarray(i * SIZE, (i + 1) * SIZE), img.data);
      ctx.putImageData(img, 0, 0);
      b.append(cv);
      b.addEventListener("click", () => showQuery(i));
      qbox.append(b);
    });
    if (!info.queries.length) qbox.append(el("div", "sub", "none yet (the run has not reached its saliency stage)"));

    hook.showQuery = showQuery;
    hook.setInput = (pixels) => {
      if (pixels.length !== SIZE) throw new RangeError(`setInput: ${pixels.length} values, expected ${SIZE}`);
      toDrawing();
      image = Float32Array.from(pixels);
      compute();
    };
    hook.portable = () => portableCheck(wasm);

    if (info.queries.length) showQuery(0);
    else compute();

    // The portable check, once, after the first paint: the same hashes as Node, Deno and Bun.
    setTimeout(async () => {
      const p = await portableCheck(wasm);
      const box = $("portable");
      box.textContent = "";
      box.append(
        el("span", undefined, "portable check "),
        el("code", undefined, `weights ${p.weightsSha256.slice(0, 12)}…`),
        el("code", undefined, `map ${p.mapSha256.slice(0, 12)}…`),
        el("span", undefined, ` · core ${info.wasmSha256.slice(0, 12)}… · augsal ${info.augsal}`),
      );
      box.title = `weights sha256 ${p.weightsSha256}\nmap sha256 ${p.mapSha256}\n(compare: node dist/portable-main.js build/augsal.wasm)`;
    }, 50);
    hook.ready = true;
  } catch (e) {
    showError(`augsal: ${(e as Error).message}`);
    console.error(e);
  }
}

start();
