#!/bin/sh
# Fuzz resjac with libFuzzer for a bounded time: the language front end
# (parse + evaluate + check) from a corpus of the bundled proof files, and the
# tensor-file readers (safetensors, .npz) from a few files tests/mktensor
# writes.  The time is split: half for the language, a quarter for each reader.
#   tools/fuzz.sh [SECONDS]      (default 60)
# Needs clang and libclang-rt-14-dev (installed when missing, as root).
set -eu
cd "$(dirname "$0")/.."
secs=${1:-60}
tools/setup.sh --deps-only clang libclang-rt-14-dev >/dev/null
out=$(mktemp -d)
pkgs="mpfr openblas jansson zlib"

# the library's sources, compiled once with the fuzzer's instrumentation
SAN="-g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all"
mkdir -p "$out/obj"
objs=""
for f in src/*/*.c; do
    o="$out/obj/$(echo "$f" | tr / _).o"
    # shellcheck disable=SC2046,SC2086
    clang $SAN -fsanitize=fuzzer-no-link -Iinclude -I. $(pkg-config --cflags $pkgs) \
        -c -o "$o" "$f"
    objs="$objs $o"
done

# build TARGET SOURCE [FLAGS...]: a libFuzzer binary over those objects
build() {
    t=$1
    src=$2
    shift 2
    # shellcheck disable=SC2046,SC2086
    clang $SAN -fsanitize=fuzzer "$@" -Iinclude -I. -Itests $(pkg-config --cflags $pkgs) \
        -o "$out/$t" "$src" $objs $(pkg-config --libs $pkgs) -lflint -lgmp -lm
}

# run TARGET SECONDS MAXLEN CORPUS
# -timeout=60: seeds from the bundled proofs are legitimate work (a
# mutated prefix of 14-norm-rules.rj with its 100-factor norm claims took
# 0.5 s natively and over 13 s under this instrumentation); a hang is still
# caught.
run() {
    echo "fuzzing $1 for $2 s (corpus: $(ls "$4" | wc -l) files)"
    ASAN_OPTIONS=detect_leaks=1 "$out/$1" -max_total_time="$2" -max_len="$3" \
        -timeout=60 -rss_limit_mb=2048 -print_final_stats=1 "$4" >"$out/$1.log" 2>&1 || {
        tail -60 "$out/$1.log"; echo "fuzzing $1 found a crash"; exit 1; }
    tail -3 "$out/$1.log"
}

build fuzz_parse tests/fuzz_parse.c
build fuzz_safetensors tests/fuzz_tensors.c -DRJ_FUZZ_SAFETENSORS
build fuzz_npz tests/fuzz_tensors.c -DRJ_FUZZ_NPZ
# shellcheck disable=SC2046
clang -O1 -Itests -o "$out/mktensor" tests/mktensor.c tests/tensorfile.c $(pkg-config --libs zlib)

mkdir -p "$out/corpus" "$out/st" "$out/npz"
cp proofs/*.rj "$out/corpus/" 2>/dev/null || true
cp tests/claims/*.rj "$out/corpus/" 2>/dev/null || true
W='w=F32:2x3:1,-0.5,0.25,2,3,4'
B='b=F64:3:0.1,-2,1e-300'
N='n=I32:2:-7,9'
"$out/mktensor" st "$out/st/1.safetensors" "$W" "$B" "$N"
"$out/mktensor" st "$out/st/2.safetensors" 'm=BOOL:s:1' 'u=U8:2x2:0,1,2,255'
"$out/mktensor" npz "$out/npz/1.npz" "$W" "$B"
"$out/mktensor" npz "$out/npz/2.npz" deflate "$W" "$B" "$N"

half=$((secs / 2))
quarter=$(((secs - half) / 2))
[ "$quarter" -ge 1 ] || quarter=1
run fuzz_parse "$half" 4096 "$out/corpus"
run fuzz_safetensors "$quarter" 8192 "$out/st"
run fuzz_npz "$((secs - half - quarter > 0 ? secs - half - quarter : 1))" 8192 "$out/npz"
rm -rf "$out"
