// The pure half of test/run.ts: which files a group runs, and the closing line CI reads.
import { join } from "node:path";

/** Test groups: unit (kernels and pure functions, in-process) and e2e (spawn the CLI, other
 *  runtimes, a browser or a server: everything under test/e2e/). */
export type Group = "all" | "unit" | "e2e";

/** uvu's summary counts. uvu's Total counts the tests that ran (passed or failed); skipped tests are
 *  counted apart (uvu/run: `total += max`, `skips += skip`), so failed = Total - Passed. */
export interface UvuSummary {
  total: number;
  passed: number;
  skipped: number;
}

/** The counts in uvu's report (colour codes allowed), or null when the report has no summary
 *  (uvu crashed, e.g. a test file threw on import). */
export function parseSummary(text: string): UvuSummary | null {
  // \x1b[...m: the colour codes uvu writes (it forces colour on).
  const plain = text.replace(/\x1b\[[0-9;]*m/g, "");
  const num = (label: string) => {
    const m = plain.match(new RegExp(`^\\s*${label}:\\s+(\\d+)\\s*$`, "m"));
    return m ? Number(m[1]) : null;
  };
  const total = num("Total");
  const passed = num("Passed");
  if (total === null || passed === null) return null;
  return { total, passed, skipped: num("Skipped") ?? 0 };
}

/** "N passed, N failed, N skipped", or a failure line when there was no summary. */
export function closingLine(s: UvuSummary | null, exitCode: number | null): string {
  if (!s) return `0 passed, 1 failed, 0 skipped (the test runner ended without a summary, exit code ${exitCode})`;
  return `${s.passed} passed, ${s.total - s.passed} failed, ${s.skipped} skipped`;
}

/** Arguments of `node build/ts/test/run.js [--unit | --e2e] [PATTERN]`: the group and the file-name
 *  regex (relative to test/, e.g. 'stats/'). */
export function parseArgs(argv: string[]): { group: Group; pattern: string } {
  let group: Group = "all";
  let pattern = "\\.test\\.js$";
  for (const a of argv) {
    if (a === "--unit" || a === "--e2e") {
      if (group !== "all") throw new Error(`test/run: give --unit or --e2e, not both`);
      group = a === "--unit" ? "unit" : "e2e";
    } else if (a.startsWith("-")) {
      throw new Error(`test/run: unknown flag ${a} (usage: run.js [--unit | --e2e] [PATTERN])`);
    } else {
      pattern = a;
    }
  }
  return { group, pattern };
}

/** uvu's [dir, pattern, ...flags] for a group: e2e is the folder test/e2e/, unit everything else. uvu
 *  matches the pattern and --ignore against the file path relative to the directory it is given. */
export function uvuArgs(testDir: string, group: Group, pattern: string): string[] {
  if (group === "e2e") return [join(testDir, "e2e"), pattern];
  if (group === "unit") return [testDir, pattern, "--ignore", UNIT_IGNORE];
  return [testDir, pattern];
}

/** What the unit group leaves out: the e2e folder. */
export const UNIT_IGNORE = "^e2e[\\\\/]";
