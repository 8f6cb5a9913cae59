#!/usr/bin/env python3
"""The PyTorch control of `npm run bench:spread` (variant `peer`): one fresh process times PyTorch's
train step at batch 110 on one thread with the protocol of bench/spread.ts's child (warm-up steps, then
`--blocks` timed blocks of `--iters` steps; wall and CPU seconds per step of each block, and the CPU the
thread ran on at the end of each block), and prints one JSON object.

If augsal's slow processes come from the host (a noisy neighbour, a slow vCPU), PyTorch processes run
at the same moments are slow too; if they come from augsal's compilation or memory layout, they are not.
The network and the step are those of ../shared/peers/torch_bench.py (imported from it, so the two
cannot drift; $AUGSAL_PEER names another copy):

  /usr/bin/python3 bench/torch_step.py [--blocks 7] [--iters 10] [--warmup 30]
"""
import argparse, importlib.util, json, os, time
import torch
import torch.nn.functional as F


def peer_module():
    path = os.environ.get("AUGSAL_PEER", "/work/shared/peers/torch_bench.py")
    spec = importlib.util.spec_from_file_location("torch_bench", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def last_cpu():
    """Field 39 ("processor") of /proc/thread-self/stat, counted after the command name's ')'."""
    try:
        with open("/proc/thread-self/stat") as f:
            s = f.read()
        return int(s[s.rindex(")") + 2:].split(" ")[39 - 3])
    except (OSError, ValueError, IndexError):
        return -1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--blocks", type=int, default=7)
    ap.add_argument("--iters", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=30)
    a = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    x = torch.rand(110, 1, 28, 28, generator=g)
    y = torch.randint(0, 10, (110,), generator=g)
    model = peer_module().CNN()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step():
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward()
        opt.step()

    for _ in range(a.warmup):
        step()
    ts, cs, cpus = [], [], []
    for _ in range(a.blocks):
        c0, t0 = time.process_time(), time.perf_counter()
        for _ in range(a.iters):
            step()
        ts.append((time.perf_counter() - t0) / a.iters)
        cs.append((time.process_time() - c0) / a.iters)
        cpus.append(last_cpu())
    mid = lambda v: sorted(v)[len(v) // 2]
    print(json.dumps({"train_img_s": 110 / mid(ts), "train_cpu_img_s": 110 / mid(cs),
                      "blocks": ts, "cpuBlocks": cs, "cpus": cpus, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
