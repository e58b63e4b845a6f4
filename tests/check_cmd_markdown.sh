#!/bin/sh
# resjac check on Markdown lessons, --report, claims without `expect` and -e
# (issue 14).  The lesson proofs/01-block.md is held against 01-block.rj, its
# resjac form: the same claims must get the same verdicts; errors must be
# located at the lesson's own line and column, found here from the file with
# awk, not from resjac.
set -u
R=./resjac
P=${srcdir:-.}/proofs
fail=0
d=$(mktemp -d)
out=$d/out
err=$d/err
trap 'rm -rf "$d"' EXIT

bad() { echo "FAIL: $*"; fail=1; }

# expect CODE ARGS...: run resjac check, compare the exit status
expect() {
    code=$1
    shift
    $R check "$@" >"$out" 2>"$err"
    rc=$?
    [ "$rc" -eq "$code" ] || { bad "resjac check $*: exit $rc, expected $code"; cat "$out" "$err"; }
}

# verdict and name of every claim line ("NOT REFUTED" is two words)
verdicts() {
    sed -n 's/^\(NOT REFUTED\|[A-Z][A-Z_]*\)  *\([A-Za-z0-9_-]*\)  .*/\1|\2/p' "$1"
}

# ---- the lesson gives the verdicts of the .rj file
expect 0 "$P/01-block.rj"
verdicts "$out" >"$d/rj"
expect 0 "$P/01-block.md"
verdicts "$out" >"$d/md"
[ -s "$d/rj" ] || bad "01-block.rj: no claim lines"
cmp -s "$d/rj" "$d/md" || { bad "01-block.md and 01-block.rj differ"; diff "$d/rj" "$d/md"; }
[ "$(tail -n 1 "$out")" = "$(wc -l <"$d/rj" | tr -d ' ') passed, 0 failed" ] \
    || bad "01-block.md summary: $(tail -n 1 "$out")"
# and as many claims as the lesson has `claim` lines inside resjac blocks
n=$(awk '/^```resjac/ { on = 1; next } /^```/ { on = 0 } on && /^claim / { n++ } END { print n }' \
    "$P/01-block.md")
[ "$n" -eq "$(wc -l <"$d/md")" ] || bad "01-block.md: $n claims written, $(wc -l <"$d/md") decided"

# ---- an error in the third block, located in the .md
# the line after the third opening fence gets a bad token at a known column
third=$(awk '/^```resjac/ { k++; if (k == 3) { print NR + 1; exit } }' "$P/01-block.md")
awk -v L="$third" 'NR == L { print "let broken = [1, 2] + * 3" } { print }' "$P/01-block.md" \
    >"$d/bad3.md"
expect 2 "$d/bad3.md"
grep -q "^resjac: $d/bad3.md:$third:23: " "$err" || bad "error in block 3 not at $third:23: $(cat "$err")"
[ "$(tail -n 1 "$out")" = "0 passed, 1 failed" ] || bad "bad3.md summary: $(tail -n 1 "$out")"
# a name that is not defined, used in the third block: an ERROR line at its place
awk -v L="$third" 'NR == L { print "claim uses_nothing \"x\" expect PROVED:";
    print "    nothing_defined == 1" } { print }' "$P/01-block.md" >"$d/err3.md"
expect 2 "$d/err3.md"
grep -q "^ERROR  *uses_nothing .*err3.md:$((third + 1)):5: " "$out" \
    || bad "undefined name in block 3 not at $((third + 1)):5: $(grep uses_nothing "$out")"

# ---- other fences are text; an unterminated resjac fence is an error
cat >"$d/mixed.md" <<'EOF'
# Mixed

```python
claim not_resjac "x" expect PROVED: this is python
```

~~~
let a = = 1
~~~

    ```resjac
    indented code: text

~~~resjac
let a = 2
~~~

```resjac
claim a_is_two "§1" expect PROVED:
    a == 2
