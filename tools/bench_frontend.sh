#!/bin/sh
# resjac front-end benchmark (`make bench-frontend`, issue 15): the lexer,
# the parser and name lookup are linear in the file.  Each input is timed
# (CPU seconds of `resjac check`) beside one of a tenth of its size, and the
# ratio is printed: linear means about 10 (the issue's quadratic lexer and
# lookup gave ratios in the hundreds).  Not a test: nothing fails on speed.
set -e
R=${RESJAC:-./resjac}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

comments() {   # N comment lines of 52 bytes (1 MB: 20164 lines)
    awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++)
        print "# a comment line, padded to fifty-two bytes ......";
        print "let a = 1" }'
}
lets() {       # N distinct lets
    awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "let a%d = %d\n", i, i }'
}
cpu() {        # CPU seconds (user + system) of resjac check FILE
    /usr/bin/env time -f "%U %S" "$R" check "$1" 2>&1 >/dev/null | tail -1 \
        | awk '{ printf "%.2f", $1 + $2 }'
}
row() {        # NAME SMALL BIG
    a=$(cpu "$2"); b=$(cpu "$3")
    sa=$(wc -c <"$2"); sb=$(wc -c <"$3")
    awk -v n="$1" -v a="$a" -v b="$b" -v sa="$sa" -v sb="$sb" 'BEGIN {
        printf "%-22s %8.1f MB %6.2f s   %8.1f MB %6.2f s   time ratio %6.1f (size ratio %.1f)\n",
               n, sa / 1048576, a, sb / 1048576, b, (a > 0 ? b / a : 0), sb / sa }'
}
comments 20164 >"$dir/c1.rj"
comments 201640 >"$dir/c10.rj"
lets 100000 >"$dir/l1.rj"
lets 1000000 >"$dir/l10.rj"
echo "front end: resjac check on a file and on one ten times larger"
row "comment lines" "$dir/c1.rj" "$dir/c10.rj"
row "distinct lets" "$dir/l1.rj" "$dir/l10.rj"
