// test/runner.ts: the closing line's arithmetic on uvu's real report shapes, the arguments, and which
// files each group runs (through uvu's own file collector, on the compiled test tree).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "uvu/parse";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { closingLine, parseArgs, parseSummary, uvuArgs } from "./runner.js";

const testDir = dirname(fileURLToPath(import.meta.url));
const sum = suite("test/runner: summary and closing line");

// uvu's summary as it prints it (kleur colours forced on by uvu's --color default).
const report = (total: number, passed: number, skipped: number, color = true) => {
  const c = (code: number, s: string | number) => (color ? `\x1b[${code}m${s}\x1b[39m` : `${s}`);
  return `  Total:     ${total}\n${c(32, `  Passed:    ${passed}`)}\n  Skipped:   ${skipped ? c(33, skipped) : skipped}\n  Duration:  43870.31ms\n\n`;
};

sum("a clean run with one skipped test has no failures (uvu's Total already leaves skipped tests out)", () => {
  const s = parseSummary(report(314, 314, 1));
  assert.equal(s, { total: 314, passed: 314, skipped: 1 });
  assert.is(closingLine(s, 0), "314 passed, 0 failed, 1 skipped");
});

sum("failed = Total - Passed, skipped as reported, with or without colour codes", () => {
  assert.is(closingLine(parseSummary(report(20, 17, 2)), 1), "17 passed, 3 failed, 2 skipped");
  assert.is(closingLine(parseSummary(report(20, 17, 0, false)), 1), "17 passed, 3 failed, 0 skipped");
  assert.is(closingLine(parseSummary(report(0, 0, 0)), 0), "0 passed, 0 failed, 0 skipped");
});

sum("no summary (uvu crashed on an import) is a failure with the exit code", () => {
  assert.is(parseSummary("SyntaxError: Unexpected token\n    at file.js:1"), null);
  assert.is(
    closingLine(null, 1),
    "0 passed, 1 failed, 0 skipped (the test runner ended without a summary, exit code 1)",
  );
});

sum("a test's own output that mentions 'Total:' inline does not count", () => {
  const s = parseSummary(`log: Total: 99 things\n${report(5, 5, 0)}`);
  assert.equal(s, { total: 5, passed: 5, skipped: 0 });
});

sum.run();

const grp = suite("test/runner: groups");

grp("arguments: a group flag and a file pattern, in any order", () => {
  assert.equal(parseArgs([]), { group: "all", pattern: "\\.test\\.js$" });
  assert.equal(parseArgs(["stats/"]), { group: "all", pattern: "stats/" });
  assert.equal(parseArgs(["--unit"]), { group: "unit", pattern: "\\.test\\.js$" });
  assert.equal(parseArgs(["cli", "--e2e"]), { group: "e2e", pattern: "cli" });
  assert.throws(() => parseArgs(["--unit", "--e2e"]), /not both/);
  assert.throws(() => parseArgs(["--fast"]), /unknown flag --fast/);
});

/** The files uvu runs for a group, as paths relative to test/. */
async function files(group: "all" | "unit" | "e2e"): Promise<string[]> {
  const [dir, pattern, , ignore] = uvuArgs(testDir, group, "\\.test\\.js$");
  const ctx = await parse(dir, pattern, ignore ? { ignore } : {});
  return ctx.suites.map((s) => (group === "e2e" ? `e2e/${s.name}` : s.name).replace(/\\/g, "/"));
}

grp("unit and e2e split every test file between them, e2e being test/e2e/", async () => {
  const [all, unit, e2e] = await Promise.all([files("all"), files("unit"), files("e2e")]);
  assert.ok(e2e.length >= 4 && e2e.every((f) => f.startsWith("e2e/")), e2e.join(", "));
  assert.ok(unit.includes("runner.test.js") && unit.includes("assembly/conv.test.js"), unit.join(", "));
  assert.ok(!unit.some((f) => f.startsWith("e2e/")), unit.join(", "));
  assert.equal([...unit, ...e2e].sort(), [...all].sort());
});

grp.run();
