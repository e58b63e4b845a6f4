"""One round trip of tests/check_torch.sh: export a torch network with
tools/resjac-export, compute it with resjac (xval, grad) and hold torch's own
output, Jacobian and input gradient against resjac's within resjac's stated
float error bound.

    roundtrip.py NET N,C,H,W --resjac PATH --export PATH --work DIR
                 [--exact] [--format safetensors|npy] [--no-names] [--control]

The bound.  `resjac xval --json` gives, for float64 and float32, the float
output y_f with a bound oy_f and the float Jacobian J_f with a bound E_f,
|y_f - y| <= oy_f and |J_f - J| <= E_f entrywise, where y and J are the exact
values of the exported network (its float weights read as the dyadic
rationals they are) at the exported point (proofs/fast-error-bound.md).
The bound holds for every computation of the network that fits [FE 1]: IEEE
arithmetic, every matrix or convolution entry a sum of its products in some
order.  torch's CPU kernels are of that kind once oneDNN (mkldnn, which may
use Winograd convolutions) is switched off, which this test does; that is
the one assumption the comparison rests on.  Then, entrywise,

    |y_torch32 - y_64| <= oy_32 + oy_64        |J_torch32 - J_64| <= E_32 + E_64
    |y_torch64 - y_64| <= 2 oy_64              |J_torch64 - J_64| <= 2 E_64
    |g_torch32 - 1'J_64| <= 1'(E_32 + E_64)    (g: input gradient of sum(y))

and, where the exact layer takes the network (--exact), against the exact
Jacobian itself: |J_torch32 - J| <= E_32, |J_torch64 - J| <= E_64.  Every
comparison is done in exact rational arithmetic (Fraction), so the test's
own rounding plays no part.  The bound is a real one: tests/check_fast.c
shows it within one or two orders of magnitude of the observed error, and
--control checks that a network differing from the exported one in a single
weight by 2^-12 of its value is caught.

resjac grad's own backward pass (dy = ones, --json input_grad) is another
computation [FE 1] covers: |g_grad64 - 1'J_64| <= 2 1'E_64 and
|g_grad32 - 1'J_64| <= 1'(E_32 + E_64).  With safetensors, resjac grad
--save must write every parameter gradient under torch's name and shape
(no resjac bound covers parameter gradients: their values get a layout
check, see param_grads).

Prints one line per comparison with the largest |difference| / bound, and
exits 1 on any failure.
"""

import argparse
import copy
import importlib.machinery
import importlib.util
import json
import math
import os
import subprocess
import sys
import time
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
failures = []


