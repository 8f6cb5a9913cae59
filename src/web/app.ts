// The browser page (web/index.html): draw a digit or pick a test image, and see each of the run's six
// models' prediction, probabilities and saliency map, recomputed live by the wasm core in this tab.
// Everything comes from the local `augsal serve` (see src/cli/serve.ts); no other host is contacted.
// Where the page is cross-origin isolated (serve sends COOP and COEP), the models run on N threads in
// Web Workers over one shared wasm memory (./live.ts); elsewhere, or with ?threads=1, on this thread.
// The maps are the same bytes either way.
// The page exposes `window.augsal` for the browser test (test/e2e/web.test.ts) and for the curious.
import { instantiateCore } from "../core/load.js";
import { sha256F32 } from "../core/sha256.js";
import { portableCheck, type PortableResult } from "../portable.js";
import { decodeCheckpoint } from "../nn/checkpoint.js";
import type { RunInfo } from "./run-info.js";
import { liveMethods, sharedMax, type Prediction } from "./engine.js";
import {
  chooseThreads,
  LocalEngine,
  WorkerEngine,
  type LiveEngine,
  type ThreadChoice,
  type ThreadStats,
} from "./live.js";
import { METHOD_LABELS, type MethodName } from "../explain/methods.js";
import { captumThreshold } from "../colormap.js";
import { setLabel } from "../sets.js";
import { fitLikeMnist, greyRGBA, heatRGBA, overlayRGBA, strokeSegment, VIRIDIS } from "./paint.js";

const W = 28;
const H = 28;
const SIZE = W * H;

/** What the last computation showed (read by the browser test). */
export interface PageState {
  source: string;
  /** The attribution method of the maps, and their colour scale. */
  method: string;
  scale: "shared" | "per-map";
  label: number | null;
  /** Milliseconds the models took (where they ran: in the engine worker on the threaded page). */
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
  /** Threads the models run on (1: this page's main thread) and the status line's words for it. */
  threads: number;
  mode: string;
  /** Resolves once the input has been computed (the threaded page computes in a worker). */
  showQuery(i: number): Promise<void>;
  /** A drawing (fitted like MNIST first when "fit like MNIST" is on, as the pad does). */
  setInput(pixels: ArrayLike<number>): Promise<void>;
  /** Resolves when no computation is pending (after a click, a switch, a stroke). */
  idle(): Promise<void>;
  /** The portable check on the single-thread core, in this thread (with the wasm bytes' hash). */
  portable(): Promise<PortableResult>;
  /** The portable check on the engine's own core: the threaded module on its threads when threaded. */
  enginePortable(): Promise<PortableResult>;
  /** Tasks the engine's threads ran (tasks, and those the coordinating thread ran); zeros on one thread. */
  engineStats(): Promise<ThreadStats>;
}

