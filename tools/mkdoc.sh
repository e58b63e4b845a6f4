#!/bin/sh
# resjac's API reference: `make doc` runs
#
#   tools/mkdoc.sh [--lib LIB] [--title TEXT] [-o OUT.html] HEADER...
#
# It reads the public headers with tools/mkdoc.awk (the comment above a
# declaration is its contract) and writes OUT.html: one section per header,
# each public function, type, macro and variable with its contract.  It
# fails (exit 1, OUT not written) when
#   - a public entry of a header has no documenting comment;
#   - with --lib (libresjac.la, .so or .a): the library exports an rj_ symbol
#     that no header declares, or a header declares a function that the
#     library does not export (read with nm).
# Exit 2 on bad usage.  Needs a POSIX sh, awk and, for --lib, nm.
set -u
LC_ALL=C    # one collation for sort and comm; UTF-8 text passes through as bytes
export LC_ALL

here=$(dirname "$0")
lib=
out=
title="resjac library reference"
usage() {
    echo "usage: tools/mkdoc.sh [--lib LIB] [--title TEXT] [-o OUT.html] HEADER..." >&2
    exit 2
}
while [ $# -gt 0 ]; do
    case $1 in
        --lib) [ $# -ge 2 ] || usage; lib=$2; shift 2 ;;
        --title) [ $# -ge 2 ] || usage; title=$2; shift 2 ;;
        -o) [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
        -*) echo "mkdoc: unknown option '$1'" >&2; usage ;;
        *) break ;;
    esac
done
[ $# -gt 0 ] || usage
for h in "$@"; do
    [ -r "$h" ] || { echo "mkdoc: cannot read header '$h'" >&2; exit 2; }
done

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
rec=$tmp/records
awk -f "$here/mkdoc.awk" "$@" >"$rec" || { echo "mkdoc: the extractor failed" >&2; exit 1; }
fail=0

# every public entry has its contract
awk -F'\t' '$1 == "E" && $7 == "" {
    printf "%s:%s: %s %s has no documenting comment (write its contract in the comment above it)\n", $2, $3, $4, $5
}' "$rec" >"$tmp/undoc"
if [ -s "$tmp/undoc" ]; then
    cat "$tmp/undoc" >&2
    fail=1
fi
n=$(awk -F'\t' '$1 == "E"' "$rec" | wc -l)
if [ "$n" -eq 0 ]; then
    echo "mkdoc: no declaration found in $*" >&2
    fail=1
fi

# the library's exports and the headers' declarations are the same functions
if [ -n "$lib" ]; then
    case $lib in
        *.la)
            d=$(dirname "$lib")/.libs
            b=$(basename "$lib" .la)
            if [ -f "$d/$b.so" ]; then lib=$d/$b.so; else lib=$d/$b.a; fi ;;
    esac
    [ -r "$lib" ] || { echo "mkdoc: cannot read library '$lib'" >&2; exit 2; }
    case $lib in
        *.so|*.so.*) nmflags="-D --defined-only" ;;
        *) nmflags="-g --defined-only" ;;
    esac
    # shellcheck disable=SC2086
    nm $nmflags "$lib" >"$tmp/nm" || { echo "mkdoc: nm $nmflags $lib failed" >&2; exit 2; }
    awk 'NF == 3 && $2 ~ /^[TDBR]$/ && $3 ~ /^rj_/ { print $3 }' "$tmp/nm" | sort -u >"$tmp/exported"
    awk -F'\t' '$1 == "E" && ($4 == "function" || $4 == "data") { print $5 }' "$rec" |
        sort -u >"$tmp/declared"
    if [ ! -s "$tmp/exported" ]; then
        echo "mkdoc: $lib exports no rj_ symbol" >&2
        fail=1
    fi
    comm -23 "$tmp/exported" "$tmp/declared" >"$tmp/undeclared"
    while read -r s; do
        echo "mkdoc: $lib exports $s, which no public header declares" >&2
        fail=1
    done <"$tmp/undeclared"
    comm -13 "$tmp/exported" "$tmp/declared" >"$tmp/unexported"
    while read -r s; do
        awk -F'\t' -v s="$s" -v lib="$lib" '$1 == "E" && $5 == s {
            printf "%s:%s: %s is declared but %s does not export it\n", $2, $3, s, lib }' "$rec" >&2
        fail=1
    done <"$tmp/unexported"
fi

