#!/bin/sh
# resjac check: quantifiers over every depth L (issue 13.5, proofs/symbolic.md
# SY 6) as a user meets them in a claim file.  Cases, each named after what it
# pins:
#   proved_every_L: a true binomial-sum identity is PROVED for every L, the
#     evidence naming the WZ certificate and the L it starts from;
#   from_a: forall L in a..inf starts at a;
#   sum_from_1: sum(k in 1..L: ...) is the sum over 0..L less its k = 0 term
#     (PROVED when true, REFUTED at the smallest L when the term is forgotten);
#   refuted_smallest: a false closed form is REFUTED at the smallest failing L,
#     and --json gives that L in the counterexample's bindings;
#   limit_undecided: a summand past the degree limit is UNDECIDED, naming the
#     limit, never PROVED;
#   squares_every_L: sum_k C(L, k)^2 = C(2L, L), a squared binomial and a
#     central binomial, is PROVED;
#   outside_method: a true identity the method does not take is UNDECIDED,
#     naming the construct;
#   base_beyond_scan: a denominator vanishing at L = 50 moves the certificate's
#     start to L1 = 51; the exact scan then runs on to L1 + 3;
#   scan_limit_undecided: a start past the evaluator's limits is UNDECIDED,
#     naming the limit, not an error;
#   divisor_cancelled: (L - L) / (L - 50) == 0 is not PROVED for every L (the
#     divisor vanishes at L = 50): the scan reaches L = 50 and reports it;
#   bad_naturals: naturals(...) is bad input: exit 2, file:line:column.
set -u
R=./resjac
fail=0
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT

bad() { echo "FAIL: $*"; fail=1; }
# expect CASE VERDICT CLAIM REGEX: the claim's line of $d/out has the verdict
# and matches REGEX after the name
expect() {
    grep -Eq "^$2 +$3 $4" "$d/out" || bad "$1: $(grep " $3 " "$d/out")"
}

cat >"$d/depth.rj" <<'END'
claim first_moment "t" expect PROVED:
    forall L in naturals: sum(k in 0..L: k * binomial(L, k)) == L * 2^(L - 1)
claim from_one "t" expect PROVED:
    forall L in naturals: sum(k in 1..L: k * binomial(L, k)) == L * 2^(L - 1)
claim from_one_plus "t" expect PROVED:
    forall L in naturals: sum(k in 1..L: binomial(L, k)) + 1 == 2^L
claim from_two_wrong "t" expect REFUTED:
    forall L in naturals: sum(k in 2..L: binomial(L, k)) + 1 == 2^L
claim from_three "t" expect PROVED:
    forall L in 3..inf: sum(k in 0..L: (-1)^k * binomial(L, k)) == 0
claim variance_wrong "t" expect REFUTED:
    forall L in naturals: sum(k in 0..L: (k - L/2)^2 * binomial(L, k) / 2^L) == L / 2
claim past_limit "t" expect UNDECIDED:
    forall L in naturals: sum(k in 0..L: binomial(L, k) * (L^13 + 1)) == (L^13 + 1) * 2^L
claim base_beyond "t" expect PROVED:
    forall L in naturals: sum(k in 0..L: (L - 50) * binomial(L, k)) == (L - 50) * 2^L
claim far_start "t" expect UNDECIDED:
    forall L in 1000000..inf: sum(k in 0..L: binomial(L, k)) == 2^L
claim squares "t" expect PROVED:
    forall L in naturals: sum(k in 0..L: binomial(L, k)^2) == binomial(2 * L, L)
claim harmonic "t" expect UNDECIDED:
    forall L in naturals: sum(k in 0..L: binomial(L, k) / (k + 1)) == (2^(L + 1) - 1) / (L + 1)
END
$R check "$d/depth.rj" >"$d/out" 2>&1 || bad "depth.rj: exit $?: $(cat "$d/out")"
expect proved_every_L PROVED first_moment '.*for every L >= 0 \[SY 6\].*WZ certificate R\(L, k\) = .*so the sum is the same for all L >= 1'
expect sum_from_1 PROVED from_one '.*for every L >= 0 \[SY 6\]'
expect sum_from_1 PROVED from_one_plus '.*for every L >= 0 \[SY 6\]'
expect sum_from_1 REFUTED from_two_wrong '.*fails first at L = 1 '
expect from_a PROVED from_three '.*for every L >= 3 '
expect refuted_smallest REFUTED variance_wrong '.*fails first at L = 1 \(the smallest'
expect limit_undecided UNDECIDED past_limit '.*limit of 12'
expect squares_every_L PROVED squares '.*C\(L, k\)\^2 .*C\(2L, L\)\^-1 .*WZ certificate'
expect outside_method UNDECIDED harmonic '.*no failing L in 0\.\.40 .*only a divisor free of the summation variable'
expect base_beyond_scan PROVED base_beyond '.*for all L >= 51; L = 0\.\.54 decided exactly'
expect scan_limit_undecided UNDECIDED far_start '.*L = 1000000 is not decided exactly \(a limit of the exact evaluation: .*max_terms'
$R check --json "$d/depth.rj" >"$d/json" 2>&1 || bad "--json: exit $?"
tr -d ' \n' <"$d/json" | grep -q '"name":"variance_wrong".*"counterexample":{"bindings":{"L":"1"}' \
    || bad "refuted_smallest: no binding L = 1 in the JSON data"

printf 'claim c "t":\n    forall L in naturals: (L - L) / (L - 50) == 0\n' >"$d/div.rj"
$R check "$d/div.rj" >"$d/out" 2>&1
st=$?
[ $st -eq 2 ] || bad "divisor_cancelled: exit $st, not 2: $(cat "$d/out")"
grep -q "div.rj:2:28: division by zero" "$d/out" || bad "divisor_cancelled: $(cat "$d/out")"

printf 'claim c "t":\n    forall L in naturals(2): sum(k in 0..L: binomial(L, k)) == 2^L\n' >"$d/badnat.rj"
$R check "$d/badnat.rj" >"$d/out" 2>&1
st=$?
[ $st -eq 2 ] || bad "bad_naturals: exit $st, not 2"
grep -q "badnat.rj:2:17: naturals takes no arguments" "$d/out" \
    || bad "bad_naturals: no file:line:column message: $(cat "$d/out")"

exit $fail
