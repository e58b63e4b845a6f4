#!/bin/sh
# include "file.rj", name = "...", and resjac grad --save / --json (issue 12b).
# Includes: a model split over files gives the verdicts of the same model in
# one file; errors in an included file are located there (line and column
# found here with awk) and say where it was included from; cycles, missing
# files and nesting are refused with exit 2.
set -u
R=./resjac
fail=0
d=$(mktemp -d)
out=$d/out
err=$d/err
trap 'rm -rf "$d"' EXIT

bad() { echo "FAIL: $*"; fail=1; }

# expect CODE CMD ARGS...: run resjac CMD, compare the exit status
expect() {
    code=$1
    shift
    $R "$@" >"$out" 2>"$err"
    rc=$?
    [ "$rc" -eq "$code" ] || { bad "resjac $*: exit $rc, expected $code"; cat "$out" "$err"; }
}

# verdict and name of every claim line
verdicts() {
    sed -n 's/^\(NOT REFUTED\|[A-Z][A-Z_]*\)  *\([A-Za-z0-9_-]*\)  .*/\1|\2/p' "$1"
}

# ---- one model, in one file and split over four files in two directories
mkdir -p "$d/lib"
cat >"$d/one.rj" <<'E'
let W = [[1/2, -1], [1/4, 2]]
let B = block(W1 = W, b1 = [1, -1], act = relu, W2 = W', skip = identity)
let net = net(B, B)
let x = [1, 2]
claim width "E1" expect PROVED: rows(W) == 2
claim lipschitz "E2" expect REFUTED: jacobian(net, x) == jacobian(B, x)
E
cat >"$d/lib/weights.rj" <<'E'
let W = [[1/2, -1], [1/4, 2]]
claim width "E1" expect PROVED: rows(W) == 2
E
cat >"$d/lib/block.rj" <<'E'
include "weights.rj"
let B = block(W1 = W, b1 = [1, -1], act = relu, W2 = W', skip = identity)
E
cat >"$d/model.rj" <<'E'
include "lib/block.rj"
let net = net(B, B)
let x = [1, 2]
E
cat >"$d/claims.rj" <<'E'
# the claims about model.rj; weights.rj is included twice, read once
include "model.rj"
include "lib/weights.rj"
claim lipschitz "E2" expect REFUTED: jacobian(net, x) == jacobian(B, x)
E
expect 0 check "$d/one.rj"
verdicts "$out" | sort >"$d/v1"
expect 0 check "$d/claims.rj"
verdicts "$out" | sort >"$d/v2"
[ -s "$d/v1" ] || bad "one.rj: no claim lines"
cmp -s "$d/v1" "$d/v2" || { bad "split model: other verdicts"; diff "$d/v1" "$d/v2"; }
[ "$(tail -n 1 "$out")" = "2 passed, 0 failed" ] || bad "claims.rj summary: $(tail -n 1 "$out")"
# a claim of an included file is reported at its own file and line
expect 0 check --json "$d/claims.rj"
grep -q "\"file\": \"$d/lib/weights.rj\"" "$out" || bad "included claim not located in weights.rj"
# the model tools read it too
expect 0 grad "$d/model.rj"
expect 0 grad "$d/one.rj"

# ---- model and claims given as two files: no sharing, but a hint
cat >"$d/only-claims.rj" <<'E'
claim w "E" expect PROVED: rows(W) == 2
E
expect 2 check "$d/model.rj" "$d/only-claims.rj"
grep -q "undefined name 'W'" "$out" || bad "two files: no undefined-name error"
grep -q 'include "that-file.rj"' "$err" || bad "two files: no include hint: $(cat "$err")"

# ---- an error in an included file: its file, line and column, and the chain
printf 'let ok = 1\nlet oops = ok + missing_name\n' >"$d/lib/broken.rj"
printf 'include "broken.rj"\n' >"$d/lib/mid.rj"
printf '# top\n\ninclude "lib/mid.rj"\n' >"$d/top.rj"
col=$(awk 'NR == 2 { print index($0, "missing_name") }' "$d/lib/broken.rj")
expect 2 check "$d/top.rj"
grep -q "$d/lib/broken.rj:2:$col: undefined name 'missing_name' (included from $d/lib/mid.rj:1:1, from $d/top.rj:3:1)" "$out" \
    || bad "error in an included file: $(cat "$out")"
# a syntax error there: exit 2, the same location form
printf 'let ok = 1\nlet oops = [1, 2\n' >"$d/lib/broken.rj"
expect 2 check "$d/top.rj"
grep -q "^resjac: $d/lib/broken.rj:3:1: .*(included from $d/lib/mid.rj:1:1, from $d/top.rj:3:1)" "$err" \
    || bad "syntax error in an included file: $(cat "$err")"

# ---- cycles, missing files, depth
printf 'include "c2.rj"\n' >"$d/c1.rj"
printf 'let a = 1\ninclude "c1.rj"\n' >"$d/c2.rj"
expect 2 check "$d/c1.rj"
grep -q "^resjac: $d/c2.rj:2:1: include cycle" "$err" || bad "cycle: $(cat "$err")"
printf 'let a = 1\ninclude "nowhere.rj"\n' >"$d/miss.rj"
expect 2 check "$d/miss.rj"
grep -q "^resjac: $d/miss.rj:2:9: cannot include \"nowhere.rj\"" "$err" \
    || bad "missing include: $(cat "$err")"
i=0
while [ $i -le 17 ]; do
    if [ $i -lt 17 ]; then printf 'include "d%d.rj"\n' $((i + 1)) >"$d/d$i.rj"
    else printf 'let deepest = 1\n' >"$d/d$i.rj"; fi
    i=$((i + 1))
done
expect 0 check "$d/d1.rj"
expect 2 check "$d/d0.rj"
grep -q "^resjac: $d/d16.rj:1:1: includes nested deeper than 16" "$err" \
    || bad "depth 17: $(cat "$err")"

# ---- include in a Markdown lesson: relative to the .md
mkdir -p "$d/lesson"
printf 'let M = [[2, 0], [0, 2]]\n' >"$d/lesson/defs.rj"
cat >"$d/lesson/l.md" <<'E'
# A lesson

```resjac
include "defs.rj"
```

Text.

```resjac
claim doubled "L1" expect PROVED: M * [1, 1] == [2, 2]
```
E
expect 0 check "$d/lesson/l.md"
[ "$(tail -n 1 "$out")" = "1 passed, 0 failed" ] || bad "lesson include: $(cat "$out" "$err")"

# a claim of an included file, in the report: after the block that includes it
printf 'claim inc_claim "L0" expect PROVED: rows(M) == 2\n' >>"$d/lesson/defs.rj"
cat >"$d/lesson/l2.md" <<'E'
# Two

```resjac
claim first "L1" expect PROVED: 1 == 1
```

```resjac
include "defs.rj"
```

```resjac
claim doubled "L2" expect PROVED: M * [1, 1] == [2, 2]
```
E
expect 0 check "$d/lesson/l2.md" --report "$d/lesson/r.md"
grep -n '^> \*\*PROVED\*\*' "$d/lesson/r.md" | sed 's/:.*`\([a-z_]*\)`.*/ \1/' >"$d/order"
inc_at=$(sed -n 's/ inc_claim$//p' "$d/order")
fence=$(awk '/^include/ { print NR; exit }' "$d/lesson/r.md")
doubled=$(sed -n 's/ doubled$//p' "$d/order")
[ -n "$inc_at" ] && [ "$inc_at" -gt "$fence" ] && [ "$inc_at" -lt "$doubled" ] \
    || bad "report: the included claim is not after its include: $(cat "$d/order")"
grep -q "inc_claim\` \[L0\] ($d/lesson/defs.rj line 2)" "$d/lesson/r.md" \
    || bad "report: the included claim does not name its file: $(grep inc_claim "$d/lesson/r.md")"

# ---- name = "...": two layers of one block under one name are refused
cat >"$d/dup.rj" <<'E'
let B = block(branch = [dense([[1, 2], [3, 4]], name = "fc"), relu, dense([[1, 0], [0, 1]], name = "fc")])
E
expect 2 check "$d/dup.rj"
grep -q 'dup.rj:1:9: block: two layers are named "fc"' "$out" || bad "duplicate names: $(cat "$out")"

# ---- resjac grad --save FILE.safetensors|.npz and --json
cat >"$d/g.rj" <<'E'
let K = [[1/2, -1, 1/4, 1/8, 1, 0, -1/2, 1/4], [1, 1, 1, 1, -1, -1, -1, -1]]
let C = block(branch = [conv2d(K, [1/8, -1/8], kernel = 2, padding = 1, name = "layer1.0.conv1"),
                        batchnorm([1, 2], [0, 1/2], [0, 0], [1, 1], name = "layer1.0.bn1"), relu,
                        maxpool(2, stride = 1)],
              shape = [2, 2, 2], name = "layer1.0")
let D = block(branch = [flatten, dense([[1, 2, 3, 4, 5, 6, 7, 8], [0, 1, 0, 1, 0, 1, 0, 1]], [1, 2], name = "fc")],
              skip = none, shape = [2, 2, 2])
let S = block(W1 = [[1, 2], [3, 4], [5, 6]], b1 = [1, 1, 1], act = relu, W2 = [[1, 0, 1], [0, 1, 1]])
let net = net(C, D, S)
let x = [1, 2, 3, 4, -1, -2, 1/2, 1/4]
let X2 = [[1, 0], [2, 1], [3, 1], [4, 1], [-1, 1], [-2, 1], [1/2, 1], [1/4, 1]]
let twice = net(repeat(C, 2))
E
expect 0 grad "$d/g.rj" --save "$d/g.safetensors"
[ -s "$d/g.safetensors" ] || bad "--save: no safetensors file"
expect 0 grad "$d/g.rj" --save "$d/g.npz" --json
cp "$out" "$d/g.json"
[ -s "$d/g.npz" ] || bad "--save: no npz file"
grep -q '"input_grad": \[' "$d/g.json" || bad "--json: no input_grad"
expect 0 grad "$d/g.rj" --at X2 --dtype f32 --save "$d/g32.npz" --json
cp "$out" "$d/g32.json"
ls "$d" | grep -q 'tmp-' && bad "--save left a temporary file: $(ls "$d")"
# refused before any work: exit 2 and no file
expect 2 grad "$d/g.rj" --save "$d/g.npy"
grep -q "ending in .safetensors or .npz" "$err" || bad "--save .npy: $(cat "$err")"
expect 2 grad "$d/g.rj" --save "$d/no/such/dir/g.npz"
# a directory of that name: refused with the options, not by rename after the work
mkdir "$d/adir.npz"
expect 2 grad "$d/g.rj" --save "$d/adir.npz"
grep -q -- "--save: $d/adir.npz: is a directory" "$err" || bad "--save DIR: $(cat "$err")"
expect 2 grad --random 3,4 --save "$d/r.npz"
grep -q "needs a MODEL" "$err" || bad "--save --random: $(cat "$err")"
# a named block repeated: two parameters of one name, nothing written
expect 2 grad "$d/g.rj" --net twice --save "$d/twice.npz"
grep -q "two tensors are named 'layer1.0." "$err" || bad "duplicate names: $(cat "$err")"
[ -e "$d/twice.npz" ] && bad "duplicate names: a file was written"
ls "$d" | grep -q 'tmp-' && bad "refused --save left a temporary file"
# an activation that overflows (10^150 * 10^160): every h_l gradient is
# finite, the gradient of W2 is inf; refused, not dropped from --json (an
# empty weight_grad_norm_per_block) nor written for load() to refuse
cat >"$d/ovf.rj" <<'E'
let B = block(W1 = [[10^150, 0], [0, 1]], act = relu, W2 = [[1, 0], [0, 1]])
let net = net(B)
let x = [10^160, 2]
E
expect 2 grad "$d/ovf.rj" --json
grep -q "gradient of block 1's parameters overflows" "$err" || bad "overflow --json: $(cat "$out" "$err")"
expect 2 grad "$d/ovf.rj" --save "$d/ovf.safetensors"
[ -e "$d/ovf.safetensors" ] && bad "overflowing gradient: a file was written"
# --graded --json: path-length parts beyond the double range (C(700, k) 2^k;
# the gradient itself is (1 - 2)^700 = 1) are written "inf", never dropped:
# every path length keeps its "norm" and "mean_norm_per_path"
cat >"$d/grades.rj" <<'E'
let B = block(W1 = [[1]], act = identity, W2 = [[-2]])
let net = net(repeat(B, 700))
let x = [1]
E
expect 0 grad "$d/grades.rj" --graded --json
k=$(grep -c '"k": ' "$out")
[ "$k" -eq 701 ] && [ "$(grep -c '"norm": ' "$out")" -eq "$k" ] \
    && [ "$(grep -c '"mean_norm_per_path": ' "$out")" -eq "$k" ] \
    && grep -q '"norm": "inf"' "$out" || bad "--graded --json: entries dropped: $(grep -c '"norm": ' "$out") norms for $k path lengths"

# read back with NumPy (an independent reader) when /usr/bin/python3 has it:
# the npz and safetensors files hold the same tensors, "input" is the
# --json input gradient, and the names and shapes are PyTorch's
if /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
    /usr/bin/python3 - "$d" >"$d/py" 2>&1 <<'E' || { bad "NumPy read-back: $(cat "$d/py")"; }
import json, struct, sys
import numpy as np
d = sys.argv[1]
def safetensors(path):
    b = open(path, "rb").read()
    n = struct.unpack("<Q", b[:8])[0]
    assert n % 8 == 0
    h = json.loads(b[8:8 + n])
    out = {}
    for k, v in h.items():
        s, e = v["data_offsets"]
        dt = {"F64": "<f8", "F32": "<f4"}[v["dtype"]]
        out[k] = np.frombuffer(b[8 + n + s:8 + n + e], dtype=dt).reshape(v["shape"])
    return out
st = safetensors(d + "/g.safetensors")
nz = np.load(d + "/g.npz")
assert sorted(st) == sorted(nz.files), (sorted(st), nz.files)
for k in st:
    assert st[k].shape == nz[k].shape and st[k].dtype == nz[k].dtype, k
    assert np.array_equal(st[k], nz[k]), k
shapes = {"input": (1, 2, 2, 2), "layer1.0.conv1.weight": (2, 2, 2, 2),
          "layer1.0.conv1.bias": (2,), "layer1.0.bn1.weight": (2,), "layer1.0.bn1.bias": (2,),
          "fc.weight": (2, 8), "fc.bias": (2,), "blocks.2.W1": (3, 2), "blocks.2.b1": (3,),
          "blocks.2.W2": (2, 3)}
assert {k: st[k].shape for k in st} == shapes, {k: st[k].shape for k in st}
j = json.load(open(d + "/g.json"))[0]
assert np.array_equal(np.array(j["input_grad"]).reshape(1, 2, 2, 2), nz["input"])
# f32, two points: one gradient per point, rounded to float32 exactly
z32 = np.load(d + "/g32.npz")
j32 = json.load(open(d + "/g32.json"))[0]
assert z32["input"].dtype == np.float32 and z32["input"].shape == (2, 2, 2, 2)
assert np.array_equal(np.array(j32["input_grad"], dtype=np.float32).reshape(2, 2, 2, 2),
                      z32["input"])
print("ok")
E
else
    echo "check_cmd_grad_save: NumPy not found for /usr/bin/python3: read-back skipped"
fi

# the same gradients from PyTorch (an independent computation) when
# /usr/bin/python3 has torch: g.rj's network written with torch.nn.functional,
# every tensor of g.npz matched by name and shape, values within 1e-12
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    /usr/bin/python3 - "$d" >"$d/pt" 2>&1 <<'E' || { bad "PyTorch comparison: $(cat "$d/pt")"; }
import sys
import numpy as np
import torch
F = torch.nn.functional
torch.set_default_dtype(torch.float64)
t = lambda v: torch.tensor(v, dtype=torch.float64)
p = {"layer1.0.conv1.weight": t([[1/2, -1, 1/4, 1/8, 1, 0, -1/2, 1/4],
                                 [1, 1, 1, 1, -1, -1, -1, -1]]).reshape(2, 2, 2, 2),
     "layer1.0.conv1.bias": t([1/8, -1/8]), "layer1.0.bn1.weight": t([1, 2]),
     "layer1.0.bn1.bias": t([0, 1/2]),
     "fc.weight": t([[1, 2, 3, 4, 5, 6, 7, 8], [0, 1, 0, 1, 0, 1, 0, 1]]), "fc.bias": t([1, 2]),
     "blocks.2.W1": t([[1, 2], [3, 4], [5, 6]]), "blocks.2.b1": t([1, 1, 1]),
     "blocks.2.W2": t([[1, 0, 1], [0, 1, 1]])}
for v in p.values():
    v.requires_grad_(True)
x = t([1, 2, 3, 4, -1, -2, 1/2, 1/4]).reshape(1, 2, 2, 2).requires_grad_(True)
h = F.conv2d(x, p["layer1.0.conv1.weight"], p["layer1.0.conv1.bias"], padding=1)
h = F.batch_norm(h, torch.zeros(2), torch.ones(2), p["layer1.0.bn1.weight"],
                 p["layer1.0.bn1.bias"], False, 0.0, 1e-5)
h = x + F.max_pool2d(F.relu(h), 2, stride=1)
u = F.linear(h.flatten(1), p["fc.weight"], p["fc.bias"])
y = u + F.linear(F.relu(F.linear(u, p["blocks.2.W1"], p["blocks.2.b1"])), p["blocks.2.W2"])
y.sum().backward()
z = np.load(sys.argv[1] + "/g.npz")
assert sorted(z.files) == sorted(list(p) + ["input"]), z.files
for k in z.files:
    g = (x.grad if k == "input" else p[k].grad).detach().numpy()
    assert z[k].shape == g.shape, (k, z[k].shape, g.shape)
    assert np.abs(z[k] - g).max() <= 1e-12 * max(np.abs(g).max(), 1.0), (k, z[k], g)
print("ok")
E
else
    echo "check_cmd_grad_save: torch not found for /usr/bin/python3: PyTorch comparison skipped"
fi

[ $fail -eq 0 ] && echo "check_cmd_grad_save: all passed"
exit $fail
