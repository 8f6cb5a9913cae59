// The layers of src/ (README "Layout"), checked two ways:
// - the import graph of src/: every import goes to a layer the table below allows (which is acyclic, so
//   no import points upward), no file imports Node or an npm package from a portable layer, and there
//   are no import cycles between files;
// - the compiler: tsconfig.portable.json (ES2022, no Node types, no DOM) and tsconfig.web.json (DOM, no
//   Node types), which `npm run build:ts` runs, reject a portable file that imports node:fs or touches
//   the DOM. Shown on a temporary copy of src/ with such files added.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { packageDir } from "../src/node/packages.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const srcDir = join(root, "src");

/** Each layer and the layers it may import (besides itself). */
const ALLOWED: Record<string, readonly string[]> = {
  // dependency-free modules anyone may read
  sets: [],
  colormap: [],
  version: [],
  // portable: no Node, no DOM (web: DOM)
  core: [],
  nn: ["core"],
  data: ["core", "sets"],
  stats: ["core"],
  explain: ["core", "nn"],
  portable: ["core", "nn", "explain"],
  web: ["core", "nn", "explain", "portable", "sets", "colormap", "version"],
  // Node side
  report: ["sets", "colormap", "node"],
  node: ["core", "data"],
  bench: ["core", "nn", "explain", "data", "sets", "node"],
  study: ["core", "nn", "explain", "data", "stats", "sets", "node", "report", "version"],
  sweep: ["core", "nn", "explain", "data", "stats", "sets", "node", "study", "report", "version"],
  cli: ["core", "data", "sets", "node", "study", "report", "bench", "web", "version", "sweep"],
  // entry points
  // (web: Deno and Bun run the check on threads through src/web/threads.ts, Web Workers as in the page)
  "portable-main": ["portable", "web"],
  index: ["core", "nn", "explain", "data", "stats", "sets", "node", "study", "report", "version"],
};
const PORTABLE = new Set(["sets", "colormap", "version", "core", "nn", "data", "stats", "explain", "portable", "web"]);

/** The layer of a file under src/: its top folder, or its name for a top-level file (cli.ts is cli's). */
function layerOf(rel: string): string {
  const parts = rel.split("/");
  return parts.length > 1 ? parts[0] : parts[0].replace(/\.ts$/, "");
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [p] : [];
  });
}

/** Module specifiers a file imports: static imports and re-exports (type-only too) and import(). */
function importsOf(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const specs: string[] = [];
  for (const m of code.matchAll(/(?:^|[;\s])(?:import|export)\s[^;'"]*?from\s*["']([^"']+)["']/g)) specs.push(m[1]);
  for (const m of code.matchAll(/(?:^|[;\s])import\s*["']([^"']+)["']/g)) specs.push(m[1]);
  for (const m of code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) specs.push(m[1]);
  return specs;
}

interface Edge {
  from: string;
  to: string;
  spec: string;
}

function graph(): { files: string[]; edges: Edge[]; external: Edge[] } {
  const files = sourceFiles(srcDir).map((p) => relative(srcDir, p).split("\\").join("/"));
  const edges: Edge[] = [];
  const external: Edge[] = [];
  for (const f of files) {
    for (const spec of importsOf(readFileSync(join(srcDir, f), "utf8"))) {
      if (spec.startsWith(".")) {
        const to = relative(srcDir, resolve(srcDir, dirname(f), spec))
          .split("\\")
          .join("/")
          .replace(/\.js$/, ".ts");
        edges.push({ from: f, to, spec });
      } else {
        external.push({ from: f, to: spec, spec });
      }
    }
  }
  return { files, edges, external };
}

const g = graph();

const layers = suite("layers: the import graph of src/");

layers("the graph is read: every relative import names a file of src/", () => {
  assert.ok(g.files.length > 40, `only ${g.files.length} files found under ${srcDir}`);
  assert.ok(g.edges.length > 100, `only ${g.edges.length} imports found`);
  const missing = g.edges.filter((e) => !g.files.includes(e.to));
  assert.equal(
    missing.map((e) => `${e.from} -> ${e.spec}`),
    [],
  );
});

layers("every file belongs to a layer of the table, and the table itself has no cycle", () => {
  const outside = g.files.filter((f) => !(layerOf(f) in ALLOWED));
  assert.equal(outside, [], "files outside every layer: add the layer to ALLOWED");
  // Depth-first search over the table: a layer reachable from itself would let an import point upward.
  const state = new Map<string, number>();
  const visit = (l: string, path: string[]) => {
    if (state.get(l) === 2) return;
    assert.ok(state.get(l) !== 1, `the layer table has a cycle: ${[...path, l].join(" -> ")}`);
    state.set(l, 1);
    for (const m of ALLOWED[l]) visit(m, [...path, l]);
    state.set(l, 2);
  };
  for (const l of Object.keys(ALLOWED)) visit(l, []);
});

layers("no import points to a layer its layer may not use", () => {
  const bad = g.edges.filter((e) => {
    const a = layerOf(e.from);
    const b = layerOf(e.to);
    return a !== b && !ALLOWED[a].includes(b);
  });
  assert.equal(
    bad.map((e) => `${e.from} (${layerOf(e.from)}) -> ${e.to} (${layerOf(e.to)})`),
    [],
  );
});

layers("portable layers import neither Node nor any package", () => {
  const bad = g.external.filter((e) => PORTABLE.has(layerOf(e.from)));
  assert.equal(
    bad.map((e) => `${e.from} -> ${e.spec}`),
    [],
  );
});

layers("no import cycle between files", () => {
  // Tarjan's strongly connected components; any component of more than one file is a cycle.
  const next = new Map<string, string[]>(g.files.map((f) => [f, []]));
  for (const e of g.edges) next.get(e.from)!.push(e.to);
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const cycles: string[][] = [];
  const strong = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of next.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) {
        low.set(v, Math.min(low.get(v)!, idx.get(w)!));
      }
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || next.get(v)!.includes(v)) cycles.push(comp.sort());
    }
  };
  for (const f of g.files) if (!idx.has(f)) strong(f);
  assert.equal(cycles, []);
});

