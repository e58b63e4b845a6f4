#!/bin/sh
# resjac check on the test claim files: output lines, the summary line, JSON
# and exit codes (0 all passed, 1 a claim failed, 2 bad input).
set -u
R=./resjac
S=${srcdir:-.}/tests/claims
fail=0
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

bad() { echo "FAIL: $*"; fail=1; }

# expect CODE ARGS...: run resjac check, compare the exit status
expect() {
    code=$1
    shift
    $R check "$@" >"$out" 2>"$err"
    rc=$?
    [ "$rc" -eq "$code" ] || { bad "resjac check $*: exit $rc, expected $code"; cat "$out" "$err"; }
}

expect 0 "$S/lesson_true.rj"
tail -n 1 "$out" | grep -Eq '^[0-9]+ passed, 0 failed$' || bad "summary line of lesson_true.rj"
grep -Eq '^PROVED +block_jacobian +\[§2, Q1\] +both sides = ' "$out" || bad "claim line format"

expect 0 "$S/lesson_false.rj"
grep -q '^PROVED' "$out" && bad "a false variant was PROVED"

# issue 10: enclosures past MPFR's exponent range give UNDECIDED, saying why
expect 0 "$S/exponent_range.rj"
grep -q "not finite" "$out" || bad "exponent_range.rj: no reason given"
! grep -qi "nan" "$out" || bad "exponent_range.rj: a NaN printed"

expect 1 "$S/mismatch.rj"
grep -q '^  expected PROVED$' "$out" || bad "no 'expected' line for a failed claim"
[ "$(tail -n 1 "$out")" = "1 passed, 1 failed" ] || bad "summary of mismatch.rj: $(tail -n 1 "$out")"

expect 1 --quiet "$S/mismatch.rj"
grep -q 'fine' "$out" && bad "--quiet printed a passing claim"

expect 2 "$S/bad_syntax.rj"
grep -Eq 'bad_syntax.rj:[0-9]+:[0-9]+: ' "$err" || bad "parse error not located: $(cat "$err")"
[ "$(tail -n 1 "$out")" = "0 passed, 1 failed" ] || bad "summary of bad_syntax.rj"

expect 2 "$S/bad_claims.rj"
grep -Eq '^ERROR +unknown_name .*bad_claims.rj:[0-9]+:[0-9]+: ' "$out" || bad "ERROR line not located"

expect 2 "$S/lesson_true.rj" "$S/bad_syntax.rj" "$S/mismatch.rj"
grep -q "^# $S/lesson_true.rj\$" "$out" || bad "no file header with several files"

expect 1 --json "$S/mismatch.rj"
grep -q '"verdict": "REFUTED"' "$out" || bad "--json: no verdict"
grep -q '"failed": 1' "$out" || bad "--json: no failed count"

expect 2 --no-such-option
expect 0 --help

# the bundled proofs directory comes from RESJAC_PROOFS_DIR
d=$(mktemp -d)
cp "$S/lesson_true.rj" "$S/mismatch.rj" "$d/"
RESJAC_PROOFS_DIR=$d $R check >"$out" 2>"$err"
[ $? -eq 1 ] || bad "RESJAC_PROOFS_DIR: exit status"
grep -q "^# $d/lesson_true.rj\$" "$out" || bad "RESJAC_PROOFS_DIR: files not checked"
rm -rf "$d"
d=$(mktemp -d)
RESJAC_PROOFS_DIR=$d $R check >"$out" 2>"$err"
[ $? -eq 2 ] || bad "an empty proofs directory is bad input"
rm -rf "$d"

# Every malformed file with a first line `# expect: LINE:COL substring` gives
# bad input (exit 2) located at FILE:LINE:COL, with the substring in the
# message -- also the files whose only fault is a `let` no claim uses
# (regression: such a failed definition passed silently, exit 0).
n=0
for f in "$S"/*.rj; do
    first=$(head -n 1 "$f")
    case "$first" in
    "# expect: "*) ;;
    *) continue ;;
    esac
    spec=${first#\# expect: }
    lc=${spec%% *}
    sub=${spec#* }
    $R check "$f" >"$out" 2>"$err"
    rc=$?
    n=$((n + 1))
    [ "$rc" -eq 2 ] || bad "$f: exit $rc, expected 2"
    cat "$out" "$err" | grep -qF "$f:$lc:" || bad "$f: no location $lc: $(cat "$out" "$err")"
    cat "$out" "$err" | grep -qF -- "$sub" || bad "$f: no '$sub' in: $(cat "$out" "$err")"
done
[ "$n" -ge 30 ] || bad "only $n files with '# expect:' in $S"

# a failed definition that no claim uses: its own ERROR line, counted, exit 2
d=$(mktemp -d)
printf 'let a = [1, 2] * [1, 2]\nclaim fine "t" expect PROVED: 1 == 1\n' >"$d/let.rj"
expect 2 "$d/let.rj"
grep -Eq "^ERROR +a +\[let\] +the definition failed: $d/let.rj:1:" "$out" \
    || bad "failed definition line: $(cat "$out")"
[ "$(tail -n 1 "$out")" = "1 passed, 1 failed" ] || bad "failed definition not counted"
expect 2 --json "$d/let.rj"
grep -q '"kind": "definition"' "$out" || bad "--json: no definition result"
rm -rf "$d"

exit $fail
