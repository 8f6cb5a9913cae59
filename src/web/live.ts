// How the page computes: on its own main thread with the single-thread core (LocalEngine), or, when the
// page is cross-origin isolated (src/cli/serve.ts sends COOP and COEP), with the threaded core on N
// threads in Web Workers (WorkerEngine: ./engine-worker.ts coordinates, ./thread-worker.ts helps).
// Both run ./engine.ts's predictAll on the same models: the maps and predictions are the same bytes.
import type { Core } from "../core/load.js";
import { runPortableCheck, type PortableResult } from "../portable.js";
import type { SaliencyOptions } from "../explain/saliency.js";
import type { MethodName } from "../explain/methods.js";
import { LIVE_CAPACITY, loadModels, predictAll, type ModelEntry, type Prediction } from "./engine.js";

/** The most threads the page uses (each is a Web Worker with its own instance of the core). */
export const MAX_PAGE_THREADS = 8;
/** How long the threaded engine may take to start its workers and load the models. */
const START_MS = 30_000;

export type PredictOptions = SaliencyOptions & { method?: MethodName; seed?: number; id?: number };
export interface WeightsFile {
  set: string;
  id: string;
  bytes: Uint8Array;
}

/** Messages to ./engine-worker.ts and its answers. */
export type EngineRequest =
  | { type: "init"; id: number; module: WebAssembly.Module; files: WeightsFile[]; threads: number; capacity: number }
  | { type: "predict"; id: number; image: Float32Array; label: number; options: PredictOptions }
  | { type: "portable"; id: number }
  | { type: "stats"; id: number };
export type EngineReply =
  | { type: "ready"; id: number; threads: number }
  | { type: "result"; id: number; results: Prediction[]; ms: number }
  | { type: "portable"; id: number; result: PortableResult }
  | { type: "stats"; id: number; stats: ThreadStats }
  | { type: "error"; id: number; message: string };

/** Tasks the threads ran so far, and how many of them the coordinating thread ran (the rest: helpers). */
export interface ThreadStats {
  tasks: number;
  callerTasks: number;
}

export interface LiveEngine {
  /** Threads the kernels run on (1: the page's main thread). */
  readonly threads: number;
  /** Every model's prediction, probabilities and map for one image (./engine.ts predictAll), and the
   *  milliseconds predictAll took where it ran (the messages to and from a worker not counted). */
  predict(image: Float32Array, label: number, options: PredictOptions): Promise<Computed>;
  /** The portable check on this engine's core (wasmSha256 left "": the caller knows the bytes). */
  portable(): Promise<PortableResult>;
  /** Tasks run on the threads (the single-thread engine has none to report: zeros). */
  stats(): Promise<ThreadStats>;
  close(): void;
}

export interface Computed {
  results: Prediction[];
  ms: number;
}

/** How many threads the page runs, and why. */
export interface ThreadChoice {
  threads: number;
  /** For the status line: why this many. */
  why: string;
}

/**
 * The page's thread count: `?threads=N` if given (1 forces the single-thread page), else
 * min(navigator.hardwareConcurrency, MAX_PAGE_THREADS); always 1 when the page is not cross-origin
 * isolated or has no SharedArrayBuffer (a shared wasm memory needs both).
 */
export function chooseThreads(search: string, isolated: boolean, hasShared: boolean, cores: number): ThreadChoice {
  const asked = new URLSearchParams(search).get("threads");
  let n = Math.max(1, Math.min(Math.floor(cores) || 1, MAX_PAGE_THREADS));
  let why = `${n === 1 ? "1 core" : `${n} cores`}`;
  if (asked !== null) {
    if (!/^[1-9]\d*$/.test(asked)) throw new RangeError(`?threads= must be a positive integer, got '${asked}'`);
    n = Math.min(Number(asked), MAX_PAGE_THREADS);
    why = `?threads=${asked}`;
  }
  if (n > 1 && !(isolated && hasShared))
    return { threads: 1, why: isolated ? "no SharedArrayBuffer" : "the page is not cross-origin isolated" };
  return { threads: n, why };
}