```
EOF
expect 0 "$d/mixed.md"
[ "$(tail -n 1 "$out")" = "1 passed, 0 failed" ] || bad "mixed.md: $(tail -n 1 "$out")"
printf 'text\n\n```resjac\nlet a = 1\n' >"$d/open.md"
expect 2 "$d/open.md"
grep -q "open.md:3:1: .*never closed" "$err" || bad "unterminated fence: $(cat "$err")"
printf 'text\n~~~python\nx = 1\n```resjac\nlet a = 1\n```\n' >"$d/hidden.md"
expect 2 "$d/hidden.md"
grep -q "hidden.md:2:1: .*line 4" "$err" || bad "hidden resjac block: $(cat "$err")"
# a python block whose closing fence is missing: the resjac block's own
# closing fence would close it, and its claims would be skipped in silence
printf 'text\n```python\nx = 1\n```resjac\nlet a = 1\n```\n' >"$d/inside.md"
expect 2 "$d/inside.md"
grep -q "inside.md:4:1: .*line 2" "$err" || bad "resjac fence inside a block: $(cat "$err")"
printf -- '- item\n\n  ```resjac\nlet a = 1\n```\n' >"$d/indented.md"
expect 2 "$d/indented.md"
grep -q "indented.md:3:3: .*column 1" "$err" || bad "indented fence: $(cat "$err")"

# ---- --report: the lesson with every verdict beside its claim
expect 0 --report "$d/report.md" "$P/01-block.md"
verdicts "$out" >"$d/md2"
while IFS='|' read -r v name; do
    grep -q "^> \*\*$v\*\* \`$name\`" "$d/report.md" || bad "report: no '$v $name'"
done <"$d/md2"
grep -v '^>' "$d/report.md" | grep -v '^$' >"$d/r1"
grep -v '^>' "$P/01-block.md" | grep -v '^$' >"$d/r2"
cmp -s "$d/r1" "$d/r2" || bad "the report is not the lesson plus quotes"
tail -n 1 "$d/report.md" | grep -q "14 passed, 0 failed" || bad "report: no summary"
ls "$d" | grep -q 'tmp' && bad "a temporary file was left: $(ls "$d")"
# the HTML report: every verdict, in a box
expect 0 --report "$d/report.html" "$P/01-block.md"
head -n 1 "$d/report.html" | grep -q '<!DOCTYPE html>' || bad "report.html: not HTML"
while IFS='|' read -r v name; do
    grep -q "<b>$v</b> <code>$name</code>" "$d/report.html" || bad "report.html: no '$v $name'"
done <"$d/md2"
# a failed claim is marked in the report
sed 's/expect PROVED:/expect REFUTED:/' "$d/mixed.md" >"$d/fails.md"
expect 1 --report "$d/fails-report.md" "$d/fails.md"
grep -q '^> \*\*PROVED\*\* `a_is_two` \[§1\] (line 19): FAILED, expected REFUTED' \
    "$d/fails-report.md" || bad "report of a failed claim: $(grep a_is_two "$d/fails-report.md")"
# bad report paths: refused before any work, nothing written
expect 2 --report "$d/report.txt" "$P/01-block.md"
grep -q -- "--report" "$err" || bad "--report .txt: message does not name the option"
[ ! -e "$d/report.txt" ] || bad "--report .txt: a file was written"
expect 2 --report "$d/no/such/dir/r.md" "$P/01-block.md"
cp "$d/mixed.md" "$d/self.md"
expect 2 --report "$d/self.md" "$d/self.md"
cmp -s "$d/mixed.md" "$d/self.md" || bad "--report onto the lesson changed it"
expect 2 --report "$d/two.md" "$P/01-block.md" "$d/mixed.md"
expect 2 --report "$d/rj.md" "$P/01-block.rj"
expect 2 --report "$d/x.md" -e '1 == 1' "$P/01-block.md"
# a lesson that cannot be parsed: no report, no temporary file
echo "old" >"$d/kept.md"
expect 2 --report "$d/kept.md" "$d/bad3.md"
[ "$(cat "$d/kept.md")" = "old" ] || bad "a failed check overwrote the report"
ls "$d" | grep -q 'tmp' && bad "a temporary file was left after an error: $(ls "$d")"