layers("the check sees a bad import: a cycle and an upward import in a made-up graph", () => {
  // The same functions on text, so a regex that silently matched nothing could not pass the checks above.
  const text = `import type { A } from "../cli/parse.js";\nexport * from "./x.js";\nconst m = await import("node:fs");`;
  assert.equal(importsOf(text), ["../cli/parse.js", "./x.js", "node:fs"]);
  assert.equal(importsOf(`import "node:fs";\n// import { no } from "./comment.js";`), ["node:fs"]);
  assert.is(layerOf("cli.ts"), "cli");
  assert.is(layerOf("study/analysis.ts"), "study");
  assert.not.ok(ALLOWED.core.includes("node"));
});

layers.run();

const tscSuite = suite("layers: the build rejects Node and the DOM in portable layers");

function tsc(cwd: string, project: string): Promise<{ code: number; out: string }> {
  const bin = join(packageDir("typescript"), "bin", "tsc");
  return new Promise((ok) => {
    const child = spawn(process.execPath, [bin, "-p", project, "--pretty", "false"], { cwd });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("close", (code) => ok({ code: code ?? 1, out }));
  });
}

tscSuite("tsconfig.portable.json and tsconfig.web.json fail on node:fs, process and document, only there", async () => {
  const dir = mkdtempSync(join(tmpdir(), "augsal-layers-"));
  try {
    // package.json too: its "type": "module" makes the files ES modules (the web layer uses import.meta)
    for (const p of ["src", "types", "package.json", "tsconfig.json", "tsconfig.portable.json", "tsconfig.web.json"]) {
      cpSync(join(root, p), join(dir, p), { recursive: true });
    }
    const nodeImport = `import { readFileSync } from "node:fs";\nexport const read = readFileSync;\n`;
    writeFileSync(join(dir, "src/core/bad-node.ts"), nodeImport);
    writeFileSync(join(dir, "src/nn/bad-process.ts"), `export const env = process.env.HOME;\n`);
    writeFileSync(join(dir, "src/explain/bad-dom.ts"), `export const title = () => document.title;\n`);
    writeFileSync(join(dir, "src/web/bad-node.ts"), nodeImport);
    const [portable, web] = await Promise.all([tsc(dir, "tsconfig.portable.json"), tsc(dir, "tsconfig.web.json")]);
    const errors = (out: string) => out.split("\n").filter((l) => /error TS\d+/.test(l));
    const files = (out: string) => [...new Set(errors(out).map((l) => l.replace(/\(.*$/, "")))].sort();
    assert.is.not(portable.code, 0, "tsconfig.portable.json accepted a Node import");
    const expected = ["src/core/bad-node.ts", "src/explain/bad-dom.ts", "src/nn/bad-process.ts"];
    assert.equal(files(portable.out), expected, portable.out);
    assert.match(portable.out, /bad-node\.ts.*node:fs/);
    assert.match(portable.out, /bad-process\.ts.*'process'/);
    assert.match(portable.out, /bad-dom\.ts.*'document'/);
    assert.is.not(web.code, 0, "tsconfig.web.json accepted a Node import");
    assert.equal(files(web.out), ["src/web/bad-node.ts"], web.out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

tscSuite.run();