declare global {
  interface Window {
    augsal: PageHook;
  }
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

async function fetchBytes(url: string): Promise<Uint8Array<ArrayBuffer>> {
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

/** What the page computes with: the run, its wasm core, the engine with its trained models (on this
 *  thread or on N threads in workers) and the query images. */
interface Loaded {
  info: RunInfo;
  wasm: Uint8Array;
  engine: LiveEngine;
  /** Threads asked for and why; `engine.threads` is what runs (1 after a failed threaded start). */
  choice: ThreadChoice;
  /** The status line: how many threads, and why. */
  mode: string;
  /** The run's query images, (queries, 28, 28) f32. */
  queries: Float32Array;
}

async function fetchRunInfo(): Promise<RunInfo> {
  return (await (await fetch("/api/run.json")).json()) as RunInfo;
}

/** The engine, the trained models (only 1x28x28 inputs: the page draws MNIST-sized digits) and the
 *  queries. Threads when the page may have them (./live.ts chooseThreads); if the threaded engine fails
 *  to start, the single-thread one, and the status line says why. */
async function loadRun(info: RunInfo): Promise<Loaded> {
  const wasm = await fetchBytes("/augsal.wasm");
  const available = info.models.filter((m) => m.url);
  const files = await Promise.all(
    available.map(async (m) => ({ set: m.set, id: m.id, bytes: await fetchBytes(m.url!) })),
  );
  for (const f of files) {
    const [c, h, w] = decodeCheckpoint(f.bytes, `${f.id}.bin`).spec.input;
    if (c !== 1 || h !== H || w !== W)
      throw new Error(`${f.id}: the page draws 1x${H}x${W} digits, this model takes ${c}x${h}x${w} inputs`);
  }
  const choice = chooseThreads(
    location.search,
    globalThis.crossOriginIsolated === true,
    typeof SharedArrayBuffer === "function",
    navigator.hardwareConcurrency,
  );
  let engine: LiveEngine | null = null;
  let mode = `1 thread (${choice.why})`;
  if (choice.threads > 1) {
    try {
      const module = await WebAssembly.compile(await fetchBytes("/augsal-mt.wasm"));
      engine = await WorkerEngine.start(module, files, choice.threads);
      mode = `${choice.threads} threads (${choice.why}; Web Workers on one shared memory)`;
    } catch (e) {
      console.warn("augsal: the threaded engine did not start, running on one thread:", e);
      mode = `1 thread (the threaded engine failed: ${(e as Error).message})`;
    }
  }
  engine ??= new LocalEngine(await instantiateCore(wasm), files);
  let queries = new Float32Array(0);
  if (info.queries.length) queries = new Float32Array((await fetchBytes("/api/queries.f32")).slice().buffer);
  return { info, wasm, engine, choice, mode, queries };
}

/** The header: the run's chips, the report link, and a warning if the run used another wasm core. */
function showRunHeader(info: RunInfo, showError: (msg: string) => void): void {
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
    showError(
      "This run was trained with another build of the wasm core: predictions are still valid, but bit-level comparisons with the run's files may differ.",
    );
  }
}

/** One card per model of the run (a missing model's card says so), keyed by set. */
function showCards(info: RunInfo): Map<string, Card> {
  const cards = new Map<string, Card>();
  const grid = $("models");
  for (const m of info.models) {
    const card = makeCard(m.set, m.id, !!m.url);
    cards.set(m.set, card);
    grid.append(card.root);
  }
  return cards;
}

function paintColorBar(): void {
  const bar = $<HTMLCanvasElement>("colorbar");
  const bctx = bar.getContext("2d")!;
  const bimg = bctx.createImageData(256, 1);
  for (let i = 0; i < 256; i++) bimg.data.set([VIRIDIS[i * 3], VIRIDIS[i * 3 + 1], VIRIDIS[i * 3 + 2], 255], i * 4);
  bctx.putImageData(bimg, 0, 0);
}

/**
 * The live part of the page: the 28x28 float input (drawn at 28x28 and shown enlarged, pixelated),
 * where it came from, and the last predictions; compute() runs every model on the input and paints.
 */
class Page {
  image: Float32Array = new Float32Array(SIZE);
  label: number | null = null;
  source = "empty";
  private lastResults: Prediction[] = [];
  private lastVmax = 0;
  private pending = false;
  /** The computation under way (the threaded engine answers asynchronously), and whether the input
   *  changed meanwhile (then it computes once more, with the latest input). */
  private running: Promise<void> | null = null;
  private rerun = false;
  readonly pad = $<HTMLCanvasElement>("pad");
  private readonly pctx = this.pad.getContext("2d")!;
  private readonly pimg = this.pctx.createImageData(W, H);
  readonly overlay = $<HTMLInputElement>("overlay");
  readonly fit = $<HTMLInputElement>("fit");
  readonly method = $<HTMLSelectElement>("method");
  readonly perMap = $<HTMLInputElement>("permap");
  /** What the models saw last (the drawing fitted like MNIST, or the test image). */
  private modelInput: Float32Array = new Float32Array(SIZE);

  constructor(
    private readonly hook: PageHook,
    private readonly run: Loaded,
    private readonly cards: Map<string, Card>,
  ) {}

  paintPad(): void {
    greyRGBA(this.image, this.pimg.data);
    this.pctx.putImageData(this.pimg, 0, 0);
    $("pad-hint").hidden = this.source !== "empty";
  }

  paintMaps(): void {
    for (const r of this.lastResults) {
      const card = this.cards.get(r.set)!;
      const ctx = card.map.getContext("2d")!;
      const img = ctx.createImageData(W, H);
      // Per map: Captum's convention (each map up to its 2% outlier threshold); shared: one scale for all.
      const vmax = this.perMap.checked ? captumThreshold(r.map, 2) : this.lastVmax;
      if (this.overlay.checked) overlayRGBA(r.map, this.modelInput, vmax, img.data);
      else heatRGBA(r.map, vmax, img.data);
      ctx.putImageData(img, 0, 0);
    }
  }

  /** An empty input: no predictions, blank cards. */
  private showEmpty(): void {
    this.source = "empty";
    this.lastResults = [];
    this.paintPad();
    for (const card of this.cards.values()) {
      card.digit.textContent = "–";
      card.conf.textContent = "";
      card.root.classList.remove("has");
      card.map.getContext("2d")!.clearRect(0, 0, W, H);
      for (const b of card.bars) (b.firstChild as HTMLElement).style.height = "0";
    }
    $("vmax").textContent = "–";
    $("source").textContent = "";
    this.hook.last = {
      source: this.source,
      method: this.method.value,
      scale: this.perMap.checked ? "per-map" : "shared",
      label: null,
      ms: 0,
      vmax: 0,
      input: Array.from(this.image),
      results: [],
    };
  }

  /** Compute the current input; resolves once it (and any newer input) is shown. */
  compute(): Promise<void> {
    if (this.running) {
      this.rerun = true;
      return this.running;
    }
    const loop = async () => {
      try {
        do {
          this.rerun = false;
          await this.computeOnce();
        } while (this.rerun);
      } catch (e) {
        this.hook.error = `augsal: ${(e as Error).message}`;
        const box = $("error");
        box.textContent = this.hook.error;
        box.hidden = false;
        console.error(e);
      } finally {
        this.running = null;
      }
    };
    this.running = loop();
    return this.running;
  }

  /** Resolves when no computation is pending. */
  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private async computeOnce(): Promise<void> {
    if (!this.image.some((v) => v > 0)) return this.showEmpty();
    const { info, engine } = this.run;
    const c = info.config;
    const label = this.label;
    const useLabel = label !== null && c.target === "label";
    // A drawing is fitted like MNIST (20x20 box, centred mass) before the models see it, unless switched off.
    const input = this.source === "drawing" && this.fit.checked ? fitLikeMnist(this.image, W, H) : this.image;
    this.modelInput = input;
    const method = this.method.value as MethodName;
    const query = this.source.startsWith("query:") ? info.queries[Number(this.source.split(":")[1])] : null;
    const source = this.source;
    const { results, ms } = await engine.predict(input, useLabel ? label! : 0, {
      target: useLabel ? "label" : "predicted",
      score: c.score,
      method,
      seed: c.seed,
      id: query ? query.index : 0,
    });
    this.lastResults = results;
    this.lastVmax = sharedMax(results.map((r) => r.map));
    this.hook.runs++;
    this.paintPad();
    this.paintMaps();
    for (const r of results) {
      const card = this.cards.get(r.set)!;
      card.root.classList.add("has");
      card.digit.textContent = String(r.predicted);
      card.conf.textContent = `${(r.probs[r.predicted] * 100).toFixed(r.probs[r.predicted] > 0.995 ? 1 : 0)}%`;
      card.root.classList.toggle("wrong", label !== null && r.predicted !== label);
      card.target.textContent = useLabel
        ? `map explains the label ${r.target}`
        : `map explains the prediction ${r.target}`;
      r.probs.forEach((p, k) => {
        const b = card.bars[k];
        (b.firstChild as HTMLElement).style.height = `calc((100% - 14px) * ${Math.max(p, 0.01)})`;
        b.classList.toggle("best", k === r.predicted);
        b.title = `${k}: ${(p * 100).toFixed(2)}%`;
      });
    }
    this.paintScale();
    $("source").textContent =
      label !== null
        ? `test image #${info.queries[Number(source.split(":")[1])].index} · label ${label}`
        : `your drawing${this.fit.checked ? ", fitted like MNIST" : ""}`;
    const where = engine.threads > 1 ? `on ${engine.threads} threads` : "on one thread";
    $("timing").textContent =
      `${results.length} models · forward, softmax and saliency in ${ms.toFixed(1)} ms · wasm SIMD in this tab, ${where}`;
    this.hook.last = {
      source,
      method,
      scale: this.perMap.checked ? "per-map" : "shared",
      label,
      ms,
      vmax: this.lastVmax,
      input: Array.from(input),
      results: results.map((r) => ({
        set: r.set,
        id: r.id,
        target: r.target,
        predicted: r.predicted,
        probs: Array.from(r.probs),
        mapSha256: sha256F32(r.map),
      })),
    };
  }

  /** The colour bar's top label and caption for the chosen scale and method. */
  paintScale(): void {
    const label = METHOD_LABELS[this.method.value as MethodName] ?? this.method.value;
    $("vmax").textContent = this.perMap.checked
      ? "\u2265 threshold"
      : this.lastVmax
        ? this.lastVmax.toPrecision(3)
        : "\u2013";
    $("scale-caption").textContent = this.perMap.checked
      ? `|${label}|, each map on its own scale (Captum: the top 2% of its mass saturate)`
      : `|${label}|, one colour scale shared by the ${this.lastResults.length || "six"} maps`;
  }

  /** Live recomputation, at most once per frame. */
  schedule(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      void this.compute();
    });
  }

  /** The input becomes a drawing (a shown test image is dropped first). */
  toDrawing(): void {
    if (this.label !== null) {
      this.image = new Float32Array(SIZE);
      this.label = null;
    }
    this.source = "drawing";
    document.querySelectorAll(".queries button").forEach((q) => q.classList.remove("active"));
  }

  showQuery(i: number): Promise<void> {
    const { info, queries } = this.run;
    if (!(i >= 0 && i < info.queries.length))
      throw new RangeError(`no test image ${i} (the run has ${info.queries.length})`);
    this.image = queries.slice(i * SIZE, (i + 1) * SIZE);
    this.label = info.queries[i].label;
    this.source = `query:${i}`;
    $("queries")
      .querySelectorAll("button")
      .forEach((b, k) => b.classList.toggle("active", k === i));
    return this.compute();
  }

  setInput(pixels: ArrayLike<number>): Promise<void> {
    if (pixels.length !== SIZE) throw new RangeError(`setInput: ${pixels.length} values, expected ${SIZE}`);
    this.toDrawing();
    this.image = Float32Array.from(pixels);
    return this.compute();
  }
}

