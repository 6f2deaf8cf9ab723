#!/usr/bin/env python3
"""The native peer of `npm run bench`: the trainer's cases (scripts/bench/cases.ts) written the
usual way in PyTorch on the CPU with two threads, in training steps per second, under the same
case names as ours so that scripts/bench.js can divide one by the other.

- MLP 64-128-128-10, batch 64 of 1,024 random rows, Adam: full fine-tuning, and LoRA r=4 (α = r)
  on every linear but the head.
- The character transformer of src/lib/model/transformer.ts written again in PyTorch (token and
  learned position embeddings, pre-norm blocks with separate q, k, v, o linears with bias, causal
  softmax attention scaled by 1/sqrt(dh), GELU (tanh) MLP of width 4·d, final layer norm, untied
  head; W [in, out] with y = x·W + b), batch 16 of 256 random sequences, mean cross-entropy over
  every position, Adam: the small one (vocab 21, context 32, d 48, 4 heads, 2 layers) and the
  large one (vocab 96, context 64, d 128, 4 heads, 4 layers), full fine-tuning and LoRA r=4 on
  every linear but the head.

Like ours: lr 1e-3, float32, batches drawn without replacement epoch by epoch, steps run in
chunks of about `--chunk-ms` milliseconds with one read-back (loss.item()) each, a warm-up first,
then the cases of one group interleaved in five rounds and each case's median rate kept.

Threads wait passively (OMP_WAIT_POLICY=PASSIVE unless set): on a shared two-core machine another
process takes a core now and then, and OpenMP's default busy-waiting barrier then makes every
parallel op wait for a scheduler slice: 5 to 15 times slower in our runs, where one thread or
passive waiting lost 1.2 to 2.5 times.

PyTorch's speed on the CPU is mostly its matrix products, and Debian's python3-torch takes them
from whichever libblas.so.3 the system's alternatives pick: the reference BLAS (plain loops, one
thread: 5.6 GFLOP/s on a 1024×128 by 128×512 product here, where OpenBLAS gave 123) unless an
optimised one such as libopenblas0-pthread is installed.
The output names the library in use, so that a ratio against a slow PyTorch is not mistaken for
one against PyTorch as people run it.

Run: /usr/bin/python3 scripts/bench/torch_peer.py [--seconds 3] [--cases mlp,transformer,large,lm]
[--threads 2]. Prints one JSON object: {"torch", "threads", "ompWaitPolicy", "blas": the BLAS
library's path, "stepsPerSecond": {case: steps per second}}.
"""
import argparse
import json
import math
import os
import statistics
import time

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--seconds", type=float, default=3.0, help="as BENCH_SECONDS")
parser.add_argument("--cases", default="mlp,transformer,large,lm", help="as BENCH_CASES")
parser.add_argument("--chunk-ms", type=float, default=25.0, help="as BENCH_CHUNK_MS")
parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
parser.add_argument(
    "--gemm",
    action="store_true",
    help="instead of the cases: GFLOP/s of torch.mm on the language model's product shapes "
    "(scripts/bench/gemm.ts) on --threads, as {gflops: {shape: {label: GF/s}}}. OpenBLAS's "
    "pthread build keeps its own thread count (all cores): for one thread set OPENBLAS_NUM_THREADS=1",
)
args = parser.parse_args()

# Read by the OpenMP runtime when torch loads it, so set before the import.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(args.threads)
torch.manual_seed(0)
LR, RANK = 1e-3, 4
CHUNK_MAX_STEPS = 200


class Params:
    """Frozen weights and trainable variables by name; LoRA adapters (A [in, r], B [r, out])."""

    def __init__(self, specs: list, method: str, lora_targets: list):
        self.p, self.trainable, self.adapters = {}, [], {}
        for name, shape, init in specs:
            t = torch.randn(*shape) * init[1] if init[0] == "std" else torch.full(shape, init[1])
            if method == "full":
                t.requires_grad_()
                self.trainable.append(t)
            self.p[name] = t
        if method == "lora":
            for name in lora_targets:
                d_in, d_out = self.p[f"{name}.W"].shape
                A = (torch.randn(d_in, RANK) / math.sqrt(d_in)).requires_grad_()
                B = torch.zeros(RANK, d_out, requires_grad=True)
                self.adapters[name] = (A, B)
                self.trainable += [A, B]

    def linear(self, name: str, x: torch.Tensor) -> torch.Tensor:
        y = torch.addmm(self.p[f"{name}.b"], x, self.p[f"{name}.W"])
        if name in self.adapters:
            A, B = self.adapters[name]
            y = y + (x @ A) @ B  # α = r: scale 1
        return y


