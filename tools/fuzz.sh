#!/bin/sh
# Fuzz the resjac language front end (parse + evaluate + check) with libFuzzer
# for a bounded time, starting from a corpus of the bundled proof files.
#   tools/fuzz.sh [SECONDS]      (default 60)
# Needs clang and libclang-rt-14-dev (installed when missing, as root).
set -eu
cd "$(dirname "$0")/.."
secs=${1:-60}
tools/setup.sh --deps-only clang libclang-rt-14-dev >/dev/null
out=$(mktemp -d)
# shellcheck disable=SC2046
clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -Iinclude -I. $(pkg-config --cflags mpfr openblas) \
    -o "$out/fuzz_parse" tests/fuzz_parse.c $(ls src/*/*.c) \
    $(pkg-config --libs mpfr openblas) -lflint -lgmp -lm
mkdir -p "$out/corpus"
cp proofs/*.rj "$out/corpus/" 2>/dev/null || true
cp tests/claims/*.rj "$out/corpus/" 2>/dev/null || true
echo "fuzzing for $secs s (corpus: $(ls "$out/corpus" | wc -l) files)"
ASAN_OPTIONS=detect_leaks=1 "$out/fuzz_parse" -max_total_time="$secs" -max_len=4096 \
    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "$out/corpus" >"$out/log" 2>&1 || {
    tail -60 "$out/log"; echo "fuzzing found a crash"; exit 1; }
tail -3 "$out/log"
rm -rf "$out"
