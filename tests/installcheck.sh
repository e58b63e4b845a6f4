#!/bin/sh
# What an installed resjac must do (run by `make installcheck`, so also by
# `make distcheck` and .ci/run), each case named after the defect it pins:
#   pc_libs_link_public_api: `pkg-config --cflags --libs resjac` links and
#     runs a program that uses the public API with its FLINT, GMP and MPFR types;
#   installed_binary_holds_no_source_path: no build or source directory in the
#     installed binary or library (`strings`);
#   installed_check_runs_installed_proofs: the installed `resjac check`
#     without files decides the installed proofs, from any directory;
#   installed_exporter: tools/resjac-export is installed as bindir/resjac-export,
#     executable (a Python script);
#   installed_man_pages: resjac(1), resjac-lang(7) and resjac-export(1) are installed under
#     mandir as in the sources, and `man` finds and renders them there.
# Environment (set by Makefile.am's installcheck-local): DESTDIR prefix bindir
# libdir pkgdatadir mandir abs_top_srcdir abs_top_builddir CC.
set -u
fail=0
bad() { echo "FAIL: $*"; fail=1; }
root=${DESTDIR:-}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# ---- pc_libs_link_public_api
cat >"$dir/use.c" <<'END'
#include <stdio.h>
#include <flint/fmpq_mat.h>
#include <mpfr.h>
#include "resjac.h"

int
main(void)
{
    /* 3 x 2: a path count and the exact image of a saved float matrix */
    double d[6] = {0.5, -1, 3, 0.25, 1e-3, 2};
    fmpz_t c;
    fmpq_mat_t A, AtA;
    mpfr_t f;
    rj_error_t err;
    int ok;
    rj_error_init(err);
    fmpz_init(c);
    rj_paths_count(c, 10, 3);                       /* C(10, 3) = 120 */
    fmpq_mat_init(A, 0, 0);
    ok = rj_npy_save_d(NPY, d, 3, 2, err) == RJ_OK && rj_npy_load(A, NPY, err) == RJ_OK;
    fmpq_mat_init(AtA, 2, 2);
    if (ok) {
        fmpq_mat_t At;
        fmpq_mat_init(At, 2, 3);
        fmpq_mat_transpose(At, A);
        fmpq_mat_mul(AtA, At, A);
        fmpq_mat_clear(At);
    }
    mpfr_init2(f, 64);
    mpfr_set_ui(f, fmpz_get_ui(c), MPFR_RNDN);
    printf("%lu %d ", mpfr_get_ui(f, MPFR_RNDN), ok);
    fmpq_print(fmpq_mat_entry(AtA, 0, 1));
    printf("\n");
    mpfr_clear(f);
    fmpq_mat_clear(AtA);
    fmpq_mat_clear(A);
    fmpz_clear(c);
    flint_cleanup();
    return ok ? 0 : 1;
}
END
PKG_CONFIG_PATH="$root$libdir/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export PKG_CONFIG_PATH
pc="pkg-config --define-variable=prefix=$root$prefix"
flags=$($pc --cflags --libs resjac) || bad "pc_libs_link_public_api: pkg-config --cflags --libs resjac"
# shellcheck disable=SC2086
if ${CC:-cc} -DNPY="\"$dir/a.npy\"" -o "$dir/use" "$dir/use.c" $flags >"$dir/cc.log" 2>&1; then
    # 0.5*(-1) + 3*0.25 + 1e-3*2, 1e-3 exactly as the double holds it
    want=$(python3 -c 'from fractions import Fraction as F; print("120 1", F(0.5)*F(-1) + F(3)*F(0.25) + F(1e-3)*F(2))')
    got=$(LD_LIBRARY_PATH="$root$libdir" "$dir/use") || bad "pc_libs_link_public_api: the program failed"
    [ "$got" = "$want" ] || bad "pc_libs_link_public_api: printed '$got', expected '$want'"
