// `npm test`, `npm run test:unit`, `npm run test:e2e`: runs the uvu suite (compiled to build/ts/test),
// all of it or one group (runner.ts: unit, or e2e = test/e2e/), and ends with the plain closing line
// "N passed, N failed, N skipped" that CI reads; the exit code is uvu's.
//   node build/ts/test/run.js [--unit | --e2e] [PATTERN]     PATTERN: a regex of file names, e.g. 'stats/'
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { closingLine, parseArgs, parseSummary, uvuArgs } from "./runner.js";
import { packageDir } from "../src/node/packages.js";

// uvu's "exports" hides bin.js; find it next to its package.json.
const uvuBin = join(packageDir("uvu"), "bin.js");
const testDir = dirname(fileURLToPath(import.meta.url));
const { group, pattern } = parseArgs(process.argv.slice(2));
const args = uvuArgs(testDir, group, pattern);

const child = spawn(process.execPath, [uvuBin, ...args], { stdio: ["ignore", "pipe", "inherit"] });
let text = "";
child.stdout.on("data", (chunk: Buffer) => {
  process.stdout.write(chunk);
  text += chunk.toString();
});
child.on("close", (code) => {
  process.stdout.write(`\n${closingLine(parseSummary(text), code)}\n`);
  process.exitCode = code ?? 1;
});