/** Drawing with the pointer: each move inks a segment (coalesced events too) and schedules a recompute. */
function bindPad(page: Page): void {
  const pad = page.pad;
  let last: [number, number] | null = null;
  const at = (e: PointerEvent): [number, number] => {
    const r = pad.getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * W, ((e.clientY - r.top) / r.height) * H];
  };
  pad.addEventListener("pointerdown", (e) => {
    e.preventDefault();
    pad.setPointerCapture(e.pointerId);
    page.toDrawing();
    last = at(e);
    strokeSegment(page.image, W, H, last[0], last[1], last[0], last[1]);
    page.paintPad();
    page.schedule();
  });
  pad.addEventListener("pointermove", (e) => {
    if (!last) return;
    const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [e];
    for (const ev of events.length ? events : [e]) {
      const p = at(ev);
      strokeSegment(page.image, W, H, last[0], last[1], p[0], p[1]);
      last = p;
    }
    page.paintPad();
    page.schedule();
  });
  const end = () => {
    last = null;
  };
  pad.addEventListener("pointerup", end);
  pad.addEventListener("pointercancel", end);
}

/** The method selector: the run's methods the page can run live. */
function showMethods(page: Page, info: RunInfo): void {
  for (const m of liveMethods(info.config.methods)) {
    const o = el("option", undefined, METHOD_LABELS[m]);
    o.value = m;
    page.method.append(o);
  }
  page.method.value = "vanilla";
}