def linear_specs(name: str, d_in: int, d_out: int, std: float) -> list:
    return [(f"{name}.W", (d_in, d_out), ("std", std)), (f"{name}.b", (d_out,), ("const", 0.0))]


def mlp(method: str):
    sizes = [64, 128, 128, 10]
    specs = []
    for i in range(3):
        specs += linear_specs(f"l{i}", sizes[i], sizes[i + 1], math.sqrt(2 / sizes[i]))
    p = Params(specs, method, ["l0", "l1"])

    def forward(x: torch.Tensor) -> torch.Tensor:
        h = torch.relu(p.linear("l0", x))
        h = torch.relu(p.linear("l1", h))
        return p.linear("l2", h)

    x = torch.rand(1024, 64)
    y = torch.randint(0, 10, (1024,))
    return p, forward, x, y, 64


def transformer(vocab: int, context: int, d: int, heads: int, layers: int, method: str, n=256, batch=16):
    dh, std = d // heads, 0.02
    specs = [("tok", (vocab, d), ("std", std)), ("pos", (context, d), ("std", std))]
    linears = []
    for i in range(layers):
        for ln in ("ln1", "ln2"):
            specs += [(f"h{i}.{ln}.g", (d,), ("const", 1.0)), (f"h{i}.{ln}.s", (d,), ("const", 0.0))]
        for m, d_in, d_out in [("q", d, d), ("k", d, d), ("v", d, d), ("o", d, d), ("up", d, 4 * d), ("down", 4 * d, d)]:
            specs += linear_specs(f"h{i}.{m}", d_in, d_out, std)
            linears.append(f"h{i}.{m}")
    specs += [("lnf.g", (d,), ("const", 1.0)), ("lnf.s", (d,), ("const", 0.0))]
    specs += linear_specs("out", d, vocab, std)
    p = Params(specs, method, linears)
    mask = torch.triu(torch.full((context, context), -1e9), diagonal=1)

    def norm(name: str, x: torch.Tensor) -> torch.Tensor:
        return F.layer_norm(x, (d,), p.p[f"{name}.g"], p.p[f"{name}.s"], 1e-5)

    def forward(ids: torch.Tensor) -> torch.Tensor:
        b, t = ids.shape
        h = (F.embedding(ids, p.p["tok"]) + p.p["pos"][:t]).reshape(b * t, d)

        def split(z: torch.Tensor) -> torch.Tensor:
            return z.reshape(b, t, heads, dh).transpose(1, 2)

        for i in range(layers):
            a = norm(f"h{i}.ln1", h)
            q, k, v = (split(p.linear(f"h{i}.{m}", a)) for m in ("q", "k", "v"))
            scores = q @ k.transpose(-1, -2) * (1 / math.sqrt(dh)) + mask[:t, :t]
            ctx = torch.softmax(scores, dim=-1) @ v
            h = h + p.linear(f"h{i}.o", ctx.transpose(1, 2).reshape(b * t, d))
            up = p.linear(f"h{i}.up", norm(f"h{i}.ln2", h))
            h = h + p.linear(f"h{i}.down", F.gelu(up, approximate="tanh"))
        return p.linear("out", norm("lnf", h))

    x = torch.randint(0, vocab, (n, context))
    y = torch.randint(0, vocab, (n, context))
    return p, forward, x, y, batch


class Runner:
    """One case: `chunk()` runs a chunk of steps with one read-back and says how many."""

    def __init__(self, make):
        self.p, self.forward, self.x, self.y, self.batch = make()
        self.opt = torch.optim.Adam(self.p.trainable, lr=LR)
        self.order, self.cursor, self.n = torch.randperm(len(self.x)), 0, 1

    def next_batch(self) -> torch.Tensor:
        if self.cursor + self.batch > len(self.order):
            self.order, self.cursor = torch.randperm(len(self.x)), 0
        idx = self.order[self.cursor : self.cursor + self.batch]
        self.cursor += self.batch
        return idx

    def chunk(self) -> int:
        steps, t0 = self.n, time.perf_counter()
        for _ in range(steps):
            idx = self.next_batch()
            logits = self.forward(self.x[idx])
            loss = F.cross_entropy(logits, self.y[idx].reshape(-1))
            self.opt.zero_grad(set_to_none=True)
            loss.backward()
            self.opt.step()
        loss.item()
        ms = (time.perf_counter() - t0) * 1000
        self.n = max(1, min(CHUNK_MAX_STEPS, round(steps * args.chunk_ms / max(ms, 1))))
        return steps


