// `deno run --allow-read dist/portable-main.js WASM`, `bun dist/portable-main.js WASM` or
// `node dist/portable-main.js WASM`: runs the portable check on the wasm file and prints one JSON line
// with the runtime's name and version and the hashes. Each runtime reads the file with its own API
// (Deno.readFile, Bun.file, node:fs), so nothing Node-specific is needed under Deno or Bun.
// `... WASM MT_WASM THREADS` (Deno and Bun) also runs the check on the threaded module with THREADS
// threads as Web Workers (src/web/threads.ts, as the browser page does) and adds its hashes as `threaded`
// (with how many tasks the helper threads ran).
import { portableCheck, runPortableCheck } from "./portable.js";
import { startThreadedCore } from "./web/threads.js";

declare const Deno:
  { readFile(path: string): Promise<Uint8Array>; args: string[]; version: { deno: string } } | undefined;
declare const Bun: { file(path: string): { arrayBuffer(): Promise<ArrayBuffer> }; version: string } | undefined;

async function main(): Promise<void> {
  let runtime: string;
  let args: string[];
  let read: (path: string) => Promise<Uint8Array>;
  if (typeof Deno !== "undefined") {
    runtime = `deno ${Deno.version.deno}`;
    args = Deno.args;
    read = (p) => Deno.readFile(p);
  } else if (typeof Bun !== "undefined") {
    runtime = `bun ${Bun.version}`;
    args = process.argv.slice(2);
    read = async (p) => new Uint8Array(await Bun.file(p).arrayBuffer());
  } else {
    runtime = `node ${process.versions.node}`;
    args = process.argv.slice(2);
    const fs = await import("node:fs/promises");
    read = async (p) => new Uint8Array(await fs.readFile(p));
  }
  if (args.length !== 1 && args.length !== 3) throw new Error("usage: portable-main WASM_FILE [MT_WASM_FILE THREADS]");
  const t0 = performance.now();
  const result = await portableCheck(await read(args[0]));
  const ms = +(performance.now() - t0).toFixed(1);
  let threaded = {};
  if (args.length === 3) {
    if (typeof Worker === "undefined") throw new Error(`${runtime}: no Web Workers (Node uses src/node/threads.ts)`);
    const module = await WebAssembly.compile((await read(args[1])) as Uint8Array<ArrayBuffer>);
    const core = await startThreadedCore(module, Number(args[2]), { initial: 16, maximum: 16384 });
    try {
      const r = runPortableCheck(core);
      const { tasks, callerTasks } = core.parallel.stats;
      threaded = { threaded: { threads: core.parallel.threads, tasks, helperTasks: tasks - callerTasks, ...r } };
    } finally {
      core.parallel.close();
    }
  }
  console.log(JSON.stringify({ runtime, ms, ...result, ...threaded }));
}

await main();
