// `node dist/cli.js serve RUN_DIR [--port N]` (the command, serveMain, and its server): the browser page
// over one run folder, served by node:http on 127.0.0.1 only. Everything the page needs comes from here
// (no CDN, no other host; the page's Content-Security-Policy forbids any other origin):
//   /                    web/index.html            /web/*        the page's static files
//   /dist/**.js          the compiled modules the page imports (core, nn, explain, web, sets, colormap)
//   /augsal.wasm         the wasm core
//   /augsal-mt.wasm      the threaded wasm core (the page's Web Workers run it over one shared memory)
//   /api/run.json        the run: config, the six models' weight URLs, the query images' labels
//   /api/queries.f32     the query images (saliency/queries.npy) as raw little-endian float32
//   /run/**              read-only files of the run folder (weights/*.bin, report.html, figures/...)
// Paths are decoded, normalised and checked to stay inside their folder (symbolic links included);
// anything else is 404. Only GET and HEAD; a Host header other than the loopback one is refused
// (a DNS-rebinding page cannot read the run).
// Every response carries Cross-Origin-Opener-Policy: same-origin, Cross-Origin-Embedder-Policy:
// require-corp and Cross-Origin-Resource-Policy: same-origin, so the page is cross-origin isolated
// (crossOriginIsolated: SharedArrayBuffer and a shared WebAssembly.Memory are allowed) and runs its
// models on several threads (src/web/live.ts); everything it loads is from this origin, so COEP blocks
// nothing it needs.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { readFileSync, realpathSync, statSync, existsSync } from "node:fs";
import { dirname, join, resolve, sep, extname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { wasmPath, wasmBytes } from "../node/wasm.js";
import { wasmMtPath } from "../node/threads.js";
import { sha256Hex } from "../core/sha256.js";
import { studySets, type StudyConfig } from "../study/config.js";
import { decodeNpy } from "../node/files.js";
import { RunFolder, inspectFolder } from "../node/runfolder.js";
import type { RunInfo } from "../web/run-info.js";
import { VERSION } from "../version.js";

export type { RunInfo };

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".ico": "image/x-icon",
  ".md": "text/markdown; charset=utf-8",
  ".csv": "text/csv; charset=utf-8",
};

/** The package root (holds package.json, web/, dist/, build/), found from this module's location. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "web"))) return dir;
    dir = dirname(dir);
  }
  throw new Error("augsal serve: cannot find the package root (a folder with package.json and web/)");
}

/** `rel` (already URL-decoded) inside `base`, or null if it would leave it (by .. or a symbolic link). */
export function safeJoin(base: string, rel: string): string | null {
  if (rel.includes("\0") || rel.includes("\\")) return null;
  const baseReal = realpathSync(base);
  const target = resolve(baseReal, "." + sep + rel);
  if (target !== baseReal && !target.startsWith(baseReal + sep)) return null;
  let real: string;
  try {
    real = realpathSync(target);
  } catch {
    return null;
  }
  if (real !== baseReal && !real.startsWith(baseReal + sep)) return null;
  try {
    if (!statSync(real).isFile()) return null;
  } catch {
    return null;
  }
  return real;
}

