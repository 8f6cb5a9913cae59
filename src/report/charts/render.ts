// Vega-Lite specs to Vega (vega-lite's compile) and to static SVG in Node (vega's headless SVG renderer:
// no canvas, no DOM, no clock), for figures/*.svg. Text widths are vega's estimates without a canvas,
// so the same spec gives the same bytes on every machine.
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { Spec } from "./style.js";

/** Vega-Lite's compile() with its warnings collected instead of printed; errors throw. */
export function compileChart(spec: Spec): { vega: vega.Spec; warnings: string[] } {
  const warnings: string[] = [];
  const logger = {
    level(): number {
      return 0;
    },
    warn(...a: unknown[]) {
      warnings.push(a.map(String).join(" "));
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
    error(...a: unknown[]): never {
      throw new Error(`vega-lite: ${a.map(String).join(" ")}`);
    },
  };
  // The page's fitting hint is ours, not Vega-Lite's: usermeta is passed through untouched.
  const out = compile(spec as unknown as TopLevelSpec, { logger: logger as never });
  return { vega: out.spec, warnings };
}

interface HeadlessRenderer {
  initialize(el: null, w: number, h: number, origin: [number, number], scale: number): HeadlessRenderer;
  background(c: unknown): HeadlessRenderer;
  render(scene: unknown): HeadlessRenderer;
  svg(): string;
}

/**
 * The chart as a standalone SVG document, synchronously: the dataflow runs once (the data is inline,
 * nothing loads) and vega's headless SVG renderer draws the scene graph, as View#toSVG does.
 */
export function chartSvg(spec: Spec): string {
  const { vega: vg } = compileChart(spec);
  // Clip-path and gradient ids count up across renders; start each document at 1 (same bytes every time).
  vega.resetSVGDefIds();
  const view = new vega.View(vega.parse(vg), { renderer: "none" });
  view.run();
  // vega-view's renderHeadless (View#toSVG) without the promise: the same size, offset and background.
  const v = view as unknown as { _viewWidth: number; _viewHeight: number; _origin: [number, number] };
  const pad = view.padding() as { left: number; right: number; top: number; bottom: number };
  const Ctor = (
    vega as unknown as { renderModule(t: string): { headless: new (l: unknown) => HeadlessRenderer } }
  ).renderModule("svg").headless;
  const r = new Ctor(view.loader())
    .initialize(
      null,
      Math.max(0, v._viewWidth + pad.left + pad.right),
      Math.max(0, v._viewHeight + pad.top + pad.bottom),
      [pad.left + v._origin[0], pad.top + v._origin[1]],
      1,
    )
    .background(view.background());
  r.render((view.scenegraph() as unknown as { root: unknown }).root);
  const svg = r.svg();
  view.finalize();
  return `<?xml version="1.0" encoding="UTF-8"?>\n${svg}\n`;
}

/** The same through vega's own asynchronous View#toSVG (the tests hold chartSvg to it). */
export async function chartSvgAsync(spec: Spec): Promise<string> {
  const { vega: vg } = compileChart(spec);
  vega.resetSVGDefIds();
  const view = new vega.View(vega.parse(vg), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  return `<?xml version="1.0" encoding="UTF-8"?>\n${svg}\n`;
}
