#!/bin/sh
# A tiny network of the ResNet-20 family as a model file (issue 11): stem
# conv-BN-relu, one post-activation basic block per stage (2/4/8 channels,
# 8x8 input), stride-2 projection shortcuts (conv1x1 + BN), global average
# pool, dense 8 -> 10.  The float, exact and precise layers are held against
# each other (resjac xval); the fast core's gradient per path length
# (resjac grad --graded --json) against the exact path-length components
# graded(net, x, k); the exact components' sum against the exact Jacobian.
# The weights come from a fixed integer pattern (below); BatchNorm has
# var + eps = 1, so the exact layer takes every block.
set -u
R=./resjac
fail=0
dir=$(mktemp -d)
out="$dir/out"
err="$dir/err"
trap 'rm -rf "$dir"' EXIT

bad() { echo "FAIL: $*"; fail=1; }

# expect CODE ARGS...: run resjac, compare the exit status
expect() {
    code=$1
    shift
    $R "$@" >"$out" 2>"$err"
    rc=$?
    [ "$rc" -eq "$code" ] || { bad "resjac $*: exit $rc, expected $code"; cat "$out" "$err"; }
}

# mat NAME ROWS COLS SEED DEN: a let of a ROWS x COLS matrix with entries
# ((k * 37 + SEED) mod 29 - 14) / DEN, k = 0, 1, ... in row-major order
mat() {
    awk -v n="$1" -v r="$2" -v c="$3" -v s="$4" -v d="$5" 'BEGIN {
        printf "let %s = [", n; k = 0
        for (i = 0; i < r; i++) {
            printf "%s[", i ? ", " : ""
            for (j = 0; j < c; j++) { printf "%s%d/%d", j ? ", " : "", (k * 37 + s) % 29 - 14, d; k++ }
            printf "]"
        }
        print "]" }'
}
# bn NAME C SEED: gamma in [1/2, 3/2], beta and mean odd multiples of 1/512,
# var = 3/4 with eps = 1/4
bn() {
    awk -v n="$1" -v c="$2" -v s="$3" 'BEGIN {
        printf "let %s = batchnorm(gamma = [", n
        for (i = 0; i < c; i++) printf "%s%d/8", i ? ", " : "", 4 + (i * 5 + s) % 9
        printf "], beta = ["
        for (i = 0; i < c; i++) printf "%s%d/512", i ? ", " : "", 2 * ((i * 11 + s) % 13) - 11
        printf "], mean = ["
        for (i = 0; i < c; i++) printf "%s%d/512", i ? ", " : "", 2 * ((i * 7 + s) % 11) - 9
        printf "], var = ["
        for (i = 0; i < c; i++) printf "%s3/4", i ? ", " : ""
        print "], eps = 1/4)" }'
}

m="$dir/resnet_tiny.rj"
{
    mat K0 2 27 1 64; bn n0 2 1
    mat K1 2 18 2 64; bn n1 2 2; mat K2 2 18 3 64; bn n2 2 3
    mat K3 4 18 4 64; bn n3 4 4; mat K4 4 36 5 64; bn n4 4 5; mat P1 4 2 6 16; bn p1 4 6
    mat K5 8 36 7 64; bn n5 8 7; mat K6 8 72 8 64; bn n6 8 8; mat P2 8 4 9 16; bn p2 8 9
    mat Wfc 10 8 10 16; mat bfc 10 1 11 256
    cat <<'END'
let stem = block(branch = [conv2d(K0, kernel = 3, padding = 1), n0, relu], skip = none,
                 shape = (3, 8, 8))
let s1 = block(branch = [conv2d(K1, kernel = 3, padding = 1), n1, relu,
                         conv2d(K2, kernel = 3, padding = 1), n2],
               place = post, shape = (2, 8, 8))
let s2 = block(branch = [conv2d(K3, kernel = 3, stride = 2, padding = 1), n3, relu,
                         conv2d(K4, kernel = 3, padding = 1), n4],
               skip = project([conv2d(P1, kernel = 1, stride = 2), p1]),
               place = post, shape = (2, 8, 8))
let s3 = block(branch = [conv2d(K5, kernel = 3, stride = 2, padding = 1), n5, relu,
                         conv2d(K6, kernel = 3, padding = 1), n6],
               skip = project([conv2d(P2, kernel = 1, stride = 2), p2]),
               place = post, shape = (4, 4, 4))
let head = block(branch = [global_avgpool, dense(Wfc, bfc)], skip = none, shape = (8, 2, 2))
let net = net(stem, s1, s2, s3, head)
END
    mat xm 192 1 12 32
    echo "let x = xm"
} >"$m"

# ---- float (f32, f64) within the a-priori bound of the exact layer and
# meeting the precise enclosure, at every forward value and partial Jacobian
expect 0 xval "$m"
grep -q "J is 10x192" "$out" || bad "xval: shape line: $(cat "$out")"
for t in f32 f64; do
    grep -q "$t: within the bound of the exact layer at all" "$out" || bad "xval $t exact: $(cat "$out")"
    grep -q "$t: float +- bound meets the precise enclosure at all" "$out" || bad "xval $t precise"
done
tail -n 1 "$out" | grep -q '^agree$' || bad "xval verdict: $(tail -n 1 "$out")"

# ---- the exact path-length components sum to the exact Jacobian (dynamic
# programme against the direct product); lengths 0 and 1 vanish: the stem and
# the head have no skip, so every path takes both their branches
expect 0 check "$m" -e 'sum(k in 0..5: graded(net, x, k)) == jacobian(net, x)'
grep -q '^PROVED' "$out" || bad "graded sum: $(cat "$out")"
expect 0 check "$m" -e 'graded(net, x, 0) == 0 and graded(net, x, 1) == 0 and not (graded(net, x, 2) == 0)'
grep -q '^PROVED' "$out" || bad "graded lengths 0, 1: $(cat "$out")"

# ---- the fast core (f64, cotangent ones(10)) against the exact layer: the
# input gradient's norm and every path length's norm, each taken from the
# JSON of resjac grad and compared with the exact value within 1e-12
expect 0 grad "$m" --graded --json
cp "$out" "$dir/grad.json"
g=$(sed -n 's/^ *"input_grad_norm": \([-0-9.e]*\),$/\1/p' "$dir/grad.json")
[ -n "$g" ] || bad "grad --json: no input_grad_norm"
expect 0 check "$m" -e "normfro(ones(10)' * jacobian(net, x)) ~= $g within 1/10^12"
grep -q '^NOT_REFUTED' "$out" || bad "input gradient norm $g: $(cat "$out")"
n=0
for k in 0 1 2 3 4 5; do
    v=$(awk -v k="$k" '/"k": / { gsub(/[^0-9]/, "", $2); cur = $2 }
                       /"norm": / && cur == k { gsub(/[,]/, "", $2); print $2; exit }' "$dir/grad.json")
    [ -n "$v" ] || { bad "grad --json: no norm for k = $k"; continue; }
    expect 0 check "$m" -e "normfro(ones(10)' * graded(net, x, $k)) ~= $v within 1/10^12"
    grep -q '^NOT_REFUTED' "$out" || bad "path length $k: fast $v: $(cat "$out")"
    n=$((n + 1))
done
[ "$n" -eq 6 ] || bad "compared $n path lengths, expected 6"

# ---- f32 runs and names the shapes
expect 0 grad "$m" --dtype f32
grep -q '5 blocks, batch 1, f32' "$out" || bad "grad f32: $(cat "$out")"

exit $fail
