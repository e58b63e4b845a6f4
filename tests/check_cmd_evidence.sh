#!/bin/sh
# resjac check: readable evidence (issue 14c) -- long numbers as a short
# decimal with the exact form under --exact, one spelling of the verdict
# names in text and JSON, identical tie cases collapsed.
set -u
R=./resjac
fail=0
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT

bad() { echo "FAIL: $*"; fail=1; }

# a fraction of 96/96 digits: short in the text, exact under --exact, where it
# must equal 3^200 / 10^200 as bc computes it
cat >"$d/long.rj" <<'END'
claim long "t" expect REFUTED:
    (3/10)^200 >= 1
claim approx "t" expect NOT_REFUTED:
    1/3 ~= 0.33 within 0.01
END
$R check "$d/long.rj" >"$d/out" 2>&1 || bad "long.rj: exit $?"
grep -Eq '^REFUTED +long .*lhs = ~[0-9.e+-]+ \(exact: --exact\)' "$d/out" \
    || bad "no short decimal form: $(cat "$d/out")"
grep -Eq '[0-9]{40}' "$d/out" && bad "a long digit string in the short text: $(cat "$d/out")"
grep -q '^  exact:' "$d/out" && bad "exact values printed without --exact"
$R check --exact "$d/long.rj" >"$d/out" 2>&1 || bad "long.rj --exact: exit $?"
num=$(echo '3^200' | BC_LINE_LENGTH=0 bc)
den=$(echo '10^200' | BC_LINE_LENGTH=0 bc)
grep -qx "  exact: lhs = $num/$den; rhs = 1" "$d/out" \
    || bad "--exact: not the exact value of (3/10)^200: $(grep exact "$d/out")"

# verdict names: the file's spelling in the text and in JSON (verdict, expected)
$R check "$d/long.rj" >"$d/out" 2>&1
grep -Eq '^NOT_REFUTED +approx ' "$d/out" || bad "text verdict not NOT_REFUTED: $(cat "$d/out")"
grep -q 'NOT REFUTED' "$d/out" && bad "a second spelling in the text"
$R check --json "$d/long.rj" >"$d/out" 2>&1
grep -q '"verdict": "NOT_REFUTED"' "$d/out" || bad "JSON verdict spelling"
grep -q '"expected": "NOT_REFUTED"' "$d/out" || bad "JSON expected spelling"
grep -q 'NOT REFUTED' "$d/out" && bad "a second spelling in JSON"
$R check --help | grep -q 'NOT REFUTED' && bad "a second spelling in --help"

exit $fail