def load_exporter(path):
    loader = importlib.machinery.SourceFileLoader("resjac_export", path)
    spec = importlib.util.spec_from_loader("resjac_export", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


def run(cmd, env=None):
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        print("FAIL: %s exited %d\n%s%s" % (" ".join(cmd), p.returncode, p.stdout, p.stderr))
        sys.exit(1)
    return p.stdout


def flat(rows):
    return [v for r in rows for v in r] if rows and isinstance(rows[0], list) else list(rows)


def bound_of(v):
    return math.inf if v == "inf" else v


def add(p, q, k=1):
    """k p + q exactly, or inf."""
    if math.inf in (p, q):
        return math.inf
    return k * Fraction(p) + Fraction(q)


def check(label, got, ref, bounds):
    """|got - ref| <= bound entrywise, exactly; prints the largest ratio."""
    worst, where = Fraction(0), None
    for i, (g, r, b) in enumerate(zip(got, ref, bounds)):
        d = abs(Fraction(g) - (r if isinstance(r, Fraction) else Fraction(r)))
        if b == math.inf:
            failures.append("%s: entry %d has no finite bound (a kink within rounding)"
                            % (label, i + 1))
            return None
        b = b if isinstance(b, Fraction) else Fraction(b)
        if d > b:
            failures.append("%s: entry %d differs by %.3e, bound %.3e"
                            % (label, i + 1, float(d), float(b)))
            print("FAIL  %-44s entry %d: |diff| %.3e > bound %.3e"
                  % (label, i + 1, float(d), float(b)))
            return None
        if b > 0 and d / b > worst:
            worst, where = d / b, i
    print("ok    %-44s %5d entries, max |diff|/bound %.3g" % (label, len(got), float(worst)))
    return float(worst)


def param_grads(model, m64, x, ex, out):
    """resjac grad --save: every parameter gradient under torch's name and
    shape.  No float bound of resjac's covers parameter gradients, so their
    values are held to a layout check only (relative difference below 2^-20
    in float64, which a misplaced or transposed tensor cannot meet) and the
    figures are printed."""
    import torch
    m64.zero_grad()
    xg = x.double().requires_grad_(True)
    with torch.backends.mkldnn.flags(enabled=False):
        m64(xg).sum().backward()
    want = dict(m64.named_parameters())
    ref32 = ex.read_safetensors(os.path.join(out, "reference.safetensors"))
    for dt in ("f64", "f32"):
        got = ex.read_safetensors(os.path.join(out, "grad_%s.safetensors" % dt))
        worst = 0.0
        for name, p in want.items():
            if name not in got:
                failures.append("grad --save %s: no tensor '%s'" % (dt, name))
                continue
            if list(got[name][0]) != list(p.shape):
                failures.append("grad --save %s: '%s' has shape %s, torch's %s"
                                % (dt, name, got[name][0], list(p.shape)))
                continue
            ref = p.grad.reshape(-1).tolist() if dt == "f64" else ref32[name][1]
            scale = max(abs(v) for v in ref) or 1.0
            d = max(abs(u - v) for u, v in zip(got[name][1], ref)) / scale
            worst = max(worst, d)
        extra = sorted(set(got) - set(want) - {"input"})
        if extra:
            failures.append("grad --save %s: tensors torch does not have: %s" % (dt, extra))
        ok = dt == "f32" or worst <= 2.0 ** -20
        if not ok:
            failures.append("grad --save f64: parameter gradients differ from torch's by "
                            "%.3g relative" % worst)
        print("%-5s %-44s %5d tensors, max relative difference %.3g (vs torch %s)"
              % ("ok" if ok else "FAIL", "parameter gradients: grad --save " + dt,
                 len(want), worst, "f64" if dt == "f64" else "f32 reference"))


def control(model, x, Jr, E32, E64, n_out):
    """A network one weight away must be caught by the same bounds: the
    float32 comparison at a relative change of 2^-8, the float64 one at
    2^-30 (a float32 rounding of the weights is 2^-24)."""
    import torch
    from torch.autograd.functional import jacobian
    for dt, k, bounds in ((torch.float32, 8, E32), (torch.float64, 30, E64)):
        bad = copy.deepcopy(model).to(dt)
        with torch.no_grad():
            p = next(bad.parameters()).view(-1)
            i = int(p.abs().argmax())
            p[i] += p[i] * 2.0 ** -k
        with torch.backends.mkldnn.flags(enabled=False):
            Jb = jacobian(lambda v: bad(v).reshape(-1), x.to(dt)).reshape(n_out, -1).tolist()
        ratio = max(abs(Fraction(g) - Fraction(r)) / b if b else 0
                    for g, r, b in zip(flat(Jb), Jr, bounds))
        caught = ratio > 1
        label = "control: the largest first-layer weight * (1 + 2^-%d) in %s" % (
            k, str(dt)[6:])
        print("%-5s %-44s caught: max |diff|/bound %.3g" % ("ok" if caught else "FAIL",
                                                          label, float(ratio)))
        if not caught:
            failures.append(label + ": it is not")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("net")
    ap.add_argument("shape")
    ap.add_argument("--resjac", required=True)
    ap.add_argument("--export", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--exact", action="store_true")
    ap.add_argument("--format", default="safetensors")
    ap.add_argument("--no-names", action="store_true")
    ap.add_argument("--control", action="store_true")
    a = ap.parse_args()

    import torch
    from torch.autograd.functional import jacobian
    torch.set_num_threads(1)

    ex = load_exporter(a.export)
    spec = "rjnets:" + a.net
    out = os.path.join(a.work, a.net)
    env = dict(os.environ)
    env["PYTHONPATH"] = HERE + os.pathsep + env.get("PYTHONPATH", "")
    t0 = time.time()
    cmd = [sys.executable, a.export, spec, "--input-shape", a.shape, "-o", out,
           "--reference", "--format", a.format] + (["--no-names"] if a.no_names else [])
    run(cmd, env)
    print("      %-44s exported in %.2f s" % (a.net, time.time() - t0))

    sys.path.insert(0, HERE)
    shape = tuple(int(s) for s in a.shape.split(","))
    model = ex.build(spec, {}, 0)
    x = ex.point(model, shape, 0)
    model_rj = os.path.join(out, "model.rj")
    xj = json.loads(run([a.resjac, "xval", model_rj, "--json"]))

    def save(dt):
        if a.format != "safetensors" or a.no_names:
            return []
        return ["--save", os.path.join(out, "grad_%s.safetensors" % dt)]
    sides = {s["dtype"]: s for s in xj["float"]}
    f64, f32 = sides["f64"], sides["f32"]
    for s in (f64, f32):
        if not s["certified"]:
            failures.append("xval %s: not certified (%s)" % (s["dtype"],
                                                             s.get("kink_within_rounding")))
    if not xj["agree"]:
        failures.append("resjac xval: its float, exact and precise layers disagree")

    with torch.backends.mkldnn.flags(enabled=False):
        m64 = copy.deepcopy(model).double()
        x64 = x.double()
        y32 = model(x).detach().reshape(-1).tolist()
        y64 = m64(x64).detach().reshape(-1).tolist()
        n_out = len(y32)
        J32 = jacobian(lambda v: model(v).reshape(-1), x).reshape(n_out, -1).tolist()
        J64 = jacobian(lambda v: m64(v).reshape(-1), x64).reshape(n_out, -1).tolist()
        xg = x.clone().requires_grad_(True)
        model(xg).sum().backward()
        g32 = xg.grad.reshape(-1).tolist()

    # the reference file holds what torch computes (the exporter's --reference)
    if a.format == "safetensors":
        ref = ex.read_safetensors(os.path.join(out, "reference.safetensors"))
        r_out, r_in = ref["output"][1], ref["input"][1]
    else:
        r_out = ex.read_npy(os.path.join(out, "reference", "output.npy"))[1]
        r_in = ex.read_npy(os.path.join(out, "reference", "input.npy"))[1]
    if r_out != y32 or r_in != g32:
        failures.append("reference file: output or input gradient differ from torch's")

    oy64, oy32 = [bound_of(v) for v in f64["output_bound"]], \
        [bound_of(v) for v in f32["output_bound"]]
    yr = f64["output"]
    check("output: torch f32 vs resjac f64", y32, yr, [add(p, q) for p, q in zip(oy32, oy64)])
    check("output: torch f64 vs resjac f64", y64, yr, [add(p, p) for p in oy64])

    Jr = flat(f64["jacobian"])
    E64 = [bound_of(v) for v in flat(f64["bound"])]
    E32 = [bound_of(v) for v in flat(f32["bound"])]
    if math.inf in E64 or math.inf in E32:
        failures.append("xval: a Jacobian entry has no finite bound")
        E64 = E32 = None
    if E64 is not None:
        E6432 = [add(p, q) for p, q in zip(E32, E64)]
        check("jacobian: torch f32 vs resjac f64", flat(J32), Jr, E6432)
        E2 = [add(p, p) for p in E64]
        check("jacobian: torch f64 vs resjac f64", flat(J64), Jr, E2)
        n_in = len(J32[0])
        col = lambda M, j: sum((Fraction(M[i * n_in + j]) for i in range(n_out)), Fraction(0))
        gref = [col(Jr, j) for j in range(n_in)]
        gb = [col(E6432, j) for j in range(n_in)]
        check("input gradient: torch f32 vs 1'J resjac f64", g32, gref, gb)
        # resjac grad's own backward pass (another computation of the kind
        # [FE 1] covers), float64 and float32, against the same 1'J
        g2 = [col(E2, j) for j in range(n_in)]
        for dt, bnd in (("f64", g2), ("f32", gb)):
            gj = json.loads(run([a.resjac, "grad", model_rj, "--dtype", dt, "--json"]
                                + save(dt)))
            check("input gradient: resjac grad %s vs 1'J resjac f64" % dt,
                  flat(gj[0]["input_grad"]), gref, bnd)
        if a.format == "safetensors":
            param_grads(model, m64, x, ex, out)
        if a.exact:
            if xj["exact"] is not True:
                failures.append("xval: no exact Jacobian (%s)" % xj["exact"])
            else:
                Je = [Fraction(s) for s in flat(xj["exact_jacobian"])]
                check("jacobian: torch f32 vs exact", flat(J32), Je, E32)
                check("jacobian: torch f64 vs exact", flat(J64), Je, E64)
        if a.control:
            control(model, x, Jr, E6432, E2, n_out)

    for f in failures:
        print("FAIL: %s: %s" % (a.net, f))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
