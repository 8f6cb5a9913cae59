import { suite } from "uvu";
import * as assert from "uvu/assert";
import {
  niceTicks,
  renderFigure2Svg,
  renderFigure3Svg,
  renderFigure5Svg,
  setStyle,
  OKABE_ITO,
} from "../../src/report/svg.js";
import { smallInput } from "./fixture.js";
import { checkWellFormed } from "./xml.js";

const svg = suite("report/svg");

svg("niceTicks picks 1-2-5 steps whose multiples enclose the data", () => {
  assert.equal(niceTicks(0, 1).values, [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.equal(niceTicks(0, 30, 6).values, [0, 5, 10, 15, 20, 25, 30]);
  assert.equal(niceTicks(0, 2.3).values, [0, 0.5, 1, 1.5, 2, 2.5]);
  assert.equal(niceTicks(0.13, 0.87).values, [0, 0.2, 0.4, 0.6, 0.8, 1]);
  const t = niceTicks(5.19, 5.74);
  assert.ok(t.lo <= 5.19 && t.hi >= 5.74, `${t.lo}..${t.hi}`);
  assert.ok([1, 2, 5].includes(Math.round(t.step / 10 ** Math.floor(Math.log10(t.step)))), `step ${t.step}`);
  assert.equal(niceTicks(-0.3, 0.25).values, [-0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.3]);
  for (const v of niceTicks(0, 0.7).values)
    assert.is(v, Number(v.toFixed(1)), "no float noise like 0.30000000000000004");
  assert.equal(niceTicks(2, 2).values.length > 1, true, "a flat range is widened");
  assert.equal(niceTicks(NaN, 1).values, [0, 0.2, 0.4, 0.6, 0.8, 1]);
});

svg("the six sets have distinct Okabe–Ito colours, markers and dash patterns", () => {
  const sets = ["orig", "scaling", "crop", "erasing", "distortion", "blur"];
  const styles = sets.map((s) => setStyle(s));
  assert.is(new Set(styles.map((s) => s.color)).size, 6);
  assert.is(new Set(styles.map((s) => s.marker)).size, 6);
  const palette = Object.values(OKABE_ITO);
  for (const s of styles) assert.ok(palette.includes(s.color as (typeof palette)[number]), s.color);
});

svg("Figure 2 is well-formed, standalone, and has a legend entry and a line per model", () => {
  const s = renderFigure2Svg(smallInput().histories);
  checkWellFormed(s);
  assert.ok(s.startsWith("<?xml"));
  assert.ok(s.includes('xmlns="http://www.w3.org/2000/svg"'));
  for (const label of ["Orig", "Scaling", "RandCrop"]) assert.ok(s.includes(`>${label}</text>`), `legend ${label}`);
  assert.ok(s.includes("(a) Training loss") && s.includes("(b) Validation accuracy"));
  assert.ok(s.includes(">Epoch</text>"));
  assert.is((s.match(/<path d="M[^"]*" fill="none" stroke="#/g) ?? []).length, 6, "3 models × 2 panels");
});

svg("inline SVGs carry no namespace URL and use their id prefix", () => {
  const s = renderFigure2Svg(smallInput().histories, { standalone: false, idPrefix: "zz" });
  checkWellFormed(s);
  assert.not.ok(s.includes("http"));
  assert.ok(s.includes('id="zz-a-clip"') && s.includes("url(#zz-b-clip)"));
});

svg("a NaN in a learning curve breaks the line instead of printing NaN", () => {
  const h = smallInput().histories;
  h[0].valAcc[1] = NaN;
  const s = renderFigure2Svg(h);
  checkWellFormed(s);
  assert.not.ok(/NaN|undefined|Infinity/.test(s));
});

svg("Figure 3 shows both entropies for every model, with the noise band", () => {
  const i = smallInput();
  const s = renderFigure3Svg(i.metrics, i.noiseFloor);
  checkWellFormed(s);
  for (const label of ["Orig", "Scaling", "RandCrop"])
    assert.is((s.match(new RegExp(`>${label}</text>`, "g")) ?? []).length, 2, label);
  assert.ok(s.includes("Entropy (nats)") && s.includes("Entropy (bits)"));
  assert.ok(s.includes("floor tolerance"));
  assert.ok(s.includes('stroke-dasharray="5 3"'), "reference line");
});

svg("Figure 5 leaves the baseline out and draws the noise floor", () => {
  const i = smallInput();
  const s = renderFigure5Svg(i.metrics, i.noiseFloor);
  checkWellFormed(s);
  assert.not.ok(s.includes(">Orig</text>"), "the baseline against itself is not a bar");
  for (const label of ["Scaling", "RandCrop"])
    assert.is((s.match(new RegExp(`>${label}</text>`, "g")) ?? []).length, 2, label);
  assert.ok(s.includes("noise floor"));
  assert.ok(s.includes(">0.50</text>") && s.includes(">0.78</text>"), "value labels");
});

svg("without a noise floor Figures 3 and 5 say so; NaN metrics draw a dash, never NaN", () => {
  const i = smallInput();
  i.metrics[1].cc = NaN;
  i.metrics[1].klSd = NaN;
  const s5 = renderFigure5Svg(i.metrics, null);
  const s3 = renderFigure3Svg(i.metrics, null);
  for (const s of [s3, s5]) {
    checkWellFormed(s);
    assert.not.ok(/NaN|undefined|Infinity/.test(s));
    assert.ok(s.includes("no second-seed baseline"));
  }
  assert.ok(s5.includes(">\u2013</text>"));
});

svg("labels are escaped", () => {
  const s = renderFigure2Svg([{ set: "a<b&c", epochLoss: [1], valAcc: [0.5], valLoss: [1] }]);
  checkWellFormed(s);
  assert.ok(s.includes("a&lt;b&amp;c"));
});

svg("the well-formedness check itself rejects broken markup", () => {
  checkWellFormed('<svg a="1"><g><text>x &amp; y</text></g><rect/></svg>');
  assert.throws(() => checkWellFormed("<svg><g></svg>"));
  assert.throws(() => checkWellFormed("<svg><text>a & b</text></svg>"));
  assert.throws(() => checkWellFormed("<svg><rect x=1/></svg>"));
  assert.throws(() => checkWellFormed("<svg><g>"));
});

svg.run();