if [ $fail -ne 0 ]; then
    echo "mkdoc: the API reference was not written" >&2
    exit 1
fi
[ -n "$out" ] || { echo "mkdoc: $n documented entries in $# headers"; exit 0; }

# ---- the HTML page
awk -F'\t' -v title="$title" '
function unesc(s,    out, i, c) {
    out = ""
    while ((i = index(s, "\\")) > 0) {
        c = substr(s, i + 1, 1)
        out = out substr(s, 1, i - 1) (c == "n" ? "\n" : c == "t" ? "\t" : c)
        s = substr(s, i + 2)
    }
    return out s
}
function html(s) {
    gsub(/&/, "\\&amp;", s)
    gsub(/</, "\\&lt;", s)
    gsub(/>/, "\\&gt;", s)
    gsub(/"/, "\\&quot;", s)
    return s
}
function module_of(f) {
    sub(/^.*include\//, "", f)
    return f
}
function anchor(name) {
    sub(/,.*/, "", name)
    gsub(/ /, "-", name)
    return name
}
function close_block() {
    if (open_block) {
        printf "<div class=\"entry\">%s\n<h4>%s <code>%s</code></h4>\n", block_ids, block_kind, html(block_names)
        printf "<pre class=\"decl\">%s</pre>\n<p class=\"doc\">%s</p>\n</div>\n", block_decl, html(block_doc)
        open_block = 0
    }
}
{ rec[NR] = $0 }
END {
    printf "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    printf "<title>%s</title>\n", html(title)
    printf "<style>\nbody { max-width: 60em; margin: 2em auto; font-family: sans-serif; }\n"
    printf "pre { background: #f4f4f4; padding: .5em; overflow-x: auto; }\n"
    printf ".doc { white-space: pre-wrap; }\n.entry { margin-bottom: 1.5em; }\n</style>\n"
    printf "</head>\n<body>\n<h1>%s</h1>\n", html(title)
    printf "<p>One section per header of <code>include/resjac/</code>.  The comment "
    printf "above each declaration is its contract: what it computes, whether outputs "
    printf "may alias inputs, the errors it returns and who owns what.  "
    printf "<code>#include \"resjac.h\"</code> includes every header.</p>\n"
    # contents
    printf "<h2>Contents</h2>\n<ul>\n"
    for (i = 1; i <= NR; i++) {
        split(rec[i], f, "\t")
        if (!(f[2] in listed)) {
            listed[f[2]] = 1
            m = module_of(f[2])
            printf "<li><a href=\"#%s\">%s</a></li>\n", html(m), html(m)
        }
    }
    printf "</ul>\n"
    cur = ""
    for (i = 1; i <= NR; i++) {
        nf = split(rec[i], f, "\t")
        if (f[2] != cur) {
            close_block()
            if (cur != "")
                printf "</section>\n"
            cur = f[2]
            m = module_of(cur)
            printf "<section>\n<h2 id=\"%s\"><code>#include \"%s\"</code></h2>\n", html(m), html(m)
            prev_group = -1
        }
        if (f[1] == "M") {
            printf "<p class=\"doc\">%s</p>\n", html(unesc(f[3]))
            continue
        }
        if (f[1] == "S") {
            close_block()
            printf "<h3>%s</h3>\n", html(unesc(f[3]))
            prev_group = -1
            continue
        }
        # E file line kind name group doc decl
        id = "<span id=\"" html(anchor(f[5])) "\"></span>"
        if (f[6] != 0 && f[6] == prev_group) {
            block_decl = block_decl "\n" html(unesc(f[8]))
            block_names = block_names ", " f[5]
            block_ids = block_ids id
            block_kind = (block_kind == f[4] || block_kind == f[4] "s") ? f[4] "s" : "declarations"
            continue
        }
        close_block()
        prev_group = f[6]
        block_ids = id
        block_kind = f[4]
        block_names = f[5]
        block_decl = html(unesc(f[8]))
        block_doc = unesc(f[7])
        open_block = 1
    }
    close_block()
    if (cur != "")
        printf "</section>\n"
    printf "</body>\n</html>\n"
}' "$rec" >"$tmp/api.html" || { echo "mkdoc: writing the page failed" >&2; exit 1; }
cp "$tmp/api.html" "$out.tmp" && mv "$out.tmp" "$out" || { rm -f "$out.tmp"; exit 1; }
echo "mkdoc: $n documented entries in $# headers -> $out"
