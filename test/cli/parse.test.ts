import { suite } from "uvu";
import * as assert from "uvu/assert";
import { parseCli, helpText } from "../../src/cli/parse.js";
import { DEFAULT_CONFIG, UsageError } from "../../src/study/config.js";
import { VERSION } from "../../src/version.js";
import { readFileSync } from "node:fs";

const cli = suite("cli/parse");

cli("no arguments is the default study", () => {
  const p = parseCli([]);
  assert.is(p.command, "study");
  assert.equal(p.config, DEFAULT_CONFIG);
  assert.ok(p.out.endsWith("runs/mnist-tutorial-seed0"), p.out);
});

cli("flags set the configuration", () => {
  const p = parseCli([
    "train",
    "--epochs",
    "2",
    "--steps",
    "3",
    "--aug",
    "crop,blur",
    "--optimizer",
    "sgd",
    "--lr",
    "0.05",
    "--seed",
    "7",
    "--out",
    "/tmp/x",
  ]);
  assert.is(p.command, "train");
  assert.is(p.config.epochs, 2);
  assert.is(p.config.steps, 3);
  assert.equal(p.config.aug, ["crop", "blur"]);
  assert.is(p.config.optimizer.kind, "sgd");
  assert.is(p.config.optimizer.lr, 0.05);
  assert.is(p.config.seed, 7);
  assert.is(p.out, "/tmp/x");
});

const bad: [string[], RegExp][] = [
  [["--epochs", "0"], /--epochs must be an integer from 1/],
  [["--epochs", "-3"], /--epochs must be an integer from 1/],
  [["--epochs", "ten"], /--epochs must be an integer, got 'ten'/],
  [["--lr", "NaN"], /--lr must be a number, got 'NaN'/],
  [["--lr", "-1"], /--lr must be a positive finite number/],
  [["--aug", "crop,rotate"], /--aug: unknown augmentation 'rotate'/],
  [["--optimizer", "rmsprop"], /--optimizer must be 'adam' or 'sgd'/],
  [["--frobnicate"], /Unknown option '--frobnicate'/],
  [["--arch", "resnet"], /--arch: unknown architecture 'resnet'/],
  [["--workers", "0"], /--workers must be from 1 to 64/],
  [["--data", "cifar"], /--data must be 'mnist', 'fashion' or 'idx:DIR'/],
  [["dance"], /unknown command 'dance'/],
  [["--scale", "log"], /--scale must be 'shared' or 'per-map'/],
  [["--strength", "warp=2"], /--strength: unknown augmentation 'warp'/],
  [["--strength", "blur"], /--strength takes name=value pairs/],
  [["--strength", "blur=much"], /--strength: blur must be a number, got 'much'/],
  [["--strength", "scaling=1.5"], /--strength: strength of scaling must be in \[0, 1\)/],
  [["--strength", "crop=2.5"], /--strength: strength of crop must be an integer padding/],
  [["--crop-mode", "zoom"], /--crop-mode must be 'pad' or 'resize'/],
];
for (const [argv, re] of bad) {
  cli(`rejects ${argv.join(" ")} naming the flag`, () => {
    try {
      parseCli(argv);
      assert.unreachable("should have thrown");
    } catch (e) {
      assert.instance(e, UsageError);
      assert.match((e as Error).message, re);
    }
  });
}

cli("--strength and --crop-mode reach the configuration", () => {
  const p = parseCli(["--crop-mode", "resize", "--strength", "crop=0.3,scaling=0.5,blur=3"]);
  assert.equal(p.config.strength, { crop: 0.3, scaling: 0.5, blur: 3 });
  assert.is(p.config.cropMode, "resize");
});

cli("--help lists every flag with its default", () => {
  const h = helpText();
  for (const f of [
    "--seed",
    "--epochs",
    "--steps",
    "--batch",
    "--optimizer",
    "--lr",
    "--arch",
    "--aug",
    "--copies",
    "--train-per-class",
    "--val-per-class",
    "--queries",
    "--workers",
    "--data",
    "--out",
    "--force",
    "--help",
  ]) {
    assert.ok(h.includes(f), f);
  }
  assert.match(h, /--epochs X\s+epochs per model \[default: 30\]/);
});

cli("the version matches package.json", () => {
  const pkg = JSON.parse(readFileSync(new URL("../../../../package.json", import.meta.url), "utf8"));
  assert.is(VERSION, pkg.version);
});

cli.run();