# ---- claims without expect: reported, counted apart
cat >"$d/explore.rj" <<'EOF'
let W = [[1, 2], [3, 4]]
claim det_value "§1" expect PROVED:
    det(W) == -2
claim trace_guess:
    trace(W) == 6
claim det_guess "§1" note "is it -2?":
    det(W) == -2
claim trace_value "§1" expect REFUTED:
    trace(W) == 6
EOF
expect 0 "$d/explore.rj"
[ "$(tail -n 1 "$out")" = "2 passed, 0 failed, 2 exploratory" ] || bad "exploratory summary: $(tail -n 1 "$out")"
grep -q '^REFUTED  *trace_guess ' "$out" || bad "exploratory verdict not shown"
grep -q '^PROVED  *det_guess ' "$out" || bad "exploratory PROVED not shown"
grep -q 'expected' "$out" && bad "an exploratory claim has an 'expected' line"
expect 0 --json "$d/explore.rj"
grep -q '"exploratory": 2' "$out" || bad "--json: no exploratory count"
expect 0 --quiet "$d/explore.rj"
grep -q 'trace_guess' "$out" || bad "--quiet hid an exploratory verdict"
grep -q 'det_value' "$out" && bad "--quiet printed a passed claim"

# ---- -e: one formula, after the files' definitions
expect 0 -e '1 + 1 == 2'
grep -q '^PROVED  *-e ' "$out" || bad "-e: not PROVED: $(cat "$out")"
[ "$(tail -n 1 "$out")" = "0 passed, 0 failed, 1 exploratory" ] || bad "-e summary: $(tail -n 1 "$out")"
expect 0 -e '1 + 1 == 3'
grep -q '^REFUTED  *-e ' "$out" || bad "-e: a false formula not REFUTED"
expect 0 "$P/01-block.md" -e 'jacobian(B, x) == I2 + jacobian(BF, x)'
grep -q '^PROVED  *-e ' "$out" || bad "-e with a lesson's names: $(cat "$out" "$err")"
grep -q 'block_forward_value' "$out" && bad "-e decided the file's claims"
printf 'let W = [[1, 0], [0, 2]]\nlet net = net(block(W1 = W, act = relu, W2 = W))\nlet x = [1, -1]\n' >"$d/model.rj"
expect 0 "$d/model.rj" -e 'rows(jacobian(net, x)) == 2'
grep -q '^PROVED  *-e ' "$out" || bad "-e with a model file: $(cat "$out" "$err")"
expect 2 -e 'rows(x) == . 2'
grep -q '^resjac: -e:1:12: ' "$err" || bad "-e syntax error not located: $(cat "$err")"
expect 2 -e 'undefined_name == 1'
grep -q '^ERROR  *-e .*-e:1:1: ' "$out" || bad "-e unknown name: $(cat "$out")"
expect 2 -e
expect 2 -e '1 == 1' -e '2 == 2'
expect 2 "$d/no-such-file.rj" -e '1 == 1'

# ---- the bundled run takes numbered lessons, not the documentation pages
mkdir "$d/proofs"
cp "$P/01-block.md" "$P/01-block.rj" "$d/proofs/"
printf '# Notes\n\n```resjac\nclaim x "y" expect PROVED:\n    1 == 2\n```\n' >"$d/proofs/README.md"
RESJAC_PROOFS_DIR=$d/proofs $R check >"$out" 2>"$err"
[ $? -eq 0 ] || bad "bundled run with a lesson: exit status: $(cat "$err")"
grep -q "^# $d/proofs/01-block.md\$" "$out" || bad "bundled run: the lesson was not checked"
grep -q "README" "$out" && bad "bundled run: README.md was checked"

$R check --help | grep -q '\.md' || bad "--help does not mention Markdown"

exit $fail
