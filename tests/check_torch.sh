#!/bin/sh
# `make check-torch`: the PyTorch round trip of tools/resjac-export (issue 12).
# Needs a Python with torch ($RESJAC_TORCH_PYTHON, default /usr/bin/python3:
# Debian's python3-torch, which `tools/setup.sh --with-torch` installs); without
# it the test prints SKIP and exits 77.  Cases, each named after what it pins:
#   roundtrip_*: export a network, compute it with resjac (xval, grad) and hold
#     torch's output, Jacobian and input gradient against resjac's within
#     resjac's stated float error bound (tests/torch/roundtrip.py says how):
#     a residual MLP (custom forward x + f(x)), a tiny conv ResNet (BN, a
#     post-activation block, a stride-2 projection), a conv ResNet the exact
#     layer takes (torch's Jacobian against the exact one), a smooth
#     network (gelu, softplus, elu, silu, tanh); torchvision's BasicBlock
#     ResNet when torchvision is installed; a control in the first two: a
#     network one weight away is caught by the same bound;
#   layernorm_exported: LayerNorm, MaxPool2d, LeakyReLU, Sigmoid export and
#     resjac xval agrees (layernorm's float bound is [FE 10]'s);
#   readme_example: the README's worked example (torchvision's resnet18:
#     export, grad --save, compare, the claim file about its head);
#   include_claims: a claim file includes the exported model.rj and decides
#     claims about it (PROVED and REFUTED as expected);
#   saved_modules: a torch.save'd module and a scripted nn.Sequential export
#     as the Python module does; a scripted module with its own forward is
#     refused by its path;
#   unsupported_named: a module, an operation or a nesting without a resjac counterpart
#     stops the export with exit 2 and its module path, nothing written;
#   bad_options: a bad --input-shape or module spec is exit 2 with the option.
set -u
top=${srcdir:-.}
R=${RESJAC:-./resjac}
PY=${RESJAC_TORCH_PYTHON:-/usr/bin/python3}
EXPORT=$top/tools/resjac-export
RT=$top/tests/torch/roundtrip.py
FORMAT=${RESJAC_EXPORT_FORMAT:-safetensors}

if ! "$PY" -c 'import torch' >/dev/null 2>&1; then
    echo "SKIP: check-torch: $PY cannot import torch (Debian: python3-torch;" \
         "tools/setup.sh --with-torch installs it)"
    exit 77
