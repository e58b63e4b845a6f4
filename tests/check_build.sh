#!/bin/sh
# What the build of libresjac must hold (make check), each case named after
# the defect it pins:
#   library_links_jansson_zlib: libresjac reads safetensors headers (jansson)
#     and .npz members (zlib) itself, so it links both (issue 12; before it,
#     jansson was the command's alone), and the command links jansson too;
#   abi_independent_of_ndebug: the public headers read the same with and
#     without -DNDEBUG (no declaration, struct or field that only one build
#     has), and every library source that tests NDEBUG defines the same
#     global symbols both ways.
# Environment (Makefile.am's AM_TESTS_ENVIRONMENT): CC, RJ_TEST_CPPFLAGS (the
# library's preprocessor flags), srcdir.
set -u
fail=0
bad() { echo "FAIL: $*"; fail=1; }
top=${srcdir:-.}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# ---- library_links_jansson_zlib
lib=.libs/libresjac.so
if [ ! -f "$lib" ]; then
    echo "SKIP: $lib not built (static-only build)"
    exit 77
fi
needed=$(objdump -p "$lib" | awk '$1 == "NEEDED" { print $2 }')
[ -n "$needed" ] || bad "library_links_jansson_zlib: objdump -p $lib lists no NEEDED entry"
echo "$needed" | grep -q jansson || bad "library_links_jansson_zlib: $lib does not link jansson"
echo "$needed" | grep -q 'libz\.' || bad "library_links_jansson_zlib: $lib does not link zlib"
# the command links it for its JSON output
objdump -p .libs/resjac 2>/dev/null | grep -q 'NEEDED.*jansson' ||
    objdump -p .libs/lt-resjac 2>/dev/null | grep -q 'NEEDED.*jansson' ||
    bad "library_links_jansson_zlib: the resjac command does not link jansson"

# ---- abi_independent_of_ndebug
# shellcheck disable=SC2086
cpp_hdr() { ${CC:-cc} -E -P $RJ_TEST_CPPFLAGS "$@" "$top/include/resjac.h" | grep -v '^[[:space:]]*$'; }
cpp_hdr >"$dir/debug.h" || bad "abi_independent_of_ndebug: cannot preprocess resjac.h"
cpp_hdr -DNDEBUG >"$dir/release.h" || bad "abi_independent_of_ndebug: cannot preprocess resjac.h -DNDEBUG"
[ -s "$dir/debug.h" ] || bad "abi_independent_of_ndebug: resjac.h preprocesses to nothing"
diff "$dir/debug.h" "$dir/release.h" >"$dir/diff" ||
    bad "abi_independent_of_ndebug: resjac.h differs under -DNDEBUG: $(head -5 "$dir/diff")"
n=0
for f in $(grep -rlw NDEBUG "$top/src" --include='*.c'); do
    n=$((n + 1))
    for mode in debug release; do
        def=; [ $mode = release ] && def=-DNDEBUG
        # shellcheck disable=SC2086
        ${CC:-cc} -c $RJ_TEST_CPPFLAGS $def -o "$dir/$mode.o" "$f" ||
            bad "abi_independent_of_ndebug: cannot compile $f $def"
        nm -g --defined-only "$dir/$mode.o" | awk '{ print $NF }' | sort >"$dir/$mode.sym"
    done
    cmp -s "$dir/debug.sym" "$dir/release.sym" ||
        bad "abi_independent_of_ndebug: $f defines other symbols under -DNDEBUG: $(diff "$dir/debug.sym" "$dir/release.sym" | grep '^[<>]' | head -3)"
done
echo "abi_independent_of_ndebug: compared resjac.h and $n source file(s) that test NDEBUG"

exit $fail
