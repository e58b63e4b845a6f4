#!/usr/bin/env python3
"""The work of tools/bench_fast.c in PyTorch (Debian's python3-torch), for
tools/bench_fast.sh.  Prints key=value lines.

(a) forward + backward (input and weight gradients) of 100 pre-activation
    blocks y = x + W2 relu(W1 relu(x)), width 512, batch 256, float32;
(b) the path-length-resolved gradient of 54 such blocks, width 256, batch 64,
    float64: the same dynamic programme (L + 1 vectors per item carried
    backwards, one batched matmul chain per block on the lengths still
    nonzero), forward pass included.
usage: bench_fast.py [a|b|all] [REPS]"""
import os
import resource
import statistics
import sys
import time

import torch


def bench_a(reps):
    L, n, B = 100, 512, 256
    g = torch.Generator().manual_seed(1)
    W1 = [(torch.randn(n, n, generator=g) * (2 / n) ** 0.5).requires_grad_() for _ in range(L)]
    W2 = [(torch.randn(n, n, generator=g) * (2 / (n * L)) ** 0.5).requires_grad_()
          for _ in range(L)]
    x0 = torch.randn(B, n, generator=g)
    dy = torch.randn(B, n, generator=g)

    def run():
        x = x0.clone().requires_grad_()
        h = x
        for l in range(L):
            h = h + torch.relu(torch.relu(h) @ W1[l].t()) @ W2[l].t()
        h.backward(dy)
        for w in W1 + W2:
            w.grad = None
        return x.grad

    run()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        run()
        ts.append(time.perf_counter() - t0)
    print("torch_a_seconds=%.4f" % statistics.median(ts))


def bench_b(reps):
    L, n, B = 54, 256, 64
    dt = torch.float64
    g = torch.Generator().manual_seed(2)
    W1 = [torch.randn(n, n, generator=g, dtype=dt) * (2 / n) ** 0.5 for _ in range(L)]
    W2 = [torch.randn(n, n, generator=g, dtype=dt) * (2 / (n * L)) ** 0.5 for _ in range(L)]
    x = torch.randn(B, n, generator=g, dtype=dt)
    dy = torch.ones(B, n, dtype=dt)

    def run():
        with torch.no_grad():
            hs, masks = [x], []
            for l in range(L):
                h = hs[-1]
                a = torch.relu(torch.relu(h) @ W1[l].t())
                masks.append(a > 0)
                hs.append(h + a @ W2[l].t())
            V = torch.zeros(L + 1, B, n, dtype=dt)
            V[0] = dy
            for j, l in enumerate(reversed(range(L))):
                K = j + 1                       # lengths 0 .. j are live
                t = (V[:K] @ W2[l]) * masks[l]  # branch: W2, inner relu'
                q = (t @ W1[l]) * (hs[l] > 0)   # W1, outer relu' (pre)
                V[1:K + 1] += q                 # identity skip keeps V_k
            return V

    run()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        run()
        ts.append(time.perf_counter() - t0)
    print("torch_b_seconds=%.4f" % statistics.median(ts))


def main():
    which = sys.argv[1] if len(sys.argv) > 1 else "all"
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    torch.set_num_threads(os.cpu_count() or 1)
    print("torch_version=%s" % torch.__version__)
    print("torch_threads=%d" % torch.get_num_threads())
    if which in ("a", "all"):
        bench_a(reps)
    if which in ("b", "all"):
        bench_b(reps)
    print("torch_peak_rss_mb=%.1f" % (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


if __name__ == "__main__":
    main()
