// `npm test`: runs the uvu suite (compiled to build/ts/test) and ends with the plain closing line
// "N passed, N failed, N skipped" that CI reads; the exit code is uvu's.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
// uvu's "exports" hides bin.js; find it next to its package.json.
const uvuBin = join(dirname(require.resolve("uvu")), "..", "bin.js");
const testDir = dirname(fileURLToPath(import.meta.url));
const pattern = process.argv[2] ?? "\\.test\\.js$";

const child = spawn(process.execPath, [uvuBin, testDir, pattern], { stdio: ["ignore", "pipe", "inherit"] });
let text = "";
child.stdout.on("data", (chunk: Buffer) => {
  process.stdout.write(chunk);
  text += chunk.toString();
});
child.on("close", (code) => {
  // eslint-disable-next-line no-control-regex
  const plain = text.replace(/\x1b\[[0-9;]*m/g, "");
  const num = (label: string) => Number(plain.match(new RegExp(`${label}:\\s+(\\d+)`))?.[1] ?? NaN);
  const total = num("Total");
  const passed = num("Passed");
  const skipped = num("Skipped");
  if (Number.isFinite(total)) {
    process.stdout.write(`\n${passed} passed, ${total - passed - (skipped || 0)} failed, ${skipped || 0} skipped\n`);
  } else {
    process.stdout.write(`\n0 passed, 1 failed (the test runner ended without a summary, exit code ${code})\n`);
  }
  process.exitCode = code ?? 1;
});
