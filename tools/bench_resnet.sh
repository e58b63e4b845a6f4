#!/bin/sh
# resjac: ResNet-20 benchmarks (issue 11, "Speed and memory"), in one run.
#   BENCH_RESNET=path/to/bench_resnet  sh tools/bench_resnet.sh [ROUNDS] [REPS]
# (make bench-resnet sets BENCH_RESNET).  Runs the fast core's ResNet-20 and
# PyTorch's on the same weights, input and cotangent ROUNDS times (default 3),
# alternating, each side in its own process (so each peak resident size is its
# own), each round the median of REPS passes (default 3); prints the medians,
# the median of the rounds' ratios and the share of the same-shape sgemm rate.
# Then, once each: the path-length-resolved gradient against one backward
# pass, the exact Jacobian of a small conv net and the precise enclosure of a
# CIFAR-size block.  Not a test: nothing fails on speed.
set -e
here=$(cd "$(dirname "$0")" && pwd)
bench=${BENCH_RESNET:-./tools/bench_resnet}
rounds=${1:-3}
reps=${2:-3}
py=/usr/bin/python3     # Debian's python, where python3-torch installs

if [ ! -x "$bench" ]; then
    echo "bench_resnet.sh: $bench not found (run make bench-resnet)" >&2
    exit 2
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
out=$dir/out
: > "$out"
torch=1
if ! "$py" -c 'import torch, numpy' 2>/dev/null; then
    echo "bench_resnet.sh: $py has no torch (install python3-torch): resjac's side only" >&2
    torch=0
fi
i=0
while [ "$i" -lt "$rounds" ]; do
    "$bench" fast "$reps" "$dir" | sed "s/^/r$i /" >> "$out"
    if [ "$torch" = 1 ]; then
        "$py" "$here/bench_resnet.py" "$dir" "$reps" | sed "s/^/r$i /" >> "$out"
    fi
    i=$((i + 1))
done
"$bench" graded "$reps" | sed "s/^/g /; s/peak_rss_mb/graded_peak_rss_mb/" >> "$out"
"$bench" exact "$reps" | sed "s/^/e /" >> "$out"
"$bench" precise | sed "s/^/p /" >> "$out"

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
def show(k, unit=""):
    if k in vals:
        print("  %-28s %.4g%s   (rounds: %s)" % (k, med[k], unit, ", ".join("%.4g" % x for x in vals[k])))
print("ResNet-20 for CIFAR, batch 128, 32x32, float32, eval-mode BatchNorm:")
print("forward + backward with input and parameter gradients, medians of %d rounds"
      % len(vals["fast_seconds"]))
for k in ("fast_seconds", "torch_seconds", "fast_conv_gflop", "fast_conv_gflops",
          "fast_sgemm_shapes_gflops"):
    show(k)
if "torch_seconds" in vals:
    r = [t / f for t, f in zip(vals["torch_seconds"], vals["fast_seconds"])]
    print("    speedup over PyTorch %s (%d threads): %.2fx   (median of the rounds' ratios; "
          "rounds: %s; target >= 1, aim 1.5)" % (med["torch_version"], med["torch_threads"],
          statistics.median(r), ", ".join("%.2f" % x for x in r)))
    print("    same network: output agrees to %.1e, input gradient to %.1e (relative, "
          "Frobenius; both sides are float32)" % (med["agree_y_rel"], med["agree_dx_rel"]))
print("    convolutions' rate of the same-shape sgemm rate: %.0f %%   (each pass against the "
      "gemms it lowers to, run right after it; rounds: %s)"
      % (100 * med["fast_share_of_sgemm"],
         ", ".join("%.0f %%" % (100 * a) for a in vals["fast_share_of_sgemm"])))
print("peak resident size (each side in its own process):")
show("peak_rss_mb", " MB (resjac)")
show("torch_peak_rss_mb", " MB (PyTorch)")
print("path-length-resolved gradient of the same network (%d blocks, %d lengths):"
      % (med["graded_blocks"], med["graded_blocks"] + 1))
show("graded_seconds", " s")
show("graded_backward_seconds", " s (one plain backward pass, input gradient)")
print("    graded / backward: %.2fx   (sum of the lengths vs the gradient: %.1e relative)"
      % (med["graded_over_backward"], med["graded_sum_vs_grad_rel"]))
print("    the recursion applies a block %d times, a backward pass %d times: %.2fx"
      % (med["graded_block_applications"], med["graded_blocks"],
         med["graded_block_applications"] / med["graded_blocks"]))
print("exact Jacobian, 2 pre-activation conv blocks, 4 channels, 8x8 (%s, %d ties):"
      % (med["exact_jacobian"], med["exact_ties"]))
print("    %.3f CPU s; largest numerator %d bits, largest denominator %d bits"
      % (med["exact_cpu_seconds"], med["exact_max_num_bits"], med["exact_max_den_bits"]))
print("precise enclosure of J v, one pre-activation block %s (BN-relu-conv-BN-relu-conv + x):"
      % med["precise_block"])
for p in (64, 128):
    print("    %3d bits: %.3f CPU s, %.1f correct bits (largest radius vs largest |entry|)"
          % (p, med["precise_prec%d_cpu_seconds" % p], med["precise_prec%d_bits" % p]))
PYEOF
