// Optimizers over the model's flat parameter region: one kernel call per step (llm.c's gpt2_update).
// The moments are regions of the same length as params/grads, at matching offsets.
import type { Model } from "./model.js";

export type OptimizerConfig =
  | { kind: "adam"; lr: number; beta1: number; beta2: number; eps: number; weightDecay: number }
  | { kind: "sgd"; lr: number; momentum: number; dampening: number; weightDecay: number; nesterov: boolean };

/** torch.optim.Adam's defaults. */
export const ADAM_DEFAULTS: OptimizerConfig = {
  kind: "adam",
  lr: 1e-3,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  weightDecay: 0,
};
/** SGD with momentum 0.9 (torch.optim.SGD needs lr and momentum given; these are the usual choices). */
export const SGD_DEFAULTS: OptimizerConfig = {
  kind: "sgd",
  lr: 1e-2,
  momentum: 0.9,
  dampening: 0,
  weightDecay: 0,
  nesterov: false,
};

export function checkOptimizer(cfg: OptimizerConfig): void {
  const bad = (name: string, v: number, rule: string) => {
    throw new RangeError(`optimizer: ${name} must be ${rule}, got ${v}`);
  };
  if (!(cfg.lr > 0 && Number.isFinite(cfg.lr))) bad("lr", cfg.lr, "a positive finite number");
  if (!(cfg.weightDecay >= 0 && Number.isFinite(cfg.weightDecay)))
    bad("weight decay", cfg.weightDecay, "a finite number >= 0");
  if (cfg.kind === "adam") {
    if (!(cfg.beta1 >= 0 && cfg.beta1 < 1)) bad("beta1", cfg.beta1, "in [0, 1)");
    if (!(cfg.beta2 >= 0 && cfg.beta2 < 1)) bad("beta2", cfg.beta2, "in [0, 1)");
    if (!(cfg.eps > 0 && Number.isFinite(cfg.eps))) bad("eps", cfg.eps, "a positive finite number");
  } else {
    if (!(cfg.momentum >= 0 && cfg.momentum < 1)) bad("momentum", cfg.momentum, "in [0, 1)");
    if (!(cfg.dampening >= 0 && cfg.dampening <= 1)) bad("dampening", cfg.dampening, "in [0, 1]");
    // torch.optim.SGD's rule (assembly/optim.ts's sgd_step assumes it): "Nesterov momentum requires a
    // momentum and zero dampening".
    if (cfg.nesterov && !(cfg.momentum > 0 && cfg.dampening === 0)) {
      throw new RangeError(
        "optimizer: nesterov requires a momentum > 0 and zero dampening, " +
          `got momentum ${cfg.momentum}, dampening ${cfg.dampening}`,
      );
    }
  }
}

export class Optimizer {
  private readonly m: number;
  private readonly v: number;
  private t = 0;

  constructor(
    private readonly model: Model,
    readonly cfg: OptimizerConfig,
  ) {
    checkOptimizer(cfg);
    this.m = model.core.arena.allocF32(model.paramLength);
    this.v = cfg.kind === "adam" ? model.core.arena.allocF32(model.paramLength) : 0;
  }

  /** One update from the gradients in model.grads. */
  step(): void {
    const ex = this.model.core.exports;
    const { params, grads, paramLength: n } = this.model;
    this.t++;
    const c = this.cfg;
    if (c.kind === "adam") {
      ex.adam_step(params, grads, this.m, this.v, n, c.lr, c.beta1, c.beta2, c.eps, c.weightDecay, this.t);
    } else {
      ex.sgd_step(
        params,
        grads,
        this.m,
        n,
        c.lr,
        c.momentum,
        c.dampening,
        c.weightDecay,
        c.nesterov ? 1 : 0,
        this.t === 1 ? 1 : 0,
      );
    }
  }
}
