#!/bin/sh
# The robustness suite (issue 15): inputs that a hostile or careless user
# gives, each of which once ran for minutes or hours, took gigabytes, aborted
# inside FLINT or ran a shell command.  Each case checks the exit status, the
# message (and its file:line:column or option), that nothing is left behind,
# and its time through a CPU-time cap (`ulimit -t`, not wall-clock: the
# machine is shared; a run past the cap dies of SIGXCPU and fails the case).
# Where the issue measured under `ulimit -v 4000000` the case runs there too,
# except in a sanitizer build, whose shadow memory needs more address space
# than that (then the case runs without -v and says so once).
set -u
R=${RESJAC:-./resjac}
R=$(cd "$(dirname "$R")" && pwd)/$(basename "$R")
fail=0
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
out="$dir/out"
err="$dir/err"
work="$dir/work"           # the current directory of every run
mkdir "$work"

bad() { echo "FAIL: $*"; fail=1; }

# memory cap of the issue, when this build can run under it
VMEM=4000000
if ! (ulimit -v $VMEM && "$R" --version; exit $?) >/dev/null 2>&1; then
    echo "note: this build does not start under ulimit -v $VMEM (a sanitizer build?):" \
         "the cases run without the memory cap"
    VMEM=
fi

# run CPU-SECONDS cap|KB|- ARGS...: run resjac in $work under a CPU cap and
# the memory cap of the issue (cap), KB kilobytes or none (-), with the
# variables in $RUNENV (NAME=VALUE words) set; sets rc.  Without VMEM (a build
# that cannot start under it) there is no memory cap.
RUNENV=
run() {
    cpu=$1; vm=$2; shift 2
    (
        cd "$work" || exit 99
        ulimit -t "$cpu"
        [ "$vm" = cap ] && vm=$VMEM
        if [ "$vm" != - ] && [ -n "$VMEM" ]; then ulimit -v "$vm"; fi
        exec env $RUNENV "$R" "$@"
    ) >"$out" 2>"$err"
    rc=$?
}

# expect NAME RC MESSAGE: the last run exited RC with MESSAGE (fixed string)
# on stderr (or, for `check`'s verdicts, stdout), no FLINT exception on
# stdout, and left $work as it was
expect() {
    name=$1; want=$2; msg=$3
    [ "$rc" -eq "$want" ] || bad "$name: exit $rc, expected $want: $(head -c 300 "$err")"
    if [ -n "$msg" ]; then
        cat "$err" "$out" | grep -qF -- "$msg" \
            || bad "$name: message lacks '$msg': $(head -c 300 "$err" "$out")"
    fi
    grep -q "Exception" "$out" && bad "$name: FLINT's abort reached: $(head -c 200 "$out")"
    left=$(cd "$work" && ls -A | grep -v -x -F -f "$dir/keep")
    [ -z "$left" ] && return 0
    bad "$name: left behind: $left"
    (cd "$work" && echo "$left" | while read -r f; do rm -rf -- "$f"; done)
}

# the inputs are made in $work; $dir/keep lists them (they stay)
keep() { for f in "$@"; do echo "$f"; done >>"$dir/keep"; }
: >"$dir/keep"

# ---- time: the front end is linear in the file
# lexer_rescans_comment_lines: 1 MB of newlines took over a minute, 25,000
# comment lines 20 s; a 10 MB file of comments now takes well under a second
awk 'BEGIN { for (i = 0; i < 1048576; i++) print ""; print "let a = 1" }' >"$work/nl.rj"
awk 'BEGIN { for (i = 0; i < 200000; i++)
             print "# a comment line, long enough to make ten megabytes of them ....";
             print "let a = 1" }' >"$work/comments.rj"
keep nl.rj comments.rj
run 10 cap check nl.rj
expect "1 MB of newlines" 0 ""
run 10 cap check comments.rj
expect "10 MB of comments" 0 ""

