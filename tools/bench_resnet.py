#!/usr/bin/env python3
"""ResNet-20 for CIFAR in PyTorch (Debian's python3-torch), the work of
`bench_resnet fast` for tools/bench_resnet.sh.  Prints key=value lines.

The network is built in the order tools/bench_resnet.c builds it, every
parameter read from DIR/weights.f32 (raw float32, construction order: each
conv's kernel C_out x C_in x kh x kw; each BatchNorm's gamma, beta, running
mean, running var; the dense layer's weight 10 x 64 and bias), so both sides
run the same network on the same input DIR/x.f32 (128 x 3 x 32 x 32) with the
same cotangent DIR/dy.f32 (128 x 10).  Times forward + backward (input and
every parameter gradient), eval-mode BatchNorm, float32, and compares the
output and input gradient with resjac's (DIR/y.f32, DIR/dx.f32).
usage: bench_resnet.py DIR [REPS]"""
import os
import resource
import statistics
import sys
import time

import numpy as np
import torch
from torch import nn


class Reader:
    def __init__(self, path):
        self.data = np.fromfile(path, dtype=np.float32)
        self.pos = 0

    def take(self, *shape):
        n = int(np.prod(shape))
        a = self.data[self.pos:self.pos + n].reshape(shape)
        self.pos += n
        return torch.from_numpy(a.copy())


def conv(rd, cin, cout, k, stride):
    c = nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2, bias=False)
    c.weight.data.copy_(rd.take(cout, cin, k, k))
    return c


def bn(rd, c):
    b = nn.BatchNorm2d(c)   # eps 1e-5, as resjac's default 1/100000
    b.weight.data.copy_(rd.take(c))
    b.bias.data.copy_(rd.take(c))
    b.running_mean.copy_(rd.take(c))
    b.running_var.copy_(rd.take(c))
    return b


class Basic(nn.Module):
    def __init__(self, rd, cin, cout, stride):
        super().__init__()
        self.conv1 = conv(rd, cin, cout, 3, stride)
        self.bn1 = bn(rd, cout)
        self.conv2 = conv(rd, cout, cout, 3, 1)
        self.bn2 = bn(rd, cout)
        self.shortcut = None
        if stride != 1:
            self.shortcut = nn.Sequential(conv(rd, cin, cout, 1, stride), bn(rd, cout))

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return torch.relu(out + (x if self.shortcut is None else self.shortcut(x)))


class ResNet20(nn.Module):
    def __init__(self, rd):
        super().__init__()
        self.conv = conv(rd, 3, 16, 3, 1)
        self.bn = bn(rd, 16)
        blocks, cin = [], 16
        for s, c in enumerate((16, 32, 64)):
            for j in range(3):
                blocks.append(Basic(rd, cin, c, 2 if s > 0 and j == 0 else 1))
                cin = c
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(64, 10)
        self.fc.weight.data.copy_(rd.take(10, 64))
        self.fc.bias.data.copy_(rd.take(10))
        assert rd.pos == rd.data.size, "weights.f32 does not match the network"

    def forward(self, x):
        h = torch.relu(self.bn(self.conv(x)))
        h = self.blocks(h)
        return self.fc(h.mean(dim=(2, 3)))


def main():
    d = sys.argv[1]
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    torch.set_num_threads(os.cpu_count() or 1)
    B = 128
    net = ResNet20(Reader(os.path.join(d, "weights.f32"))).eval()
    x0 = torch.from_numpy(np.fromfile(os.path.join(d, "x.f32"), dtype=np.float32)).reshape(B, 3, 32, 32)
    dy = torch.from_numpy(np.fromfile(os.path.join(d, "dy.f32"), dtype=np.float32)).reshape(B, 10)

    def run():
        x = x0.clone().requires_grad_()
        y = net(x)
        y.backward(dy)
        for p in net.parameters():
            p.grad = None
        return y, x.grad

    y, dx = run()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        run()
        ts.append(time.perf_counter() - t0)
    print("torch_version=%s" % torch.__version__)
    print("torch_threads=%d" % torch.get_num_threads())
    print("torch_seconds=%.4f" % statistics.median(ts))
    yc = np.fromfile(os.path.join(d, "y.f32"), dtype=np.float32).reshape(B, 10)
    dxc = np.fromfile(os.path.join(d, "dx.f32"), dtype=np.float32).reshape(B, 3, 32, 32)
    yt, dxt = y.detach().numpy(), dx.numpy()
    # relative Frobenius distances: a relu mask that flips under float32
    # rounding on either side moves single entries of dx by more
    print("agree_y_rel=%.2e" % (np.linalg.norm(yt - yc) / np.linalg.norm(yt)))
    print("agree_dx_rel=%.2e" % (np.linalg.norm(dxt - dxc) / np.linalg.norm(dxt)))
    print("torch_peak_rss_mb=%.1f" % (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


if __name__ == "__main__":
    main()