/** Read the run folder: config.json must exist; weights may be missing (an unfinished run). */
export function readRunInfo(runDir: string): RunInfo {
  const cfgPath = join(runDir, "config.json");
  if (!existsSync(cfgPath))
    throw new Error(
      `${runDir} is not an augsal run (config.json missing): run 'node dist/cli.js study --out ${runDir}' first`,
    );
  let cfg: { config?: StudyConfig; wasmSha256?: string };
  try {
    cfg = JSON.parse(readFileSync(cfgPath, "utf8"));
  } catch (e) {
    throw new Error(`${cfgPath}: not valid JSON (${(e as Error).message})`);
  }
  const config = cfg.config;
  if (!config || typeof config.seed !== "number" || !Array.isArray(config.aug))
    throw new Error(`${cfgPath}: no study configuration in it`);
  const models = studySets(config).map((set) => {
    const id = `${set}-seed${config.seed}`;
    return { set, id, url: existsSync(join(runDir, "weights", `${id}.bin`)) ? `/run/weights/${id}.bin` : null };
  });
  let queries: { index: number; label: number }[] = [];
  if (existsSync(join(runDir, "queries.json")) && existsSync(join(runDir, "saliency", "queries.npy"))) {
    queries = JSON.parse(readFileSync(join(runDir, "queries.json"), "utf8"));
  }
  return {
    augsal: VERSION,
    run: runDir,
    config,
    wasmSha256: sha256Hex(wasmBytes()),
    runWasmSha256: cfg.wasmSha256 ?? null,
    models,
    queries,
    hasReport: existsSync(join(runDir, "report.html")),
  };
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface ServeOptions {
  /** 0 picks a free port. */
  port?: number;
  /** Package root holding web/ and dist/ (default: found from this module). */
  root?: string;
  /** Send COEP require-corp so the page is cross-origin isolated and may run threads (default true;
   *  the browser test turns it off to check the page's single-thread fallback). */
  isolation?: boolean;
}

const CSP = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * A run with a manifest: the files the page loads (weights, queries, configuration) must match their
 * checksums; a damaged one is named with the command that repairs it (issue 12).
 */
export function verifyServedFiles(run: string): void {
  const st = inspectFolder(run);
  if (st.kind !== "run") return;
  const rf = RunFolder.open(run, st.manifest);
  for (const rel of Object.keys(st.manifest.files)) {
    if (/^(weights\/.*\.bin|saliency\/queries\.npy|queries\.json|config\.json)$/.test(rel) && rf.has(rel))
      rf.read(rel, rf.repairHint(rel));
  }
}

/** Serve the page over `runDir` on 127.0.0.1; resolves once listening. */
export async function serveRun(runDir: string, opts: ServeOptions = {}): Promise<RunningServer> {
  if (!existsSync(runDir) || !statSync(runDir).isDirectory()) throw new Error(`${resolve(runDir)}: no such run folder`);
  const run = realpathSync(resolve(runDir));
  readRunInfo(run); // fail now, with a clear message, rather than on the first request
  verifyServedFiles(run);
  const root = opts.root ?? packageRoot();
  const web = join(root, "web");
  const dist = join(root, "dist");
  if (!existsSync(join(dist, "web", "app.js")))
    throw new Error(`augsal serve: ${join(dist, "web", "app.js")} is missing (run 'npm run build')`);
  const isolation = opts.isolation ?? true;
  let port = 0;

  const send = (
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    type: string,
    body: Uint8Array | string,
    extra: Record<string, string> = {},
  ) => {
    const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
    res.writeHead(status, {
      "content-type": type,
      "content-length": bytes.length,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      "cross-origin-opener-policy": "same-origin",
      ...(isolation ? { "cross-origin-embedder-policy": "require-corp" } : {}),
      "cross-origin-resource-policy": "same-origin",
      ...extra,
    });
    res.end(req.method === "HEAD" ? undefined : bytes);
  };
  const file = (req: IncomingMessage, res: ServerResponse, path: string | null, extra: Record<string, string> = {}) => {
    if (!path) return send(req, res, 404, "text/plain; charset=utf-8", "not found\n");
    send(req, res, 200, TYPES[extname(path)] ?? "application/octet-stream", readFileSync(path), extra);
  };

  const server = createServer((req, res) => {
    try {
      if (req.method !== "GET" && req.method !== "HEAD") {
        res.setHeader("allow", "GET, HEAD");
        return send(req, res, 405, "text/plain; charset=utf-8", "method not allowed\n");
      }
      const host = req.headers.host ?? "";
      if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`)
        return send(req, res, 421, "text/plain; charset=utf-8", "wrong host\n");
      let path: string;
      try {
        path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
      } catch {
        return send(req, res, 400, "text/plain; charset=utf-8", "bad path\n");
      }
      // The page may load only from this server; the run's own report.html (self-contained) keeps its inline parts.
      if (path === "/" || path === "/index.html")
        return file(req, res, safeJoin(web, "index.html"), { "content-security-policy": CSP });
      if (path.startsWith("/web/")) return file(req, res, safeJoin(web, path.slice(5)));
      if (path.startsWith("/dist/")) return file(req, res, path.endsWith(".js") ? safeJoin(dist, path.slice(6)) : null);
      if (path === "/augsal.wasm") return file(req, res, wasmPath());
      if (path === "/augsal-mt.wasm") return file(req, res, existsSync(wasmMtPath()) ? wasmMtPath() : null);
      if (path === "/api/run.json") return send(req, res, 200, TYPES[".json"], JSON.stringify(readRunInfo(run)));
      if (path === "/api/queries.f32") {
        const npy = safeJoin(run, "saliency/queries.npy");
        if (!npy) return file(req, res, null);
        const { data } = decodeNpy(new Uint8Array(readFileSync(npy)), npy);
        return send(
          req,
          res,
          200,
          "application/octet-stream",
          new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
        );
      }
      if (path.startsWith("/run/")) return file(req, res, safeJoin(run, path.slice(5)));
      if (path === "/favicon.ico") return send(req, res, 204, "image/x-icon", "");
      return file(req, res, null);
    } catch (e) {
      send(req, res, 500, "text/plain; charset=utf-8", `augsal serve: ${(e as Error).message}\n`);
    }
  });
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(opts.port ?? 0, "127.0.0.1", () => ok());
  });
  const addr = server.address();
  port = typeof addr === "object" && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

export const SERVE_HELP = `usage: node dist/cli.js serve RUN_DIR [--port N]

Serve the browser page over a run folder on http://127.0.0.1:N/ (loopback only): draw a digit or pick
a query image and see the six models' predictions and saliency maps, computed in your browser by the
same wasm core. --port defaults to 8765; 0 picks a free port.
The page is served cross-origin isolated (COOP and COEP headers), so it runs the models on
min(cores, 8) threads in Web Workers; open it with ?threads=N to choose, ?threads=1 for one thread.
`;

/** The `serve` command: resolves to an exit code when the server stops (Ctrl-C), or 2 on bad usage. */
export async function serveMain(
  argv: string[],
  log: (line: string) => void = (l) => process.stderr.write(l + "\n"),
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { port: { type: "string" }, help: { type: "boolean" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    log(`augsal serve: ${(e as Error).message}\n${SERVE_HELP}`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(SERVE_HELP);
    return 0;
  }
  if (parsed.positionals.length !== 1) {
    log(`augsal serve: name one run folder (got ${parsed.positionals.length})\n${SERVE_HELP}`);
    return 2;
  }
  const portText = parsed.values.port ?? "8765";
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    log(`augsal serve: --port must be an integer from 0 to 65535, got '${portText}'`);
    return 2;
  }
  const runDir = resolve(parsed.positionals[0]);
  let server: RunningServer;
  try {
    server = await serveRun(runDir, { port });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "EADDRINUSE")
      log(`augsal serve: port ${port} is in use; choose another with --port N (0 picks a free one)`);
    else log(`augsal serve: ${err.message}`);
    return 2;
  }
  process.stdout.write(`augsal ${VERSION}: serving ${runDir}\n  open ${server.url}  (Ctrl-C stops)\n`);
  await new Promise<void>((ok) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      server.close().then(ok);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  return 0;
}
