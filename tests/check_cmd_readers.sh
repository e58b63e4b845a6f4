#!/bin/sh
# load("f.safetensors", "name"), load("f.npz", "name") and tensors(...) through
# the command: files written by tests/mktensor (no numpy), claims about the
# loaded weights decided by resjac check, and bad files refused with exit 2,
# a message naming the file:line:column of the call and the tensor, and an
# empty stdout.
set -u
R=./resjac
MK=tests/mktensor
fail=0
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
bad() { echo "FAIL: $*"; fail=1; }

W1='b.W1=F32:2x2:1,0.5,-0.25,2'
W2='b.W2=F64:2x2:1,0,0,1'
$MK st "$dir/m.safetensors" "$W1" "$W2" || bad "mktensor st"
$MK npz "$dir/m.npz" "$W1" "$W2" || bad "mktensor npz"
$MK npz "$dir/d.npz" deflate "$W1" "$W2" 'n=I32:3:-7,0,9' || bad "mktensor npz deflate"

cat >"$dir/claims.rj" <<'END'
let W1 = load("m.safetensors", "b.W1")
let sd = tensors("m.safetensors")
let nz = tensors("m.npz")
let dz = tensors("d.npz")
let B = block(W1 = W1, act = relu, W2 = sd["b.W2"])
let x = [2, 1]
claim st_value "issue 12" expect PROVED
    note "the F32 values 1, 0.5, -0.25, 2 read exactly (hand computation)":
    W1 == [[1, 1/2], [-1/4, 2]]
claim npz_same_as_st "issue 12" expect PROVED:
    nz["b.W1"] == W1 and load("m.npz", "b.W2.npy") == sd["b.W2"] and dz["b.W1"] == W1
claim npz_ints "issue 12" expect PROVED:
    dz["n"] == [-7, 0, 9]
claim jacobian_from_loaded "issue 12" expect PROVED
    note "W1 x = [5/2, 3/2] > 0, so J = I + W2 W1 = [[2, 1/2], [-1/4, 3]] (hand computation)":
    jacobian(B, x) == [[2, 1/2], [-1/4, 3]]
END
out=$($R check "$dir/claims.rj" 2>&1)
rc=$?
[ $rc -eq 0 ] || bad "resjac check claims.rj: exit $rc: $out"
echo "$out" | grep -q "4 passed, 0 failed" || bad "resjac check claims.rj: $out"

# refuse FILE.rj MESSAGE: exit 2 and MESSAGE in the report (resjac check
# reports a failed definition as an ERROR line of its table)
refuse() {
    $R check "$1" >"$dir/out" 2>&1
    rc=$?
    [ $rc -eq 2 ] || bad "$1: exit $rc, expected 2: $(cat "$dir/out")"
    grep -qF -- "$2" "$dir/out" || bad "$1: message lacks '$2': $(cat "$dir/out")"
    return 0
}

printf 'let sd = tensors("m.safetensors")\nlet W = sd["b.w1"]\n' >"$dir/key.rj"
refuse "$dir/key.rj" "key.rj:2:9"
refuse "$dir/key.rj" "no tensor named 'b.w1'"
refuse "$dir/key.rj" "'b.W1'"

printf 'let W = load("m.safetensors", "nope")\n' >"$dir/name.rj"
refuse "$dir/name.rj" "name.rj:1:9"

# truncated: the header says more data than the file has
head -c 190 "$dir/m.safetensors" >"$dir/t.safetensors"
printf 'let W = load("t.safetensors", "b.W2")\n' >"$dir/trunc.rj"
refuse "$dir/trunc.rj" "t.safetensors: tensor 'b.W2': data_offsets [16, 48] run past the end"
refuse "$dir/trunc.rj" "trunc.rj:1:9"

# a member whose bytes were changed: CRC-32 mismatch
cp "$dir/m.npz" "$dir/c.npz"
printf '\077' | dd of="$dir/c.npz" bs=1 seek=150 conv=notrunc 2>/dev/null
printf 'let W = load("c.npz", "b.W1")\n' >"$dir/crc.rj"
refuse "$dir/crc.rj" "CRC-32"

# a memory limit below what a tensor needs: refused before it is read
printf 'let W = load("m.safetensors", "b.W1")\n' >"$dir/mem.rj"
$R --max-memory 1 check "$dir/mem.rj" >/dev/null 2>"$dir/err"
[ $? -eq 2 ] || bad "--max-memory 1: not refused: $(cat "$dir/err")"

exit $fail
