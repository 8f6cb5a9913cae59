// `deno run --allow-read dist/portable-main.js WASM`, `bun dist/portable-main.js WASM` or
// `node dist/portable-main.js WASM`: runs the portable check on the wasm file and prints one JSON line
// with the runtime's name and version and the hashes. Each runtime reads the file with its own API
// (Deno.readFile, Bun.file, node:fs), so nothing Node-specific is needed under Deno or Bun.
import { portableCheck } from "./portable.js";

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
  if (args.length !== 1) throw new Error("usage: portable-main WASM_FILE");
  const t0 = performance.now();
  const result = await portableCheck(await read(args[0]));
  console.log(JSON.stringify({ runtime, ms: +(performance.now() - t0).toFixed(1), ...result }));
}

await main();
