// One helper thread of the page's threaded engine (./engine-worker.ts starts threads - 1 of them): a Web
// Worker that instantiates the threaded module over the engine's shared memory and runs
// src/core/thread-group.ts's helper loop as thread `part` (the same loop as Node's worker threads). It
// answers one message, "ready", then blocks in Atomics.wait between runs for good: it is ended with
// terminate() when the page goes.
import type { CoreExports } from "../core/abi.js";
import { helperLoop } from "../core/thread-group.js";

interface Start {
  /** The compiled module (or its bytes, for a runtime that cannot post a module to a worker). */
  module: WebAssembly.Module | Uint8Array<ArrayBuffer>;
  memory: WebAssembly.Memory;
  ctl: number;
  part: number;
}

const scope = self as unknown as { postMessage(m: unknown): void; onmessage: ((e: MessageEvent) => void) | null };

scope.onmessage = (e: MessageEvent) => {
  const { module, memory, ctl, part } = e.data as Start;
  scope.onmessage = null;
  try {
    const compiled = module instanceof WebAssembly.Module ? module : new WebAssembly.Module(module);
    const instance = new WebAssembly.Instance(compiled, { env: { memory } });
    scope.postMessage({ type: "ready", part });
    helperLoop({
      exports: instance.exports as unknown as CoreExports,
      memory,
      ctl,
      part,
      onError: (err) => console.error(`augsal thread ${part}:`, err),
    });
  } catch (err) {
    scope.postMessage({ type: "error", part, message: (err as Error).message });
  }
};
