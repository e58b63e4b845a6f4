#!/bin/sh
# The API reference (`make doc`, tools/mkdoc.sh): every public entry of
# include/resjac/*.h has its contract comment, the library's exports and the
# headers' declarations are the same functions, and the checker itself can
# fail.  Cases, each named after what it pins:
#   headers_fully_documented: mkdoc passes on the real headers and library,
#     and the page holds an anchor for every symbol that nm finds exported;
#   undocumented_function_fails: a header copy with one contract comment
#     removed fails, names the function and its line, and writes no page;
#   unexported_declaration_fails: a declared function the library does not
#     export fails;
#   undeclared_export_fails: the real library against the headers without
#     paths.h fails, naming an rj_paths_* export;
#   comment_rules: one comment covers the declarations after it up to a
#     blank line; a trailing comment (also one continued on the next line)
#     documents its declaration; struct members and macros follow the rules;
#     a divider comment (`/* ---- title */`) is a heading of the page.
set -u
top=${srcdir:-.}
fail=0
bad() { echo "FAIL: $*"; fail=1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
MKDOC="$top/tools/mkdoc.sh"
LIB=./libresjac.la

# ---- headers_fully_documented
if sh "$MKDOC" --lib "$LIB" -o "$dir/api.html" "$top"/include/resjac/*.h >"$dir/out" 2>"$dir/err"; then
    if [ -f .libs/libresjac.so ]; then
        nm -D --defined-only .libs/libresjac.so
    else
        nm -g --defined-only .libs/libresjac.a
    fi | awk 'NF == 3 && $2 ~ /^[TDBR]$/ && $3 ~ /^rj_/ { print $3 }' | sort -u >"$dir/exported"
    [ -s "$dir/exported" ] || bad "headers_fully_documented: nm found no rj_ export"
    missing=
    while read -r s; do
        grep -q "id=\"$s\"" "$dir/api.html" || missing="$missing $s"
    done <"$dir/exported"
    [ -z "$missing" ] || bad "headers_fully_documented: no entry in api.html for:$missing"
    for h in "$top"/include/resjac/*.h; do
        m=resjac/$(basename "$h")
        grep -q "<h2 id=\"$m\">" "$dir/api.html" || bad "headers_fully_documented: no section for $m"
    done
else
    bad "headers_fully_documented: mkdoc failed:"
    cat "$dir/err"
fi

# ---- undocumented_function_fails (the comment above rj_paths_total removed)
mkdir "$dir/h1"
awk '/^\/\* 2\^L\. \*\/$/ { next } { print }' "$top/include/resjac/paths.h" >"$dir/h1/paths.h"
cmp -s "$dir/h1/paths.h" "$top/include/resjac/paths.h" &&
    bad "undocumented_function_fails: the test did not remove the comment of rj_paths_total"
if sh "$MKDOC" -o "$dir/h1.html" "$dir/h1/paths.h" >"$dir/out" 2>"$dir/err"; then
    bad "undocumented_function_fails: mkdoc passed"
fi
grep -q "paths.h:[0-9]*: function rj_paths_total has no documenting comment" "$dir/err" ||
    bad "undocumented_function_fails: message: $(cat "$dir/err")"
[ "$(grep -c 'no documenting comment' "$dir/err")" -eq 1 ] ||
    bad "undocumented_function_fails: more than one entry reported: $(cat "$dir/err")"
[ -e "$dir/h1.html" ] && bad "undocumented_function_fails: the page was written"

# ---- unexported_declaration_fails
cp "$top"/include/resjac/*.h "$dir/h1/"
printf '%s\n' '/* resjac: a test header. */' '' '/* Not in the library. */' \
    'int rj_doc_test_missing(int a);' >"$dir/h1/extra.h"
if sh "$MKDOC" --lib "$LIB" "$dir"/h1/*.h >"$dir/out" 2>"$dir/err"; then
    bad "unexported_declaration_fails: mkdoc passed"
fi
grep -q "extra.h:4: rj_doc_test_missing is declared but .* does not export it" "$dir/err" ||
    bad "unexported_declaration_fails: message: $(cat "$dir/err")"

# ---- undeclared_export_fails
mkdir "$dir/h2"
cp "$top"/include/resjac/*.h "$dir/h2/"
rm "$dir/h2/paths.h"
if sh "$MKDOC" --lib "$LIB" "$dir"/h2/*.h >"$dir/out" 2>"$dir/err"; then
    bad "undeclared_export_fails: mkdoc passed"
fi
grep -q "exports rj_paths_count, which no public header declares" "$dir/err" ||
    bad "undeclared_export_fails: message: $(cat "$dir/err")"

# ---- comment_rules
cat >"$dir/rules.h" <<'END'
/* resjac: the module comment. */
#ifndef RESJAC_RULES_H
#define RESJAC_RULES_H

/* ------------------------------------ part one */

#define RJ_A 1   /* trailing */
#define RJ_B 2   /* trailing, continued
                    on the next line */
/* above a macro */
#define RJ_C \
    3

/* One comment for a group. */
typedef struct {
    int x;      /* a member */
} rj_s;
typedef rj_s rj_t[1];
void rj_g1(rj_t a);
void rj_g2(rj_t a,
           int b);

void rj_after_blank(void);
void rj_trailing(void);   /* its own, continued
                             here */
void rj_nodoc2(void);
struct rj_forward;
/* Covers an enum. */
enum { RJ_E1 = 1, RJ_E2 };

#define RJ_UNDOC 3

#endif
END
sh "$MKDOC" -o "$dir/rules.html" "$dir/rules.h" >"$dir/out" 2>"$dir/err" &&
    bad "comment_rules: mkdoc passed with undocumented entries"
for s in rj_after_blank rj_nodoc2 RJ_UNDOC; do
    grep -q "rules.h:[0-9]*: [a-z]* $s has no documenting comment" "$dir/err" ||
        bad "comment_rules: $s not reported"
done
for s in RJ_A RJ_B RJ_C rj_s rj_t rj_g1 rj_g2 rj_trailing RJ_E1 rj_forward; do
    grep -q " $s has no" "$dir/err" && bad "comment_rules: $s reported undocumented"
done
[ "$(grep -c 'has no documenting comment' "$dir/err")" -eq 3 ] ||
    bad "comment_rules: expected 3 reports: $(cat "$dir/err")"
# the same header, documented, gives a page with each rule's text
sed -e 's|^void rj_after_blank(void);|void rj_after_blank(void);  /* after */|' \
    -e 's|^void rj_nodoc2(void);|/* Now documented. */\nvoid rj_nodoc2(void);|' \
    -e 's|^#define RJ_UNDOC 3|#define RJ_UNDOC 3  /* now too */|' "$dir/rules.h" >"$dir/rules2.h"
if sh "$MKDOC" -o "$dir/rules.html" "$dir/rules2.h" >"$dir/out" 2>"$dir/err"; then
    for t in 'the module comment.' 'One comment for a group.' 'trailing, continued' \
             'its own, continued' 'above a macro' 'Covers an enum.' \
             'id="rj_g2"' 'id="RJ_E1"' 'int x;      /\* a member \*/' '<h3>part one</h3>'; do
        grep -q "$t" "$dir/rules.html" || bad "comment_rules: the page lacks '$t'"
    done
    grep -q 'id="rj_forward"' "$dir/rules.html" && bad "comment_rules: a forward declaration listed"
else
    bad "comment_rules: the documented header failed: $(cat "$dir/err")"
fi

# usage errors exit 2
sh "$MKDOC" >/dev/null 2>&1; rc=$?
[ "$rc" -eq 2 ] || bad "mkdoc without headers: exit $rc, expected 2"
sh "$MKDOC" "$dir/no-such.h" >/dev/null 2>&1; rc=$?
[ "$rc" -eq 2 ] || bad "mkdoc with a missing header: exit $rc, expected 2"

[ $fail -eq 0 ] && echo "check_doc: all passed"
exit $fail
