// A worker thread that renders SVG documents to PNG (src/node/rasterize.ts svgToPng: the same bytes as
// in the main thread), so the report's PNG exports render while the main thread builds the charts
// (./report-input.ts renderPngs). In: { svg, zoom }; out: { png } or { error }.
import { parentPort } from "node:worker_threads";
import { svgToPng } from "../node/rasterize.js";

const port = parentPort;
if (!port) throw new Error("augsal: png-worker must run in a worker thread");
port.on("message", (m: { svg: string; zoom: number }) => {
  svgToPng(m.svg, m.zoom).then(
    (png) => port.postMessage({ png }),
    (e: Error) => port.postMessage({ error: e.message }),
  );
});
