#!/bin/sh
# resjac set-up: install the Debian 12 packages resjac needs (only those
# missing; `apt-get update` only when something is missing), then configure
# and build in the source tree.  Idempotent; run as root on a fresh machine.
#
#   tools/setup.sh            install what is missing, then build
#   tools/setup.sh --deps-only [PKG...]   only install (also the extra PKGs)
#   tools/setup.sh --with-torch   also python3-torch and python3-torchvision,
#                             for tools/resjac-export and `make check-torch`
#   RESJAC_CONFIGURE_FLAGS=... extra flags for ./configure
set -eu

cd "$(dirname "$0")/.."

deps_only=no
torch=""
while [ $# -gt 0 ]; do
    case $1 in
    --deps-only) deps_only=yes ;;
    --with-torch) torch="python3 python3-torch python3-torchvision" ;;
    *) break ;;
    esac
    shift
done

PACKAGES="gcc make autoconf automake libtool pkg-config libgmp-dev libmpfr-dev \
libflint-dev libopenblas-dev check libjansson-dev zlib1g-dev groff-base man-db"

missing=""
for p in $PACKAGES $torch $*; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -n "$missing" ]; then
    echo "resjac setup: installing Debian packages:$missing"
    if [ "$(id -u)" != 0 ]; then
        echo "resjac setup: packages are missing and this is not root; run as root or install:$missing" >&2
        exit 2
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing
fi

if [ "$deps_only" = yes ]; then
    exit 0
fi

if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt Makefile.in ]; then
    echo "resjac setup: autoreconf"
    autoreconf -fi >/dev/null
fi
if [ ! -f Makefile ] || [ configure -nt config.status ]; then
    echo "resjac setup: configure"
    # shellcheck disable=SC2086
    ./configure -q ${RESJAC_CONFIGURE_FLAGS:-}
fi
echo "resjac setup: make"
make -s -j"$(nproc)" >/dev/null
echo "resjac setup: built ./resjac"
