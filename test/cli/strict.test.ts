// Input that was silently accepted before issue 12 and is refused now, naming it: a flag given twice,
// an empty value that would fall back to the default, --strength for an augmentation not studied, an
// --aug list that leaves nothing to compare, and flags the chosen command ignores.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { parseCli } from "../../src/cli/parse.js";
import { UsageError } from "../../src/study/config.js";

const st = suite("cli/strict");

const refused: [string[], RegExp][] = [
  [["--epochs", "3", "--epochs", "4"], /--epochs is given 2 times \('3', '4'\); give it once/],
  [["--seed", "1", "--seed=1"], /--seed is given 2 times/],
  [["--force", "--force"], /--force is given 2 times; give it once/],
  [["--lr", ""], /--lr needs a value, got an empty string/],
  [["--out", " "], /--out needs a value/],
  [["--data", ""], /--data needs a value/],
  [["--aug", "orig"], /--aug 'orig' leaves nothing to compare with orig/],
  [["--aug", "blur,,crop"], /--aug 'blur,,crop' has an empty name/],
  [["--aug", "blur", "--strength", "crop=4"], /--strength crop=4: crop is not in --aug \(blur\)/],
  [
    ["saliency", "--target", "predicted"],
    /saliency does not use --target \(it reads the configuration from the run folder\); its flags: --out --scale/,
  ],
  [
    ["report", "--epochs", "3", "--seed", "2"],
    /report does not use --seed, --epochs|report does not use --epochs, --seed/,
  ],
  [["study", "--json"], /study does not use --json/],
  [["train", "--scale", "per-map"], /train does not use --scale/],
  [["augment", "--epochs", "2"], /augment does not use --epochs/],
  [["bench", "--out", "x"], /bench does not use --out; its flags: --json --quick/],
  [["--", "study"], /'--' is not a flag/],
];
for (const [args, re] of refused) {
  st(`refused: ${args.join(" ")}`, () => {
    try {
      parseCli(args);
      assert.unreachable("accepted");
    } catch (e) {
      assert.instance(e, UsageError);
      assert.match((e as Error).message, re);
    }
  });
}

st("still accepted: each command with its own flags, --help with any, the given configuration flags listed", () => {
  assert.equal(
    parseCli(["study", "--epochs", "2", "--aug", "blur", "--strength", "blur=2", "--out", "x"]).given.sort(),
    ["aug", "epochs", "strength"],
  );
  assert.equal(parseCli(["saliency", "--out", "x", "--scale", "per-map"]).given, []);
  assert.ok(parseCli(["saliency", "--out", "x"]).outGiven);
  assert.not.ok(parseCli(["study"]).outGiven);
  assert.ok(parseCli(["report", "--epochs", "3", "--help"]).help);
  parseCli(["augment", "--seed", "3", "--strength", "blur=2", "--out", "x"]);
  parseCli(["bench", "--json", "--quick"]);
});

st.run();