fi
fail=0
bad() { echo "FAIL: $*"; fail=1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
names=
[ "$FORMAT" = npy ] && names=--no-names

roundtrip() {
    echo "== roundtrip_$1"
    # shellcheck disable=SC2086
    "$PY" "$RT" "$@" --resjac "$R" --export "$EXPORT" --work "$dir" --format "$FORMAT" \
        $names || bad "roundtrip_$1"
}
roundtrip resmlp 1,6 --control
roundtrip tinyresnet 1,3,8,8 --control
roundtrip exactconv 1,2,6,6 --exact
roundtrip smooth 1,5
if "$PY" -c 'import torchvision' >/dev/null 2>&1; then
    roundtrip tv_resnet 1,3,8,8
else
    echo "SKIP: roundtrip_tv_resnet: $PY cannot import torchvision"
fi

echo "== layernorm_exported"
ex() { PYTHONPATH=$top/tests/torch "$PY" "$EXPORT" "$@"; }
refuse() {  # refuse MESSAGE ARGS...: exit 2, MESSAGE on stderr, nothing in the output dir
    msg=$1
    shift
    rm -rf "$dir/no"
    ex "$@" -o "$dir/no" >"$dir/out" 2>"$dir/err"
    rc=$?
    [ "$rc" -eq 2 ] || bad "$*: exit $rc, expected 2: $(cat "$dir/out" "$dir/err")"
    grep -qF -- "$msg" "$dir/err" || bad "$*: expected '$msg', got: $(cat "$dir/err")"
    [ -z "$(ls -A "$dir/no" 2>/dev/null)" ] || bad "$*: wrote $(ls -A "$dir/no")"
}
if ex rjnets:layernorm --input-shape 1,2,6,6 -o "$dir/ln" --format "$FORMAT" $names \
        >"$dir/out" 2>&1; then
    $R xval "$dir/ln/model.rj" >"$dir/xv" 2>&1 || bad "layernorm_exported: xval: $(cat "$dir/xv")"
    grep -q '^agree' "$dir/xv" || bad "layernorm_exported: xval does not agree: $(cat "$dir/xv")"
    grep -q 'layernorm(.*eps = 1e-05' "$dir/ln/model.rj" && grep -q 'maxpool(2, stride = 2' \
        "$dir/ln/model.rj" && grep -q 'leaky_relu(0.1)' "$dir/ln/model.rj" \
        || bad "layernorm_exported: $(cat "$dir/ln/model.rj")"
else
    bad "layernorm_exported: $(cat "$dir/out")"
fi

echo "== include_claims"
# a claim file next to the export reads it with include and decides claims on
# the exported network (exact layer: eps = 0, var a square)
if ex rjnets:exactconv --input-shape 1,2,6,6 -o "$dir/ec" --format "$FORMAT" $names \
        >"$dir/out" 2>&1; then
    cat >"$dir/claims.rj" <<'END'
include "ec/model.rj"
claim exported_shape "export" expect PROVED:
    rows(jacobian(net, x)) == 3 and cols(jacobian(net, x)) == 72
claim post_gate_is_a_projection "post block" expect PROVED:
    skip_part(net, x, 2) * skip_part(net, x, 2) == skip_part(net, x, 2)
claim post_gate_is_not_identity "post block" expect REFUTED:
    skip_part(net, x, 2) == identity(108)
END
    $R check "$dir/claims.rj" >"$dir/ck" 2>&1 || bad "include_claims: $(cat "$dir/ck")"
    grep -q '^3 passed, 0 failed' "$dir/ck" || bad "include_claims: $(cat "$dir/ck")"
else
    bad "include_claims: $(cat "$dir/out")"
fi

echo "== readme_example"
# the README's worked example: torchvision's resnet18 exported, its gradients
# saved and compared, the claim file about its head decided
if [ "$FORMAT" = safetensors ] && "$PY" -c 'import torchvision' >/dev/null 2>&1; then
    if ex torchvision.models:resnet18 --arg num_classes=10 --input-shape 1,3,32,32 \
            -o "$dir/r18" --reference >"$dir/out" 2>&1; then
        $R grad "$dir/r18/model.rj" --dtype f32 --save "$dir/r18/grad.safetensors" \
            >"$dir/gr" 2>&1 || bad "readme_example: grad: $(cat "$dir/gr")"
        "$PY" "$EXPORT" compare "$dir/r18/reference.safetensors" "$dir/r18/grad.safetensors" \
            >"$dir/cmp" 2>&1 || bad "readme_example: compare: $(cat "$dir/cmp")"
        grep -q 'over 63 tensors' "$dir/cmp" || bad "readme_example: compare: $(cat "$dir/cmp")"
        cat >"$dir/r18-claims.rj" <<'END'
include "r18/model.rj"
claim head_is_fc "resnet18 head" expect PROVED:
    jacobian(b10, ones(512)) == sd["fc.weight"] and jacobian(b10, -ones(512)) == sd["fc.weight"]
claim fc_norm "resnet18 head" expect PROVED:
    norm2(sd["fc.weight"]) < 1
END
        $R check "$dir/r18-claims.rj" >"$dir/ck" 2>&1 || bad "readme_example: $(cat "$dir/ck")"
    else
        bad "readme_example: $(cat "$dir/out")"
    fi
else
    echo "SKIP: readme_example: needs torchvision and the safetensors format"
fi

echo "== saved_modules"
# a torch.save'd module and a scripted nn.Sequential export as the module
# they hold does (the same model.rj below its first line, the same tensors);
# a scripted module with its own forward is refused by its path
PYTHONPATH=$top/tests/torch "$PY" - "$dir" <<'END' || bad "saved_modules: cannot write the modules"
import sys, torch, torch.nn as nn, rjnets
d = sys.argv[1]
torch.manual_seed(0)
torch.save(rjnets.tinyresnet().eval(), d + "/tr.pt")
torch.manual_seed(0)
seq = rjnets._randomise_bn(nn.Sequential(
    nn.Conv2d(2, 3, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(3), nn.ReLU(),
    nn.Flatten(), nn.Linear(27, 4), nn.GELU(), nn.LayerNorm(4), nn.Linear(4, 2))).eval()
torch.save(seq, d + "/seq.pt")
torch.jit.save(torch.jit.script(seq), d + "/seq_script.pt")
torch.jit.save(torch.jit.script(rjnets.tinyresnet()), d + "/tr_script.pt")
END
same() {  # same A B: two exports hold the same model and tensors
    tail -n +2 "$dir/$1/model.rj" >"$dir/a.rj"
    tail -n +2 "$dir/$2/model.rj" >"$dir/b.rj"
    cmp -s "$dir/a.rj" "$dir/b.rj" || bad "saved_modules: $1 and $2 differ: $(diff "$dir/a.rj" "$dir/b.rj" | head -5)"
    "$PY" "$EXPORT" compare "$dir/$1/model.safetensors" "$dir/$2/model.safetensors" \
        >"$dir/cmp" 2>&1 && grep -q "largest relative difference 0.000e+00" "$dir/cmp" \
        || bad "saved_modules: tensors of $1 and $2: $(tail -3 "$dir/cmp")"
}
ex rjnets:tinyresnet --input-shape 1,3,8,8 -o "$dir/e_tr" >/dev/null 2>&1
ex "$dir/tr.pt" --input-shape 1,3,8,8 -o "$dir/e_trpt" >/dev/null 2>&1
same e_tr e_trpt
ex "$dir/seq.pt" --input-shape 1,2,6,6 -o "$dir/e_seq" >/dev/null 2>&1
ex "$dir/seq_script.pt" --input-shape 1,2,6,6 -o "$dir/e_seqs" >/dev/null 2>&1
same e_seq e_seqs
refuse "<root> (TorchScript TinyResNet): a scripted module with its own forward" \
    "$dir/tr_script.pt" --input-shape 1,3,8,8

echo "== unsupported_named"
refuse "body.1 (Hardswish): unsupported module type" rjnets:unsupported --input-shape 1,4
refuse "node 'mul' (call_function mul) in the forward of Scaled" rjnets:scaled_branch \
    --input-shape 1,4
refuse "a residual block inside the branch of another (inner.f)" rjnets:nested --input-shape 1,4

echo "== bad_options"
refuse "--input-shape 1,x: expected N,C,H,W or N,D" rjnets:resmlp --input-shape 1,x
refuse "its forward fails on an input of shape 1x5 (--input-shape)" rjnets:resmlp \
    --input-shape 1,5
refuse "rjnets:nothing: module 'rjnets' has no 'nothing'" rjnets:nothing --input-shape 1,6
refuse "no_such_module: neither a file nor module:callable" no_such_module --input-shape 1,6

[ "$fail" -eq 0 ] && echo "check-torch: all passed"
exit $fail