/** Clear, fit-like-MNIST, the overlay and scale switches, the method. */
function bindButtons(page: Page): void {
  $("clear").addEventListener("click", () => {
    page.image = new Float32Array(SIZE);
    page.label = null;
    document.querySelectorAll(".queries button").forEach((q) => q.classList.remove("active"));
    void page.compute();
  });
  page.fit.addEventListener("change", () => {
    if (page.source === "drawing") void page.compute();
  });
  page.overlay.addEventListener("change", () => page.paintMaps());
  page.perMap.addEventListener("change", () => {
    page.paintMaps();
    page.paintScale();
  });
  page.method.addEventListener("change", () => void page.compute());
}

/** Thumbnails of the run's query images; a click shows one. */
function showQueryThumbnails(page: Page, { info, queries }: Loaded): void {
  const qbox = $("queries");
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
    b.addEventListener("click", () => void page.showQuery(i));
    qbox.append(b);
  });
  if (!info.queries.length) qbox.append(el("div", "sub", "none yet (the run has not reached its saliency stage)"));
}

/** The portable check's hashes in the footer: the same as Node, Deno and Bun give. */
async function showPortableCheck({ info, wasm }: Loaded): Promise<void> {
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
}

async function start(): Promise<void> {
  const hook: PageHook = {
    ready: false,
    error: null,
    info: null,
    runs: 0,
    last: null,
    threads: 0,
    mode: "",
    showQuery: () => Promise.reject(new Error("not ready")),
    setInput: () => Promise.reject(new Error("not ready")),
    idle: () => Promise.resolve(),
    portable: () => Promise.reject(new Error("not ready")),
    enginePortable: () => Promise.reject(new Error("not ready")),
    engineStats: () => Promise.reject(new Error("not ready")),
  };
  window.augsal = hook;
  const showError = (msg: string) => {
    hook.error = msg;
    const box = $("error");
    box.textContent = msg;
    box.hidden = false;
  };

  try {
    const info = await fetchRunInfo();
    hook.info = info;
    const run = await loadRun(info);
    showRunHeader(info, showError);
    const cards = showCards(info);
    paintColorBar();
    const page = new Page(hook, run, cards);
    bindPad(page);
    showMethods(page, info);
    bindButtons(page);
    showQueryThumbnails(page, run);
    hook.showQuery = (i) => page.showQuery(i);
    hook.setInput = (pixels) => page.setInput(pixels);
    hook.idle = () => page.idle();
    hook.portable = () => portableCheck(run.wasm);
    hook.enginePortable = () => run.engine.portable();
    hook.engineStats = () => run.engine.stats();
    hook.threads = run.engine.threads;
    hook.mode = run.mode;
    $("mode").textContent = run.mode;
    $("mode").dataset.threads = String(run.engine.threads);

    if (info.queries.length) await page.showQuery(0);
    else await page.compute();
    // The portable check, once, after the first paint.
    setTimeout(() => void showPortableCheck(run), 50);
    hook.ready = true;
  } catch (e) {
    showError(`augsal: ${(e as Error).message}`);
    console.error(e);
  }
}

start();