# env_lookup_linear: 400,000 distinct lets took 308 s; 10^6 now take seconds
awk 'BEGIN { for (i = 0; i < 1000000; i++) printf "let a%d = %d\n", i, i;
             print "claim last \"r\" expect PROVED:\n    a999999 + a0 == 999999" }' \
    >"$work/lets.rj"
keep lets.rj
run 60 cap check lets.rj
expect "10^6 lets" 0 ""
grep -q "^1 passed, 0 failed" "$out" || bad "10^6 lets: $(tail -1 "$out")"

# ---- time: quantifiers
# nested_forall_product: 10^10 nested cases were accepted (each range alone
# was within the limit); refused at the inner forall, before its cases
cat >"$work/nest.rj" <<'END'
claim c "x" expect PROVED:
    forall i in 1..100000: forall j in 1..100000: i + j > 0
END
# forall_paths_runs_an_hour: within every limit, about 50 minutes; the
# projected work of the range is refused after a few hundred cheap cases
cat >"$work/paths.rj" <<'END'
claim c "x" expect PROVED:
    forall k in 1..100000: paths(10^7, k) > 0
END
# nested_sums_multiply: sum over 10^5 of sums over 10^5 ran until the work
# limit, minutes; the outer sum projects its work after one term
printf 'let s = sum(i in 1..100000: sum(j in 1..100000: i * j))\n' >"$work/sums.rj"
keep nest.rj paths.rj sums.rj
run 10 cap check nest.rj
expect "nested foralls" 2 "nest.rj:2:28: in the case i = 1: forall j: nested quantifiers give 10000000000 cases in all"
run 10 cap check paths.rj
expect "forall paths(10^7, k)" 2 "paths.rj:2:5: forall k: the first"
grep -qF "over the work limit max_work" "$out" || bad "forall paths: $(cat "$out")"
run 10 cap check sums.rj
expect "nested sums" 2 "sums.rj:1:9: sum over i: the first 1 of 100000 terms took about"

# graded_quadratic: grad --graded on 10^5 blocks ran about a minute (10^6:
# hours); refused before the pass, naming the option
run 20 cap grad --random 100000,4 --graded --csv
expect "grad --graded 10^5 blocks" 2 "--random 100000,4: --graded: about"

# refusal_without_location: grad's float overflow named neither the model
# nor the option
printf 'let W = 10^300 * identity(2)\nlet B = block(W1 = W, act = relu, W2 = W)\nlet net = net(B, B)\nlet x = [1, 1]\n' \
    >"$work/ovf.rj"
keep ovf.rj
run 20 cap grad ovf.rj
expect "grad overflow" 2 "resjac: ovf.rj: the f64 gradient overflows"
# and xval's refusal of subnormal weights named no file
printf 'let W = 2^(-1074) * identity(2)\nlet net = net(block(W1 = W, act = relu, W2 = W))\nlet x = [1, 1]\n' \
    >"$work/den.rj"
keep den.rj
run 20 cap xval den.rj
expect "xval subnormal weights" 2 "resjac: den.rj: block 1: W1 has a value outside the normal range"

# ---- memory: the parser bounds a statement while it builds
# sum_50mb_segv: `let a = 1+1+...` (25 M terms) died of SIGSEGV in FLINT's
# out-of-memory path (11 GB without the cap); a statement over the token
# limit is refused at once, and so are a literal and a call of that size
awk 'BEGIN { printf "let a = 1"; for (i = 0; i < 1100000; i++) printf "+1"; print "" }' \
    >"$work/sum.rj"
awk 'BEGIN { printf "\nlet a = [1"; for (i = 0; i < 1100000; i++) printf ",1"; print "]" }' \
    >"$work/vec.rj"
awk 'BEGIN { printf "let a = max(1"; for (i = 0; i < 1100000; i++) printf ",1"; print ")" }' \
    >"$work/max.rj"
# a chain under the token limit: refused at the operand past the depth limit
awk 'BEGIN { printf "let a = 1"; for (i = 0; i < 500000; i++) printf "+1"; print "" }' \
    >"$work/chain.rj"
