#!/bin/sh
# The manual pages man/resjac.1 and man/resjac-lang.7 render cleanly and do
# not fall behind the command and the language.  Cases, each named after
# what it pins:
#   pages_render: groff -man -ww prints no warning and `man -l` renders each
#     page (its NAME line);
#   every_command_documented: every command that `resjac --help` lists has
#     its subsection (.SS NAME) in resjac.1;
#   every_option_documented: every option that `resjac CMD --help` (and, for
#     the commands that have it, `resjac CMD --method interval --help`)
#     prints appears in CMD's subsection, and every option of `resjac --help`
#     in OPTIONS;
#   no_phantom_option: every option a subsection names is one its command's
#     help prints (the page documents no option the command lacks);
#   language_page_complete: every function of the table "Functions for
#     claims" of proofs/LANGUAGE.md, every builtin its definitions use and
#     every reserved word appear in resjac-lang.7;
#   examples_run: the example claim files of both pages give the verdicts the
#     pages print when `resjac check` decides them.
set -u
top=${srcdir:-.}
R=./resjac
fail=0
bad() { echo "FAIL: $*"; fail=1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
M1=$top/man/resjac.1
M7=$top/man/resjac-lang.7

for tool in groff man; do
    command -v $tool >/dev/null 2>&1 ||
        { echo "FAIL: $tool is not installed (Debian packages groff-base and man-db; tools/setup.sh installs them)"; exit 1; }
done

# The roff source as plain text: font escapes and quotes removed, \- as -.
plain() {
    sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' -e 's/"//g' -e 's/\\&//g' "$1"
}
# The lines of section $2 (a .SS or .SH title) of plain text $1, up to the
# next .SS or .SH.
section() {
    awk -v t="$2" '
        $0 == ".SS " t || $0 == ".SH " t { on = 1; next }
        on && /^\.S[SH] / { exit }
        on { print }' "$1"
}
# The options (-x, --long) that text on stdin names.
options() {
    grep -oE '(^|[^A-Za-z0-9_-])--?[A-Za-z][A-Za-z0-9-]*' | sed 's/^[^-]//' | sort -u
}

# ---- pages_render
for p in "$M1" "$M7" "$top/man/resjac-export.1"; do
    groff -man -Tutf8 -ww -z "$p" >"$dir/groff.out" 2>&1
    [ -s "$dir/groff.out" ] && bad "pages_render: groff warns on $p: $(head -5 "$dir/groff.out")"
    MANWIDTH=80 man --warnings -l "$p" >"$dir/man.out" 2>"$dir/man.err" ||
        bad "pages_render: man -l $p failed: $(head -3 "$dir/man.err")"
    [ -s "$dir/man.err" ] && bad "pages_render: man -l $p warns: $(head -3 "$dir/man.err")"
    name=$(basename "$p" | sed 's/\.[0-9]$//')
    grep -q "^ *$name - " "$dir/man.out" || bad "pages_render: $p renders no NAME line '$name - ...'"
done

plain "$M1" >"$dir/m1"
plain "$M7" >"$dir/m7"

# ---- every_command_documented, every_option_documented, no_phantom_option
$R --help >"$dir/help" 2>&1 || bad "resjac --help failed"
commands=$(awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { exit }' "$dir/help")
[ -n "$commands" ] || bad "every_command_documented: no command found in resjac --help"
for o in $(options <"$dir/help"); do
    section "$dir/m1" OPTIONS | grep -qE -- "(^|[^A-Za-z0-9-])$o([^A-Za-z0-9-]|\$)" ||
        bad "every_option_documented: $o of \`resjac --help\` is not in OPTIONS of resjac.1"
done
for c in $commands; do
    if ! grep -q "^\.SS $c\$" "$M1"; then
        bad "every_command_documented: resjac.1 has no subsection '.SS $c'"
        continue
    fi
    $R "$c" --help >"$dir/chelp" 2>&1 || bad "resjac $c --help: exit $?"
    if grep -q -- '--method' "$dir/chelp"; then
        $R "$c" --method interval --help >>"$dir/chelp" 2>&1
    fi
    section "$dir/m1" "$c" >"$dir/sec"
    [ -s "$dir/sec" ] || bad "every_command_documented: the subsection $c of resjac.1 is empty"
    for o in $(options <"$dir/chelp"); do
        grep -qE -- "(^|[^A-Za-z0-9-])$o([^A-Za-z0-9-]|\$)" "$dir/sec" ||
            bad "every_option_documented: $o of \`resjac $c --help\` is not in the subsection $c of resjac.1"
    done
    for o in $(options <"$dir/sec"); do
        case $o in -h|--help) continue ;; esac
        grep -qE -- "(^|[^A-Za-z0-9-])$o([^A-Za-z0-9-]|\$)" "$dir/chelp" ||
            bad "no_phantom_option: the subsection $c of resjac.1 names $o, which \`resjac $c --help\` does not print"
    done
done

# ---- language_page_complete
L=$top/proofs/LANGUAGE.md
funcs=$(awk '/^### Functions for claims/ { on = 1; next } /^#/ { on = 0 }
             on && /^\| [^-]/ { split($0, c, "|"); print c[2] }' "$L" |
        grep -oE '[a-z_][a-z0-9_]+\(' | tr -d '(' | sort -u)
builtins=$(awk '/^## Definitions/ { on = 1 } /^## Claims/ { on = 0 } on && /^    /' "$L" |
           sed 's/#.*//' | grep -oE '[a-z_][a-z0-9_]+\(' | tr -d '(' | sort -u)
[ "$(echo "$funcs" | wc -w)" -ge 30 ] ||
    bad "language_page_complete: only $(echo "$funcs" | wc -w) functions read from $L's table"
for f in $funcs $builtins; do
    grep -q "$f(" "$dir/m7" || bad "language_page_complete: resjac-lang.7 does not describe $f() (proofs/LANGUAGE.md does)"
done
words=$(sed -n 's/^- Reserved words: `\([^`]*\)`.*/\1/p' "$L")
[ -n "$words" ] || bad "language_page_complete: no reserved words read from $L"
for w in $words; do
    section "$dir/m7" "LEXICAL DETAILS" | grep -qE "(^|[^a-z])$w([^a-z]|\$)" ||
        bad "language_page_complete: reserved word '$w' not in LEXICAL DETAILS of resjac-lang.7"
done

# ---- examples_run
# the example file of resjac-lang.7 (EXAMPLE) and of resjac.1 (demo.rj)
unroff() { sed -e 's/\\-/-/g' -e 's/\\(sc/§/g' -e 's/\\&//g'; }
section "$M7" EXAMPLE | awk '/^\.nf/ { on = 1; next } /^\.fi/ { exit } on' | unroff >"$dir/lang.rj"
n=$(grep -c '^claim ' "$dir/lang.rj")
[ "$n" -ge 3 ] || bad "examples_run: found $n claims in the EXAMPLE of resjac-lang.7"
$R check "$dir/lang.rj" >"$dir/out" 2>&1 ||
    bad "examples_run: resjac check on the EXAMPLE of resjac-lang.7: $(tail -3 "$dir/out")"
[ "$(tail -n 1 "$dir/out")" = "$n passed, 0 failed" ] ||
    bad "examples_run: resjac-lang.7's EXAMPLE: $(tail -n 1 "$dir/out")"
section "$M1" EXAMPLES | awk '/^A claim file/ { on = 1 } on && /^\.nf/ { p = 1; next } p && /^\.fi/ { exit } p' |
    unroff >"$dir/demo.rj"
section "$M1" EXAMPLES | awk '/check demo.rj/ { on = 1; next } on && /^\.fi/ { exit } on' | unroff >"$dir/demo.want"
[ -s "$dir/demo.rj" ] && [ -s "$dir/demo.want" ] || bad "examples_run: no demo.rj example in resjac.1"
here=$(pwd)
(cd "$dir" && "$here/$R" check demo.rj) >"$dir/demo.out" 2>&1 ||
    bad "examples_run: resjac check demo.rj: $(tail -3 "$dir/demo.out")"
# verdict and name of each claim line, and the summary, as the page prints them
awk '{ print $1, $2 }' "$dir/demo.want" >"$dir/w"
awk '{ print $1, $2 }' "$dir/demo.out" >"$dir/g"
cmp -s "$dir/w" "$dir/g" ||
    bad "examples_run: resjac.1 prints '$(tr '\n' '|' <"$dir/demo.want")', resjac check prints '$(tr '\n' '|' <"$dir/demo.out")'"
[ "$(tail -n 1 "$dir/demo.want")" = "$(tail -n 1 "$dir/demo.out")" ] ||
    bad "examples_run: summary '$(tail -n 1 "$dir/demo.want")' on the page, '$(tail -n 1 "$dir/demo.out")' from resjac"

# ---- export_page_options: every option `resjac-export --help` prints is in
# resjac-export.1's OPTIONS and every option there is one it prints (--help
# needs Python 3, not torch)
if command -v python3 >/dev/null 2>&1; then
    python3 "$top/tools/resjac-export" --help | options >"$dir/xh"
    plain "$top/man/resjac-export.1" | section /dev/stdin OPTIONS | options >"$dir/xm"
    for o in $(comm -23 "$dir/xh" "$dir/xm"); do
        bad "export_page_options: resjac-export --help prints $o, resjac-export.1 does not"
    done
    for o in $(comm -13 "$dir/xh" "$dir/xm"); do
        bad "export_page_options: resjac-export.1 names $o, resjac-export --help does not"
    done
else
    echo "SKIP: export_page_options: no python3"
fi

[ $fail -eq 0 ] && echo "check_man: all passed"
exit $fail
