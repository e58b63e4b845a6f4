#!/bin/sh
# resjac check: readable evidence (issue 14c) -- long numbers as a short
# decimal with the exact form under --exact, one spelling of the verdict
# names in text and JSON, identical tie cases collapsed -- and the small
# language gaps of the same issue, as a user meets them in a claim file.
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

# resjac jacobian at 6 ties: identical one-sided Jacobians print once with
# their count; held against the JSON output, which lists all 64 choices
cat >"$d/m6.rj" <<'END'
let W = identity(6)
let W2 = [[1, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0],
          [0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]]
let net = net(block(W1 = W, act = relu, W2 = W2))
let x = [0, 0, 0, 0, 0, 0]
END
$R jacobian "$d/m6.rj" >"$d/out" 2>&1 || bad "jacobian m6.rj: exit $?"
groups=$(grep -c '^  [0-9]* tie cases\{0,1\}, ' "$d/out")
total=$(sed -n 's/^  \([0-9]*\) tie cases\{0,1\}, .*/\1/p' "$d/out" | awk '{ s += $1 } END { print s }')
$R jacobian --json "$d/m6.rj" >"$d/json" 2>&1 || bad "jacobian --json m6.rj: exit $?"
choices=$(grep -c '"choice":' "$d/json")
distinct=$(tr -d ' \n' <"$d/json" | grep -o '"jacobian":\[\[[^]]*\]\(,\[[^]]*\]\)*\]' | sort -u | wc -l)
[ "$choices" -eq 64 ] || bad "JSON lists $choices choices, expected 64"
[ "$total" = 64 ] || bad "the tie cases in the text add up to $total, not 64: $(cat "$d/out")"
[ "$groups" -eq "$distinct" ] || bad "$groups groups in the text, $distinct distinct Jacobians in JSON"
[ "$(grep -c '^    \[' "$d/out")" -eq $((6 * distinct)) ] || bad "matrices printed more than once: $(cat "$d/out")"

# the claim's tie note: six ties at one place and point are one entry,
# "units 1-6", and the 2^6 choices are counted
cat >"$d/t6.rj" <<'END'
let n6 = net(block(W1 = identity(6), act = relu, W2 = identity(6)))
let x = [0, 0, 0, 0, 0, 0]
claim j6 "t" expect PROVED:
    jacobian(n6, x) == jacobian(n6, x)
END
$R check "$d/t6.rj" >"$d/out" 2>&1 || bad "check t6.rj: exit $?"
grep -q 'inner relu, units 1-6, at \[0, 0, 0, 0, 0, 0\]' "$d/out" || bad "tie note not collapsed: $(cat "$d/out")"
[ "$(grep -o 'first met by' "$d/out" | wc -l)" -eq 1 ] || bad "tie note repeats its place: $(cat "$d/out")"
grep -q 'all 64 one-sided choices' "$d/out" || bad "not 2^6 choices: $(cat "$d/out")"
# its data names the one-sided choice at each of the 6 ties
$R check --json "$d/t6.rj" >"$d/out" 2>&1 || bad "check --json t6.rj: exit $?"
[ "$(grep -o '"side": "left"' "$d/out" | wc -l)" -eq 6 ] || bad "data: no choice at 6 ties: $(cat "$d/out")"

# a geometric sum from L = 1 (its empty sum the zero matrix), x - mu, ones:
# each held against a second way of writing the same value
cat >"$d/gaps.rj" <<'END'
let A = [[1/2, 1], [0, 1/3]]
let x = [1, 2, 3]
let mu = 2
claim geometric "t" expect PROVED:
    forall L in 1..6: (identity(2) - A) * (identity(2) + sum(k in 1..L-1: A^k)) == identity(2) - A^L
claim centred "t" expect PROVED:
    x - mu == x - mu * ones(3)
claim centred_sum "t" expect PROVED:
    ones(3)' * (x - sum(k in 1..3: x[k]) / 3) == 0
claim empty_product "t" expect PROVED:
    forall L in 0..4: prod(k in 1..L: A) == A^L
claim square_ambiguous "t" expect PROVED:
    A + 1 == A + ones(2, 2)
END
$R check "$d/gaps.rj" >"$d/out" 2>&1
[ "$(tail -n 1 "$d/out")" = "4 passed, 1 failed" ] || bad "language gaps: $(cat "$d/out")"
grep -Eq '^ERROR +square_ambiguous .*ambiguous: write A \+ c \* identity\(2\)' "$d/out" \
    || bad "A + 1 of a square A not refused: $(cat "$d/out")"

# random_net's initialisation is in the usage text
$R check --help | grep -q '1/sqrt(depth)' || bad "check --help: no random_net initialisation"
$R grad --help | grep -q '1/sqrt(depth)' || bad "grad --help: no branch scaling"

exit $fail
