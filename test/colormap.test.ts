import { suite } from "uvu";
import * as assert from "uvu/assert";
import {
  VIRIDIS_DATA,
  VIRIDIS_LUT,
  colormapIndex,
  viridis,
  viridisHex,
  viridisStops,
  BAD_COLOR,
} from "../src/colormap.js";

const cm = suite("colormap");

cm("the table has matplotlib's 256 entries, each channel in [0, 1]", () => {
  assert.is(VIRIDIS_DATA.length, 256);
  assert.is(VIRIDIS_LUT.length, 768);
  for (const row of VIRIDIS_DATA) for (const v of row) assert.ok(v >= 0 && v <= 1, `channel ${v}`);
});

cm("end points and midpoint are viridis's known colours", () => {
  assert.is(viridisHex(0), "#440154");
  assert.is(viridisHex(1), "#fde725");
  assert.is(viridisHex(0.5), "#21918c");
  assert.equal([...viridis(0)], [0x44, 0x01, 0x54]);
  // matplotlib's first and last rows verbatim
  assert.equal(VIRIDIS_DATA[0], [0.267004, 0.004874, 0.329415]);
  assert.equal(VIRIDIS_DATA[255], [0.993248, 0.906157, 0.143936]);
});

cm("luminance rises monotonically from one end to the other (a transcription typo would break it)", () => {
  const lin = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  let prev = -1;
  VIRIDIS_DATA.forEach(([r, g, b], i) => {
    const y = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    assert.ok(y > prev, `entry ${i}: luminance ${y} after ${prev}`);
    prev = y;
  });
});

cm("neighbouring entries differ by less than 0.011 per channel (no misplaced rows)", () => {
  for (let i = 1; i < 256; i++) {
    for (let c = 0; c < 3; c++)
      assert.ok(Math.abs(VIRIDIS_DATA[i][c] - VIRIDIS_DATA[i - 1][c]) < 0.011, `entry ${i} channel ${c}`);
  }
});

cm("indexing follows matplotlib: floor(t * 256), t = 1 → 255, clamped, NaN → bad", () => {
  assert.is(colormapIndex(0), 0);
  assert.is(colormapIndex(1 / 256 - 1e-9), 0);
  assert.is(colormapIndex(1 / 256), 1);
  assert.is(colormapIndex(0.5), 128);
  assert.is(colormapIndex(1), 255);
  assert.is(colormapIndex(-3), 0);
  assert.is(colormapIndex(7), 255);
  assert.is(colormapIndex(NaN), -1);
  assert.equal(viridis(NaN), BAD_COLOR);
});

cm("viridisStops gives n colours from the low to the high end and rejects n < 2", () => {
  const s = viridisStops(3);
  assert.equal(s, ["#440154", "#21918c", "#fde725"]);
  assert.throws(() => viridisStops(1), /n must be an integer >= 2/);
});

cm.run();
