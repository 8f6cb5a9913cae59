import { suite } from "uvu";
import * as assert from "uvu/assert";
import { freshCore } from "../helpers.js";
import { withCoreRng } from "../../src/core/rng.js";
import { Stream } from "../../src/core/streams.js";

const r = suite("core/rng (the seeded generator for TypeScript callers)");

r("a named stream gives the core's own draws, the same every time", () => {
  const core = freshCore();
  const draws = () =>
    withCoreRng(core, { seed: 9, purpose: Stream.STATS, a: 3, b: 1 }, (rng) => [
      rng.below(10),
      rng.uniform(),
      rng.below(7),
    ]);
  const a = draws();
  assert.equal(a, draws());
  // the same stream through the exports directly
  const st = core.arena.alloc(16);
  core.exports.rng_seed(st, 9, Stream.STATS, 3, 1, 0);
  assert.equal(a, [core.exports.rng_below(st, 10), core.exports.rng_uniform64(st), core.exports.rng_below(st, 7)]);
  // another name, other numbers
  const two = (a: number) =>
    withCoreRng(core, { seed: 9, purpose: Stream.STATS, a, b: 1 }, (rng) => [rng.below(1 << 30), rng.uniform()]);
  const b = two(4);
  const c = two(3);
  assert.not.equal(b, c);
});

r("below stays in range, uniform in [0, 1); a bad bound names itself; the arena is released", () => {
  const core = freshCore();
  const before = core.arena.mark();
  withCoreRng(core, { seed: 1, purpose: Stream.STATS }, (rng) => {
    for (let i = 0; i < 1000; i++) {
      const k = rng.below(3);
      assert.ok(k === 0 || k === 1 || k === 2);
      const u = rng.uniform();
      assert.ok(u >= 0 && u < 1);
    }
    assert.throws(() => rng.below(0), /bad bound 0/);
  });
  assert.is(core.arena.mark(), before);
});

r.run();
