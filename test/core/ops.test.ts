import { suite } from "uvu";
import * as assert from "uvu/assert";
import { freshCore, randomF32, snap } from "../helpers.js";
import {
  tensor,
  conv2dForward,
  conv2dBackward,
  conv2dWsBytes,
  linearForward,
  maxpool2dForward,
  reluForward,
  convOutShape,
  type Tensor,
} from "../../src/core/ops.js";

const ops = suite("core/ops");

ops("conv2dForward computes what the kernel computes, through shapes", () => {
  const core = freshCore();
  const inp: Tensor = { ptr: randomF32(core, 2 * 3 * 7 * 7, 1), shape: [2, 3, 7, 7] };
  const w: Tensor = { ptr: randomF32(core, 4 * 3 * 3 * 3, 2), shape: [4, 3, 3, 3] };
  const b: Tensor = { ptr: randomF32(core, 4, 3), shape: [4] };
  const out = tensor(core, [2, 4, 7, 7]);
  const ref = tensor(core, [2, 4, 7, 7]);
  const ws = core.arena.alloc(conv2dWsBytes(core, inp, w, 1));
  conv2dForward(core, out, inp, w, b, 1, ws);
  core.exports.conv2d_forward_ref(ref.ptr, inp.ptr, w.ptr, b.ptr, 2, 3, 7, 7, 4, 3, 1);
  assert.equal(Array.from(snap(core, out.ptr, 392)), Array.from(snap(core, ref.ptr, 392)));
});

ops("bad shapes are errors that name the tensor and both shapes", () => {
  const core = freshCore();
  const inp = tensor(core, [2, 3, 7, 7]);
  const w = tensor(core, [4, 3, 3, 3]);
  const b = tensor(core, [4]);
  assert.throws(
    () => conv2dForward(core, tensor(core, [2, 4, 5, 5]), inp, w, b, 1, 0),
    /conv2d: output has shape \(2, 4, 5, 5\), expected \(2, 4, 7, 7\)/,
  );
  assert.throws(
    () => conv2dForward(core, tensor(core, [2, 4, 7, 7]), inp, tensor(core, [4, 2, 3, 3]), b, 1, 0),
    /weight expects 2 input channels, the input has 3/,
  );
  assert.throws(
    () => conv2dForward(core, tensor(core, [2, 4, 7, 7]), inp, w, tensor(core, [5]), 1, 0),
    /bias has shape \(5\), expected \(4\)/,
  );
  assert.throws(
    () => conv2dBackward(core, tensor(core, [2, 3, 6, 6]), null, null, tensor(core, [2, 4, 7, 7]), inp, w, 1, 0),
    /input gradient has shape/,
  );
  assert.throws(
    () => convOutShape({ N: 1, Cin: 1, H: 3, W: 3, Cout: 1, K: 5, pad: 0 }),
    /kernel 5 with padding 0 does not fit a 3x3 input/,
  );
  assert.throws(
    () => linearForward(core, tensor(core, [2, 10]), inp, tensor(core, [10, 100]), tensor(core, [10]), 0),
    /does not flatten to \(2, 100\)/,
  );
  assert.throws(
    () => maxpool2dForward(core, tensor(core, [2, 3, 4, 4]), tensor(core, [2, 3, 3, 3]), inp),
    /output has shape \(2, 3, 4, 4\), expected \(2, 3, 3, 3\)/,
  );
  assert.throws(() => reluForward(core, tensor(core, [2, 3]), inp), /relu: output has shape/);
});

ops.run();