else
    bad "pc_libs_link_public_api: cannot link with \`pkg-config --libs resjac\` ($flags): $(grep -m3 -i 'undefined\|error' "$dir/cc.log")"
fi

# ---- installed_binary_holds_no_source_path
for f in "$root$bindir/resjac" "$root$libdir"/libresjac.so.*.*; do
    [ -f "$f" ] || { bad "$f is not installed"; continue; }
    # (install paths are allowed: distcheck installs inside the source tree)
    strings "$f" | grep -vF "$prefix" >"$dir/strings"
    for p in $(printf '%s\n%s\n' "$abs_top_srcdir" "$abs_top_builddir" | sort -u); do
        grep -qF "$p" "$dir/strings" &&
            bad "installed_binary_holds_no_source_path: $f holds $p: $(grep -F -m3 "$p" "$dir/strings" | tr '\n' ' ')"
    done
done

# ---- installed_check_runs_installed_proofs (from a directory holding another proofs/)
mkdir -p "$dir/cwd/proofs"
printf 'claim "decoy":\n    1 == 2\n    expect: PROVED\n' >"$dir/cwd/proofs/decoy.rj"
out=$(cd "$dir/cwd" && env -u RESJAC_PROOFS_DIR LD_LIBRARY_PATH="$root$libdir" \
      "$root$bindir/resjac" check --quiet 2>&1)
rc=$?
[ "$rc" -eq 0 ] || bad "installed_check_runs_installed_proofs: exit $rc: $(echo "$out" | tail -3)"
echo "$out" | tail -n 1 | grep -q '^[1-9][0-9]* passed, 0 failed$' ||
    bad "installed_check_runs_installed_proofs: last line '$(echo "$out" | tail -n 1)'"
n_inst=$(ls "$root$pkgdatadir/proofs"/*.rj | wc -l)
out=$(cd "$dir/cwd" && env -u RESJAC_PROOFS_DIR LD_LIBRARY_PATH="$root$libdir" \
      "$root$bindir/resjac" check --json 2>&1)
missing=
for p in "$root$pkgdatadir/proofs"/*.rj; do
    echo "$out" | grep -qF "\"$p\"" || missing="$missing $p"
done
[ -z "$missing" ] || bad "installed_check_runs_installed_proofs: not checked:$missing; checked: $(echo "$out" | grep '"file":' | sort -u | head -3 | tr -s ' \n' ' ')"
echo "$out" | grep -q "decoy" && bad "installed_check_runs_installed_proofs: checked ./proofs"
[ "$n_inst" -gt 0 ] || bad "no proofs installed in $root$pkgdatadir/proofs"

# ---- installed_exporter
[ -x "$root$bindir/resjac-export" ] || bad "installed_exporter: $root$bindir/resjac-export is not installed executable"
cmp -s "$root$bindir/resjac-export" "$abs_top_srcdir/tools/resjac-export" ||
    bad "installed_exporter: $root$bindir/resjac-export differs from tools/resjac-export"

# ---- installed_man_pages
for page in man1/resjac.1 man7/resjac-lang.7 man1/resjac-export.1; do
    f="$root$mandir/$page"
    if [ ! -f "$f" ]; then
        bad "installed_man_pages: $f is not installed"
        continue
    fi
    cmp -s "$f" "$abs_top_srcdir/man/$(basename "$page")" ||
        bad "installed_man_pages: $f differs from man/$(basename "$page")"
    name=$(basename "$page" | sed 's/\.[0-9]$//')
    sect=$(echo "$page" | sed 's/^man\([0-9]\).*/\1/')
    if command -v man >/dev/null 2>&1; then
        out=$(MANWIDTH=80 man -M "$root$mandir" "$sect" "$name" 2>&1)
        echo "$out" | grep -q "^ *$name - " ||
            bad "installed_man_pages: \`man -M $root$mandir $sect $name\` gives: $(echo "$out" | head -3)"
    fi
done

[ $fail -eq 0 ] && echo "installcheck: all passed"
exit $fail