/** The single-thread page: the core and the models on the main thread. */
export class LocalEngine implements LiveEngine {
  readonly threads = 1;
  readonly models: ModelEntry[];

  constructor(
    private readonly core: Core,
    files: WeightsFile[],
  ) {
    this.models = loadModels(core, files, LIVE_CAPACITY);
  }

  predict(image: Float32Array, label: number, options: PredictOptions): Promise<Computed> {
    try {
      const t0 = performance.now();
      const results = predictAll(this.models, image, label, options);
      return Promise.resolve({ results, ms: performance.now() - t0 });
    } catch (e) {
      return Promise.reject(e);
    }
  }

  portable(): Promise<PortableResult> {
    return Promise.resolve(runPortableCheck(this.core));
  }

  stats(): Promise<ThreadStats> {
    return Promise.resolve({ tasks: 0, callerTasks: 0 });
  }

  close(): void {}
}

/** The threaded page: ./engine-worker.ts on the threaded module with `threads` threads. */
export class WorkerEngine implements LiveEngine {
  private next = 1;
  private readonly waiting = new Map<number, { ok: (r: EngineReply) => void; fail: (e: Error) => void }>();

  private constructor(
    private readonly worker: Worker,
    readonly threads: number,
  ) {}

  /** Start the engine worker (it starts its helpers) and load the models; rejects if any of it fails. */
  static async start(module: WebAssembly.Module, files: WeightsFile[], threads: number): Promise<WorkerEngine> {
    const worker = new Worker(new URL("./engine-worker.js", import.meta.url), { type: "module", name: "augsal" });
    const engine = new WorkerEngine(worker, threads);
    worker.onmessage = (e: MessageEvent) => engine.answer(e.data as EngineReply);
    worker.onerror = (e) => engine.failAll(new Error(`engine worker: ${e.message || "failed to start"}`));
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      // a helper that never starts would keep the page waiting: after START_MS it runs on one thread
      const late = new Promise<never>((_, fail) => {
        timer = setTimeout(() => fail(new Error(`no answer within ${START_MS / 1000} s`)), START_MS);
      });
      const init = engine.ask({ type: "init", id: 0, module, files, threads, capacity: LIVE_CAPACITY });
      init.catch(() => {}); // when `late` wins, close() rejects it: nobody waits for it then
      const r = await Promise.race([init, late]);
      if (r.type !== "ready" || r.threads !== threads) throw new Error(`engine worker: unexpected answer ${r.type}`);
    } catch (e) {
      engine.close();
      throw e;
    } finally {
      clearTimeout(timer);
    }
    return engine;
  }

  private answer(r: EngineReply): void {
    const w = this.waiting.get(r.id);
    if (!w) return;
    this.waiting.delete(r.id);
    if (r.type === "error") w.fail(new Error(r.message));
    else w.ok(r);
  }

  private failAll(e: Error): void {
    for (const w of this.waiting.values()) w.fail(e);
    this.waiting.clear();
  }

  private ask(req: EngineRequest): Promise<EngineReply> {
    const id = this.next++;
    return new Promise((ok, fail) => {
      this.waiting.set(id, { ok, fail });
      this.worker.postMessage({ ...req, id });
    });
  }

  async predict(image: Float32Array, label: number, options: PredictOptions): Promise<Computed> {
    const r = await this.ask({ type: "predict", id: 0, image, label, options });
    if (r.type !== "result") throw new Error(`engine worker: unexpected answer ${r.type}`);
    return { results: r.results, ms: r.ms };
  }

  async portable(): Promise<PortableResult> {
    const r = await this.ask({ type: "portable", id: 0 });
    if (r.type !== "portable") throw new Error(`engine worker: unexpected answer ${r.type}`);
    return r.result;
  }

  async stats(): Promise<ThreadStats> {
    const r = await this.ask({ type: "stats", id: 0 });
    if (r.type !== "stats") throw new Error(`engine worker: unexpected answer ${r.type}`);
    return r.stats;
  }

  close(): void {
    this.failAll(new Error("engine worker: closed"));
    this.worker.terminate();
  }
}