def interleaved(cases: list, seconds: float) -> dict:
    """Rounds of A B C … each about seconds/5 per case, after a warm-up; median rate per case."""
    rounds, live = 5, [(name, Runner(make), []) for name, make in cases]
    for _, r, _ in live:
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < 0.2:
            r.chunk()
    for _ in range(rounds):
        for name, r, rates in live:
            steps, t0 = 0, time.perf_counter()
            while time.perf_counter() - t0 < seconds / rounds:
                steps += r.chunk()
            rates.append(steps / (time.perf_counter() - t0))
    return {name: statistics.median(rates) for name, _, rates in live}


groups = {
    "mlp": (3, [("ours: MLP full", lambda: mlp("full")), ("ours: MLP LoRA r=4", lambda: mlp("lora"))]),
    "transformer": (
        2,
        [
            ("ours: transformer full", lambda: transformer(21, 32, 48, 4, 2, "full")),
            ("ours: transformer LoRA r=4", lambda: transformer(21, 32, 48, 4, 2, "lora")),
        ],
    ),
    "large": (
        2,
        [
            ("ours: transformer large full", lambda: transformer(96, 64, 128, 4, 4, "full")),
            ("ours: transformer large LoRA r=4", lambda: transformer(96, 64, 128, 4, 4, "lora")),
        ],
    ),
    "lm": (
        2,
        [
            ("ours: language model full", lambda: transformer(96, 64, 96, 4, 3, "full", batch=8)),
            ("ours: language model LoRA r=4", lambda: transformer(96, 64, 96, 4, 3, "lora", batch=8)),
        ],
    ),
}
def blas_library() -> str:
    """The BLAS that torch's products went through: the mapped libblas or OpenBLAS file."""
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "blas" in line.split()[-1]}
    return ", ".join(sorted(paths)) or "none found (torch's own kernels)"


# The product shapes of scripts/bench/gemm.ts: (m, k, n, transposed a), named as there.
GEMM_SHAPES = [
    (512, 96, 96, False),
    (512, 96, 384, False),
    (512, 384, 96, False),
    (96, 512, 96, True),
    (96, 512, 384, True),
    (384, 512, 96, True),
]


def gemm_rates() -> dict:
    """Best-of-12 GFLOP/s of torch.mm per shape on args.threads."""
    out = {}
    for m, k, n, ta in GEMM_SHAPES:
        a = torch.randn(k, m).t() if ta else torch.randn(m, k)
        b, c = torch.randn(k, n), torch.empty(m, n)
        flops = 2 * m * k * n
        reps = max(4, round(2e8 / flops))
        name = f"{'aᵀ·b' if ta else 'a·b'} {m}×{k}·{k}×{n}"
        best = math.inf
        for _ in range(12):
            t0 = time.perf_counter()
            for _ in range(reps):
                torch.mm(a, b, out=c)
            best = min(best, (time.perf_counter() - t0) / reps)
        label = f"PyTorch, {args.threads} thread{'s' if args.threads > 1 else ''}"
        out[name] = {label: flops / best / 1e9}
    return out


if args.gemm:
    print(json.dumps({"torch": torch.__version__, "blas": blas_library(), "gflops": gemm_rates()}))
    raise SystemExit(0)

rates = {}
for group in filter(None, args.cases.split(",")):
    if group not in groups:
        raise SystemExit(f"unknown case group {group!r}; known: {', '.join(groups)}")
    scale, cases = groups[group]
    rates.update(interleaved(cases, args.seconds * scale))
out = {
    "torch": torch.__version__,
    "threads": torch.get_num_threads(),
    "ompWaitPolicy": os.environ["OMP_WAIT_POLICY"],
    "blas": blas_library(),
}
print(json.dumps({**out, "stepsPerSecond": rates}))