keep sum.rj vec.rj max.rj chain.rj
run 10 cap check sum.rj
expect "50 MB sum" 2 "sum.rj:1:1: statement of more than 2097152 tokens"
run 10 cap check vec.rj
expect "huge vector literal" 2 "vec.rj:2:1: statement of more than 2097152 tokens"
run 10 cap check max.rj
expect "huge max(...)" 2 "max.rj:1:1: statement of more than 2097152 tokens"
run 10 cap check chain.rj
expect "long + chain" 2 "chain.rj:1:2008: expression nested deeper than 1000 levels"

# ---- memory: one limit for everything alive
# zeros_total_abort: ten zeros(5792, 5792), each within the entry limit,
# aborted in FLINT at 3.6 GB.  Scaled down: 64 MB each; --max-memory and
# RESJAC_MAX_MEMORY set the limit, the default is 3/4 of ulimit -v; the
# report names the definition that reached it; within the limit all pass.
awk 'BEGIN { for (i = 1; i <= 16; i++) printf "let Z%d = zeros(2000, 2000)\n", i;
             print "claim z \"r\" expect PROVED:\n    Z16 == Z1" }' >"$work/zeros.rj"
keep zeros.rj
run 60 - --max-memory 300M check zeros.rj
expect "zeros, --max-memory 300M" 2 "zeros.rj:5:1: memory limit reached"
grep -qF -- "--max-memory" "$err" || bad "zeros: the message does not name --max-memory"
RUNENV=RESJAC_MAX_MEMORY=300M
run 60 - check zeros.rj
RUNENV=
expect "zeros, RESJAC_MAX_MEMORY=300M" 2 "zeros.rj:5:1: memory limit reached"
run 60 - check zeros.rj --max-memory 2G
expect "zeros within 2G" 0 ""
grep -q "^1 passed, 0 failed" "$out" || bad "zeros within 2G: $(tail -1 "$out")"
if [ -n "$VMEM" ]; then
    run 60 1000000 check zeros.rj
    expect "zeros under ulimit -v 1000000" 2 "memory limit reached"
fi
run 5 - --max-memory 12Q check zeros.rj
expect "--max-memory 12Q" 2 "--max-memory: expected a size of at least 16M"
RUNENV=RESJAC_MAX_MEMORY=lots
run 5 - check zeros.rj
RUNENV=
expect "RESJAC_MAX_MEMORY=lots" 2 "RESJAC_MAX_MEMORY: expected a size"

# wide_exact_abort: a 3-block, 2000-wide float64 model made `jacobian` abort
# in FLINT after 66 s at 3.57 GB, `xval` after 92 s.  The exact pass's work
# is estimated before it starts: jacobian refuses naming the model, xval
# reports the exact side unavailable and goes on (1200 wide: over the limit,
# and cheap enough for the float side in a sanitizer build; 1G keeps the
# precise side to its refusal)
printf 'let W = identity(1200)\nlet B = block(W1 = W, act = relu, W2 = W)\nlet net = net(B, B, B)\nlet x = zeros(1200, 1)\n' \
    >"$work/wide.rj"
keep wide.rj
run 20 cap jacobian wide.rj
expect "jacobian 1200 wide" 2 "resjac: wide.rj: the exact pass would take about 1.04e+10 multiply-adds"
run 120 cap --max-memory 1G xval wide.rj
expect "xval 1200 wide" 0 ""
grep -qF "the exact pass would take about" "$out" || bad "xval 1200 wide: $(head -c 300 "$out")"

# ---- threads: OpenBLAS at most the online processors
# threads_spin: grad --random 3,8 --threads 32 under the memory cap could spin
run 20 cap grad --random 3,8 --threads 32 --json
expect "--threads 32" 0 ""

