"""Networks of the torch round-trip test (tests/check_torch.sh).

Each builder returns a module with its random initialisation; the exporter
seeds torch before calling it, so the test rebuilds the same weights."""

import torch
import torch.nn as nn
import torch.nn.functional as F


class ResMLPBlock(nn.Module):
    """x + W2 relu(W1 x + b1) + b2, written as a custom forward."""

    def __init__(self, d, h):
        super().__init__()
        self.f = nn.Sequential(nn.Linear(d, h), nn.ReLU(), nn.Linear(h, d))

    def forward(self, x):
        return x + self.f(x)


def resmlp():
    """A residual MLP: a stem, four residual blocks, a tanh head."""
    return nn.Sequential(nn.Linear(6, 8), *[ResMLPBlock(8, 12) for _ in range(4)],
                         nn.Tanh(), nn.Linear(8, 3))


class Basic(nn.Module):
    """A post-activation basic block, relu(bn2(conv2(relu(bn1(conv1 x)))) + s(x)),
    with a 1x1 stride-2 projection when the shape changes."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.short = None
        if stride != 1 or cin != cout:
            self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                       nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        s = x if self.short is None else self.short(x)
        return F.relu(out + s)


class TinyResNet(nn.Module):
    def __init__(self, width=4, classes=5):
        super().__init__()
        self.conv = nn.Conv2d(3, width, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(width)
        self.layer1 = Basic(width, width, 1)
        self.layer2 = Basic(width, 2 * width, 2)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(2 * width, classes)

    def forward(self, x):
        x = F.relu(self.bn(self.conv(x)))
        x = self.layer2(self.layer1(x))
        return self.fc(torch.flatten(self.pool(x), 1))


def _randomise_bn(m, exact_sqrt=False):
    """Running statistics and affine parameters away from the defaults (so a
    batchnorm exported in the wrong order shows).  exact_sqrt: eps = 0 and
    each var a square of a dyadic, so that the exact layer takes it."""
    g = torch.Generator().manual_seed(5)
    for mod in m.modules():
        if isinstance(mod, (nn.BatchNorm1d, nn.BatchNorm2d)):
            c = mod.num_features
            mod.running_mean.copy_(torch.randn(c, generator=g) * 0.1)
            if exact_sqrt:
                mod.eps = 0.0
                mod.running_var.copy_(((torch.randint(2, 7, (c,), generator=g)) / 4.0) ** 2)
            else:
                mod.running_var.copy_(torch.rand(c, generator=g) + 0.5)
            mod.weight.data.copy_(torch.rand(c, generator=g) + 0.5)
            mod.bias.data.copy_(torch.randn(c, generator=g) * 0.1)
    return m


def tinyresnet():
    """Conv stem with BN, an identity basic block, a stride-2 projection block."""
    return _randomise_bn(TinyResNet())


def exactconv():
    """A small conv ResNet the exact layer takes: ReLU, average pooling and
    batchnorms with eps = 0 and var a dyadic square."""
    m = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.BatchNorm2d(3), nn.ReLU(),
                      Basic(3, 3, 1), Basic(3, 4, 2), nn.AvgPool2d(2), nn.Flatten(),
                      nn.Linear(4, 3))
    return _randomise_bn(m, exact_sqrt=True)


def smooth():
    """Smooth activations: the precise layer only (no exact one)."""
    return nn.Sequential(nn.Linear(5, 6), ResMLPSmooth(6), nn.SiLU(), nn.Linear(6, 2))


def layernorm():
    """LayerNorm, leaky ReLU, sigmoid, max pooling: exported and read; resjac
    has no written float bound for layernorm yet, so no bounded comparison."""
    return nn.Sequential(nn.Conv2d(2, 3, 3), nn.MaxPool2d(2), nn.LeakyReLU(0.1),
                         nn.Flatten(), nn.LayerNorm(12), nn.Linear(12, 4), nn.Sigmoid())


class ResMLPSmooth(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.f = nn.Sequential(nn.Linear(d, d), nn.GELU(), nn.Linear(d, d), nn.Softplus(),
                               nn.Linear(d, d), nn.ELU(), nn.Linear(d, d))

    def forward(self, x):
        return torch.relu(x + self.f(x))


class Unsupported(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(4, 4), nn.Hardswish())

    def forward(self, x):
        return self.body(x)


def unsupported():
    """Hardswish has no resjac counterpart: the export must stop and name it."""
    return Unsupported()


class Scaled(nn.Module):
    def __init__(self):
        super().__init__()
        self.f = nn.Linear(4, 4)

    def forward(self, x):
        return x + 0.5 * self.f(x)


def scaled_branch():
    """x + 0.5 f(x): a multiplication resjac's blocks do not have."""
    return Scaled()


def tv_resnet():
    """torchvision's own blocks, small: a stem, a BasicBlock, a BasicBlock with
    a stride-2 downsample, a Bottleneck with a stride-2 downsample."""
    from torchvision.models.resnet import BasicBlock, Bottleneck

    def down(cin, cout):
        return nn.Sequential(nn.Conv2d(cin, cout, 1, 2, bias=False), nn.BatchNorm2d(cout))
    m = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU(),
                      BasicBlock(4, 4), BasicBlock(4, 8, 2, down(4, 8)),
                      Bottleneck(8, 4, 2, down(8, 16)), nn.AdaptiveAvgPool2d(1),
                      nn.Flatten(), nn.Linear(16, 3))
    return _randomise_bn(m)


class Nested(nn.Module):
    def __init__(self):
        super().__init__()
        self.inner = ResMLPBlock(4, 4)
        self.lin = nn.Linear(4, 4)

    def forward(self, x):
        return x + self.lin(self.inner(x))


def nested():
    """A residual block inside another's branch: resjac's branches are layer
    lists, so the export must refuse it."""
    return Nested()
