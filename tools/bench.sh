#!/bin/sh
# resjac benchmarks (`make bench`): each layer against the peers named in its
# issue, measured in the same run and reported as ratios.  Not a test: the
# figures go to stdout for the closing notes; nothing here fails on speed.
#   exact:   census, subset sum, graded expansion timings (bench-exact)
#   precise: certified product of 1000 64x64 factors vs naive MPFR (and Arb
#            when libflint-arb-dev is installed)          (bench-precise)
#   fast:    fwd+bwd and path-length gradients vs PyTorch (bench-fast;
#            installs Debian's python3-torch on first use)
#   front end: comments and lets, files 10x apart   (bench-frontend)
#   ResNet-20: fwd+bwd vs PyTorch, gemm share, memory, path-length gradient;
#            exact Jacobian of a small conv net, precise CIFAR-size block
#                                                   (bench-resnet)
set -e
make=${MAKE:-make}
for b in bench-exact bench-precise bench-fast bench-frontend bench-resnet; do
    echo "=== $b"
    $make -s "$b"
done