# ---- --plot: no name reaches a shell or the gnuplot script
# plot_name_injection: a plot or model file name was pasted into the script:
# "q';system('touch INJECTED');'.svg" created INJECTED.  A stand-in gnuplot
# keeps the script and writes the picture it is told to.
mkdir "$dir/bin"
cat >"$dir/bin/gnuplot" <<'END'
#!/bin/sh
cat >"$GNUPLOT_LOG"
if [ -n "${GNUPLOT_SLEEP:-}" ]; then echo partial >plot.svg; exec sleep "$GNUPLOT_SLEEP"; fi
[ -n "${GNUPLOT_FAIL:-}" ] && exit 1
out=$(sed -n "s/^set output '\(.*\)'$/\1/p" "$GNUPLOT_LOG")
echo '<svg/>' >"$out"
END
chmod +x "$dir/bin/gnuplot"
GNUPLOT_LOG="$dir/script.gp"
export GNUPLOT_LOG
model="r',system('touch INJECTED2'),'.rj"
plot="q';system('touch INJECTED');'.svg"
csvp="q';system('touch INJECTED');'.csv"
cat >"$work/$model" <<'END'
let W = identity(2)
let net = net(block(W1 = W, act = relu, W2 = W, place = post))
let x = [-1, 1]
END
cp "$work/$model" "$work/m.rj"
keep "$model" m.rj "$plot" "$csvp" p.svg p.csv
RUNENV="PATH=$dir/bin:$PATH"
run 20 - grad "$model" --plot "$plot"
RUNENV=
expect "--plot with quotes in both names" 0 ""
[ -e "$work/INJECTED" ] || [ -e "$work/INJECTED2" ] && bad "--plot: a file name ran a command"
[ -s "$work/$plot" ] && [ -s "$work/$csvp" ] || bad "--plot: no SVG or CSV: $(ls -A "$work")"
grep -q "system('" "$GNUPLOT_LOG" && bad "--plot: a name reached the script: $(cat "$GNUPLOT_LOG")"
grep -qF "set output 'plot.svg'" "$GNUPLOT_LOG" || bad "--plot: script: $(cat "$GNUPLOT_LOG")"

# plot_stale_svg: with gnuplot missing or failing, a new CSV stood beside an
# old SVG; the old SVG is removed now.  stale VARS RC MESSAGE: an old p.svg,
# then --plot p.svg with VARS set: RC, MESSAGE, the old p.svg gone, a p.csv
stale() {
    echo old >"$work/p.svg"
    rm -f "$work/p.csv"
    RUNENV=$1
    run 20 - grad m.rj --plot p.svg
    RUNENV=
    expect "--plot with $1" "$2" "$3"
    [ -e "$work/p.svg" ] && bad "--plot with $1: the old p.svg is still there"
    [ -s "$work/p.csv" ] || bad "--plot with $1: no p.csv"
}
if [ ! -e /usr/bin/gnuplot ] && [ ! -e /bin/gnuplot ]; then
    stale "PATH=/usr/bin:/bin" 0 "gnuplot is not installed"
fi
stale "PATH=$dir/bin:$PATH GNUPLOT_FAIL=1" 2 "gnuplot failed; no p.svg"

# plot_signal_leaves_tmp: SIGTERM while gnuplot runs left FILE.svg.tmpXXXXXX;
# the private directory goes with the process, and no p.svg appears
rm -f "$work/p.svg"
(
    cd "$work" || exit 1
    PATH="$dir/bin:/usr/bin:/bin" GNUPLOT_SLEEP=30 "$R" grad m.rj --plot p.svg \
        >"$out" 2>"$err" &
    pid=$!
    i=0
    while [ $i -lt 200 ] && ! ls -A | grep -q '^\.resjac-plot-'; do sleep 0.1; i=$((i + 1)); done
    sleep 0.3
    kill -TERM $pid
    wait $pid
    echo $? >"$dir/rc"
) 2>/dev/null                     # the shell's "Terminated"
rc=$(cat "$dir/rc")
expect "--plot, SIGTERM during gnuplot" 143 ""
[ -e "$work/p.svg" ] && bad "--plot, SIGTERM: a p.svg appeared"

# plot_write_checked: a CSV that cannot be written is an error naming it
mkdir "$work/p2.csv"
keep p2.csv
run 20 - grad m.rj --plot p2.svg
expect "--plot onto a directory" 2 "--plot: cannot write p2.csv: it is a directory"

exit $fail
