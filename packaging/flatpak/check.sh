#!/usr/bin/env bash
# Checks the Flatpak packaging as far as this can be done without Flathub (flatpak-builder
# needs the runtimes from there): the manifest parses and names the right app, command and
# files; cargo-sources.json matches Cargo.lock; every repository file the build installs
# exists. The checks themselves are in check_manifest.py (Python 3.11+ standard library plus
# PyYAML). Run from anywhere; exits non-zero, saying why, on any failure.
#
#   packaging/flatpak/check.sh
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if ! command -v python3 >/dev/null; then
  echo "check.sh: FAILED: python3 is needed" >&2
  exit 1
fi
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "check.sh: FAILED: python3 is $(python3 -V 2>&1 | cut -d' ' -f2); 3.11 or newer is needed (tomllib)" >&2
  exit 1
fi
if ! python3 -c 'import yaml' 2>/dev/null; then
  echo "== PyYAML is missing; installing it with pip (or: apt-get install python3-yaml)"
  python3 -m pip install --quiet --disable-pip-version-check pyyaml \
    || { echo "check.sh: FAILED: PyYAML is needed and could not be installed" >&2; exit 1; }
fi

if python3 "$here/check_manifest.py" "$@"; then
  echo "check.sh: the Flatpak packaging checks passed"
else
  echo "check.sh: FAILED: see the FAIL lines above" >&2
  exit 1
fi
