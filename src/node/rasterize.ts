// PNG exports of the SVG figures, rendered from the very SVG the page shows: resvg (a Rust SVG renderer)
// compiled to wasm (@resvg/resvg-wasm), so the same bytes come out on every runtime that runs the core;
// no native addon, no system fonts. resvg-wasm cannot read system fonts, so the text is set in DejaVu
// Sans from the dejavu-fonts-ttf package (TrueType, free licence), the first font the figures name.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { initWasm, Resvg } from "@resvg/resvg-wasm";
import { packageDir } from "./packages.js";

let ready: Promise<Uint8Array[]> | null = null;

/** Loads the renderer and the fonts once per process. */
function init(): Promise<Uint8Array[]> {
  ready ??= (async () => {
    await initWasm(readFileSync(join(packageDir("@resvg/resvg-wasm"), "index_bg.wasm")));
    const dir = join(packageDir("dejavu-fonts-ttf"), "ttf");
    return ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"].map((f) => new Uint8Array(readFileSync(join(dir, f))));
  })();
  return ready;
}

/**
 * The SVG document rendered to PNG bytes at `zoom` × its natural size (2 = sharp on a high-density screen
 * and in print), white background. Images inside are drawn as the SVG says (image-rendering="optimizeSpeed"
 * gives nearest-neighbour). Deterministic: same SVG, same bytes.
 */
export async function svgToPng(svg: string, zoom = 2): Promise<Uint8Array> {
  const fonts = await init();
  const r = new Resvg(svg, {
    font: { fontBuffers: fonts, defaultFontFamily: "DejaVu Sans", sansSerifFamily: "DejaVu Sans" },
    fitTo: { mode: "zoom", value: zoom },
    background: "white",
  });
  try {
    const img = r.render();
    try {
      return img.asPng();
    } finally {
      img.free();
    }
  } finally {
    r.free();
  }
}
