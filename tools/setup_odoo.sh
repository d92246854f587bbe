#!/usr/bin/env bash
# Install Odoo 18.0 and the project's Python dependencies into a cached
# environment outside the checkout, so that every fresh clone (and CI) reuses
# it. Idempotent: a second run only checks stamps and returns in a second.
#
#   ODOO_SOURCE  a directory holding an Odoo 18.0 source tree, or the URL (or
#                path) of a source archive (.tar.gz/.zip). Default: upstream's
#                official 18.0 nightly source archive.
#   GEMA_CACHE   where the environment lives (default ~/.cache/gema_sop).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cache=${GEMA_CACHE:-$HOME/.cache/gema_sop}
default_source="https://nightly.odoo.com/18.0/nightly/src/odoo_18.0.latest.tar.gz"
source=${ODOO_SOURCE:-$default_source}
src="$cache/odoo-18.0/src"
venv="$cache/odoo-18.0/venv"
python=${PYTHON:-python3}

die() { echo "gema_sop: $*" >&2; exit 1; }

mkdir -p "$cache/odoo-18.0"

# 1. The Odoo source tree, copied (or unpacked) once into the cache.
if [ ! -f "$src/odoo/release.py" ]; then
    rm -rf "$src.tmp" && mkdir -p "$src.tmp"
    if [ -d "$source" ]; then
        [ -f "$source/odoo/release.py" ] \
            || die "ODOO_SOURCE=$source is not an Odoo source tree (no odoo/release.py); set ODOO_SOURCE to an Odoo 18.0 source directory or archive."
        echo "gema_sop: copying Odoo from $source into $src"
        cp -a "$source/." "$src.tmp/"
    else
        archive="$cache/odoo-18.0/source-archive"
        if [ -f "$source" ]; then
            cp "$source" "$archive"
        else
            echo "gema_sop: downloading Odoo from $source"
            curl -fsSL --retry 2 -o "$archive" "$source" 2>/dev/null \
                || die "Odoo 18.0 could not be obtained from $source: set ODOO_SOURCE to an Odoo 18.0 source directory or archive (path or URL)."
        fi
        case "$source" in
            *.zip) (cd "$src.tmp" && unzip -q "$archive") ;;
            *) tar -xf "$archive" -C "$src.tmp" ;;
        esac
        rm -f "$archive"
        # Archives hold one top-level folder: flatten it.
        top=$(find "$src.tmp" -mindepth 2 -maxdepth 3 -path '*/odoo/release.py' | head -n 1)
        [ -n "$top" ] || die "the archive $source holds no Odoo source tree: set ODOO_SOURCE to an Odoo 18.0 source directory or archive."
        top=$(dirname "$(dirname "$top")")
        if [ "$top" != "$src.tmp" ]; then mv "$top" "$src.tmp.flat" && rm -rf "$src.tmp" && mv "$src.tmp.flat" "$src.tmp"; fi
    fi
    grep -q "version_info = (18, 0" "$src.tmp/odoo/release.py" \
        || die "ODOO_SOURCE=$source is not Odoo 18.0: set ODOO_SOURCE to an Odoo 18.0 source directory or archive."
    rm -rf "$src" && mv "$src.tmp" "$src"
fi

# 2. The virtual environment with Odoo's pinned requirements.
if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
pip="$venv/bin/pip"
constraints="$cache/odoo-18.0/constraints.txt"
# Some pinned sdists (e.g. gevent 22.10) do not build with setuptools >= 70.
# gevent loads its plugins through pkg_resources, which (setuptools < 70)
# does not find distributions whose dist-info folder has the normalised name
# of recent wheels (zope_interface-8.x.dist-info): Odoo's websocket process
# (`gevent`, started with --workers) then dies at start with
# "DistributionNotFound: zope.interface". These releases still ship
# zope.interface-7.2.dist-info / zope.event-5.0.dist-info.
# Written only when it changes: its content is part of the stamp below.
pins=$'setuptools<70\nzope.interface==7.2\nzope.event==5.0'
[ "$(cat "$constraints" 2>/dev/null)" = "$pins" ] || printf '%s\n' "$pins" > "$constraints"
export PIP_CONSTRAINT="$constraints" PIP_DISABLE_PIP_VERSION_CHECK=1

odoo_reqs="$cache/odoo-18.0/odoo-requirements.txt"
# python-ldap needs system headers and only serves the auth_ldap addon.
reqs=$(grep -v '^python-ldap' "$src/requirements.txt")
[ "$(cat "$odoo_reqs" 2>/dev/null)" = "$reqs" ] || printf '%s\n' "$reqs" > "$odoo_reqs"
stamp="$venv/.odoo-installed"
want=$(cat "$odoo_reqs" "$src/odoo/release.py" "$constraints" | sha256sum | cut -c1-16)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "gema_sop: installing Odoo's requirements into $venv"
    "$pip" install -q "setuptools<70" wheel
    "$pip" install -q -r "$odoo_reqs"
    # A cache made before the pins above keeps newer zope wheels: replace them.
    "$pip" install -q "zope.interface==7.2" "zope.event==5.0"
    # Editable: the cached source tree is the installed Odoo.
    "$pip" install -q --no-deps --no-build-isolation -e "$src"
    # The websocket process of a multi-worker server patches with gevent at
    # start: check here that it can, rather than in production.
    "$venv/bin/python" -c "import gevent.monkey; gevent.monkey.patch_all()" \
        || die "gevent cannot patch this environment (Odoo's websocket process would not start): delete $venv and run again."
    echo "$want" > "$stamp"
    # Odoo's pins may have replaced some of the project's (polib): reinstall.
    rm -f "$venv/.project-installed"
fi

stamp="$venv/.project-installed"
want=$(sha256sum "$here/requirements.txt" | cut -c1-16)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "gema_sop: installing the project's requirements"
    "$pip" install -q -r "$here/requirements.txt"
    echo "$want" > "$stamp"
fi
