"""The native reference for the trainer's speed: PyTorch fine-tuning the same MLP (64-128-128-10,
batch 64, Adam, random data) as scripts/bench/cases.ts, in steps per second, on each device
PyTorch sees (cpu, and cuda when present). Prints one JSON line. Run: python3 torch_mlp.py [seconds]
"""
import json
import sys
import time

import torch

seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
torch.manual_seed(0)


def rate(device: str) -> float:
    net = torch.nn.Sequential(
        torch.nn.Linear(64, 128), torch.nn.ReLU(),
        torch.nn.Linear(128, 128), torch.nn.ReLU(),
        torch.nn.Linear(128, 10),
    ).to(device)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    x = torch.rand(1024, 64, device=device)
    y = torch.randint(0, 10, (1024,), device=device)

    def steps(n: int) -> None:
        for i in range(n):
            j = torch.randint(0, 1024, (64,), device=device)
            loss = torch.nn.functional.cross_entropy(net(x[j]), y[j])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        loss.item()  # one read-back per chunk, like ours

    steps(50)
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        steps(100)
        n += 100
    return n / (time.perf_counter() - t0)


out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "cpu": rate("cpu")}
torch.set_num_threads(1)
out["cpu_1thread"] = rate("cpu")
if torch.cuda.is_available():
    out["cuda"] = rate("cuda")
    out["gpu"] = torch.cuda.get_device_name(0)
print(json.dumps(out))
