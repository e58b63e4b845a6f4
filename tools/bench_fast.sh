#!/bin/sh
# resjac: benchmark of the fast core against PyTorch, in one run.
#   BENCH_FAST=path/to/bench_fast  sh tools/bench_fast.sh [ROUNDS] [REPS]
# (make bench-fast sets BENCH_FAST).  Installs Debian's python3-torch when it
# is missing (apt-get; this script only -- CI does not need it).  Runs each
# side ROUNDS times (default 3), alternating, each round the median of REPS
# repetitions, and prints the medians and the ratios.
set -e
here=$(cd "$(dirname "$0")" && pwd)
bench=${BENCH_FAST:-./tools/bench_fast}
rounds=${1:-3}
reps=${2:-5}
py=/usr/bin/python3     # Debian's python, where python3-torch installs

if [ ! -x "$bench" ]; then
    echo "bench_fast.sh: $bench not found (run make bench-fast)" >&2
    exit 2
fi
if ! "$py" -c 'import torch' 2>/dev/null; then
    echo "bench_fast.sh: installing Debian's python3-torch (large; once)" >&2
    if [ "$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi
    $sudo apt-get update -q >/dev/null || true
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q python3-torch >/dev/null
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT
i=0
while [ "$i" -lt "$rounds" ]; do
    "$bench" all "$reps" | sed "s/^/r$i /" >> "$out"
    "$py" "$here/bench_fast.py" all "$reps" | sed "s/^/r$i /" >> "$out"
    i=$((i + 1))
done

"$py" - "$out" <<'PYEOF'
import statistics, sys
vals = {}
for line in open(sys.argv[1]):
    tag, kv = line.split(" ", 1)
    k, v = kv.strip().split("=", 1)
    try:
        vals.setdefault(k, []).append(float(v))
    except ValueError:
        vals[k] = [v]
med = {k: (statistics.median(v) if isinstance(v[0], float) else v[0]) for k, v in vals.items()}
def ratio(num, den):
    """median over rounds of num/den in the same round (both sides ran
    minutes apart at most, so drifts of the shared machine cancel)"""
    return statistics.median(a / b for a, b in zip(vals[num], vals[den]))
def show(k, unit=""):
    print("  %-26s %s%s   (rounds: %s)" % (k, med[k], unit, ", ".join(str(x) for x in vals[k])))
print("resjac fast core vs PyTorch %s (%d threads), medians of %d rounds"
      % (med["torch_version"], med["torch_threads"], len(vals["a_seconds"])))
print("(a) fwd+bwd, 100 pre-activation blocks, width 512, batch 256, float32")
for k in ("a_seconds", "torch_a_seconds", "a_gflops", "a_sgemm_shapes_gflops", "a_sgemm_2048_gflops"):
    show(k)
print("    speedup over PyTorch:        %.2fx   (target >= 3x; median of the rounds' ratios %.2fx)"
      % (med["torch_a_seconds"] / med["a_seconds"], ratio("torch_a_seconds", "a_seconds")))
print("    of sgemm rate, same shapes:  %.0f %%  (target >= 70 %%)" % (100 * med["a_gflops"] / med["a_sgemm_shapes_gflops"]))
print("    of sgemm rate, 2048^3:       %.0f %%" % (100 * med["a_gflops"] / med["a_sgemm_2048_gflops"]))
print("    3x needs of sgemm rate:      %.0f %%   (same shapes)"
      % (100 * med["a_gflops"] * med["a_seconds"] / (med["torch_a_seconds"] / 3) / med["a_sgemm_shapes_gflops"]))
print("    PyTorch of sgemm, 2048^3:    %.0f %%" % (100 * med["a_gflops"] * med["a_seconds"] / med["torch_a_seconds"] / med["a_sgemm_2048_gflops"]))
print("(b) path-length-resolved gradient, 54 blocks, width 256, batch 64, float64")
for k in ("b_seconds", "b_uncompacted_seconds", "torch_b_seconds", "b_threads", "b_gflop",
          "b_gflops", "b_dgemm_gflops"):
    show(k)
print("    speedup over PyTorch:        %.2fx   (target >= 4x; median of the rounds' ratios %.2fx)"
      % (med["torch_b_seconds"] / med["b_seconds"], ratio("torch_b_seconds", "b_seconds")))
print("    same, without compaction:    %.2fx   (the exact recursion PyTorch runs)" % (med["torch_b_seconds"] / med["b_uncompacted_seconds"]))
print("    compacted, of dgemm rate:    %.0f %%   (its %.2f GFLOP, forward included, against dgemm"
      % (100 * med["b_gflops"] / med["b_dgemm_gflops"], med["b_gflop"]))
print("                                        on the uncompacted pass's mean product)")
print("    4x needs of dgemm rate:      %.0f %%"
      % (100 * med["b_gflop"] / (med["torch_b_seconds"] / 4) / med["b_dgemm_gflops"]))
print("(c) peak resident size")
show("peak_rss_mb", " MB (resjac, a and b in one process)")
show("torch_peak_rss_mb", " MB (PyTorch, a and b in one process)")
PYEOF
