#!/usr/bin/env bash
# Validates what packaging/build.sh built, and checks the recipes that cannot be built here:
#   - the desktop entry (desktop-file-validate) and the metainfo (appstreamcli, offline);
#   - the .deb: lintian (no errors), and its files;
#   - the .rpm: rpm -qpl, rpm -qpR and rpmlint with Fedora's conventions (no errors);
#   - the AppDir: its layout, and its AppRun opening the window on an Xvfb display;
#   - the Flatpak manifest, the Windows installer and the macOS bundle recipes, each with
#     its own check.sh.
# The proof that the .deb installs and works on a bare system is packaging/install-test.sh.
#
#   packaging/check.sh          (after packaging/build.sh all)
#
# Needs: desktop-file-utils, appstream, lintian, rpm, rpmlint, Xvfb, xdotool, ImageMagick,
# wixl, msitools, libplist-utils and python3 (.ci/run installs them).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck source=packaging/lib/window.sh
source packaging/lib/window.sh
# shellcheck source=packaging/lib/cargo.sh
source packaging/lib/cargo.sh

app_id=dev.wharf.Wharf
out=target/packages
version=$(cargo_field version)
deb=$(find "$out" -maxdepth 1 -name "wharf_${version}-*.deb" 2>/dev/null | head -n 1)
rpm=$(find "$out" -maxdepth 1 -name "wharf-${version}-*.rpm" 2>/dev/null | head -n 1)
appdir="$out/Wharf.AppDir"

die() {
  echo "check.sh: FAILED: $*" >&2
  exit 1
}
trap 'xvfb_stop || true' EXIT

# The files every package carries, relative to its prefix.
expected_files() {
  echo "bin/wharf"
  echo "share/applications/$app_id.desktop"
  echo "share/metainfo/$app_id.metainfo.xml"
  echo "share/icons/hicolor/scalable/apps/$app_id.svg"
  local size page
  for size in 16 24 32 48 64 128 256 512; do
    echo "share/icons/hicolor/${size}x$size/apps/$app_id.png"
  done
  for page in assets/man/*.1; do
    echo "share/man/man1/$(basename "$page").gz"
  done
  echo "share/bash-completion/completions/wharf"
  echo "share/fish/vendor_completions.d/wharf.fish"
}

# $1: a listing of package paths; fails naming each expected file it lacks.
require_files() {
  local listing=$1 what=$2 file missing=0
  while read -r file; do
    grep -qx "/usr/$file" <<<"$listing" || {
      echo "   $what lacks /usr/$file" >&2
      missing=1
    }
  done < <(expected_files)
  [ "$missing" = 0 ] || die "$what lacks files"
}

check_desktop_files() {
  echo "== desktop-file-validate, appstreamcli validate --no-net"
  desktop-file-validate "assets/$app_id.desktop"
  appstreamcli validate --no-net "assets/$app_id.metainfo.xml"
}

check_deb() {
  echo "== the .deb: $deb"
  [ -f "$deb" ] || die "no .deb in $out; run packaging/build.sh deb"
  local listing
  listing=$(dpkg-deb --fsys-tarfile "$deb" | tar -t | sed 's|^\./|/|')
  require_files "$listing" "the .deb"
  grep -qx /usr/share/doc/wharf/copyright <<<"$listing" || die "the .deb has no copyright file"
  grep -qx /usr/share/zsh/vendor-completions/_wharf <<<"$listing" || die "the .deb has no zsh completion"
  dpkg-deb --field "$deb" Depends | grep -q libxkbcommon-x11-0 || die "the .deb does not depend on what winit loads"
  echo "   lintian:"
  local report status=0
  # --allow-root: CI runs as root. Exit status 1 means errors were found, 2 that lintian
  # itself failed; warnings pass.
  report=$(timeout 600 lintian --allow-root "$deb" 2>&1) || status=$?
  [ -z "$report" ] || echo "$report" | sed 's/^/   /'
  [ "$status" = 0 ] || die "lintian reports errors or failed (exit status $status)"
  echo "   $(du -h "$deb" | cut -f1), $(dpkg-deb --field "$deb" Installed-Size) KiB installed"
}

check_rpm() {
  echo "== the .rpm: $rpm"
  [ -f "$rpm" ] || die "no .rpm in $out; run packaging/build.sh rpm"
  require_files "$(rpm -qpl "$rpm" 2>/dev/null)" "the .rpm"
  local requires soname
  requires=$(rpm -qpR "$rpm" 2>/dev/null)
  for soname in libGL.so.1 libEGL.so.1 libxkbcommon-x11.so.0 libwayland-client.so.0 libdbus-1.so.3; do
    grep -q "^$soname()" <<<"$requires" || die "the .rpm does not require $soname"
  done
  echo "   rpmlint (Fedora's conventions, packaging/rpm/rpmlint.toml):"
  local report status=0
  report=$(timeout 600 rpmlint -c packaging/rpm/rpmlint.toml "$rpm" 2>&1) || status=$?
  echo "$report" | grep -E '^wharf|packages and' | sed 's/^/   /'
  # rpmlint's exit status says errors (64) or badness (66); warnings pass.
  [ "$status" = 0 ] || die "rpmlint reports errors"
  echo "   $(du -h "$rpm" | cut -f1)"
}

check_appdir() {
  echo "== the AppDir: $appdir"
  [ -x "$appdir/AppRun" ] || die "no AppDir; run packaging/build.sh appdir"
  local file
  for file in "$app_id.desktop" "$app_id.png" .DirIcon usr/bin/wharf \
    "usr/share/metainfo/$app_id.appdata.xml"; do
    [ -e "$appdir/$file" ] || die "the AppDir lacks $file"
  done
  desktop-file-validate "$appdir/$app_id.desktop"
  echo "   AppRun --version: $(timeout 30 "$appdir/AppRun" --version)"
  xvfb_start
  local home pid opened=0
  home=$(mktemp -d)
  DISPLAY=$XVFB_DISPLAY WHARF_HOME=$home "$appdir/AppRun" >"$home/window.log" 2>&1 &
  pid=$!
  window_shot "$out/appdir-window.png" "$pid" && opened=1
  stop_process "$pid"
  [ "$opened" = 1 ] || cat "$home/window.log" >&2
  rm -rf "$home"
  xvfb_stop
  [ "$opened" = 1 ] || die "AppRun did not open the window"
}

# run_check SCRIPT: runs a recipe's own check; shows its last line, or all of it on failure.
run_check() {
  local report status=0
  report=$(timeout 600 "$1" 2>&1) || status=$?
  if [ "$status" = 0 ]; then
    echo "   $(tail -n 1 <<<"$report")"
  else
    echo "$report" >&2
    die "$1 failed"
  fi
}

check_recipes() {
  echo "== the Flatpak manifest (not built here: it needs Flathub's runtimes)"
  run_check packaging/flatpak/check.sh
  echo "== the Windows installer (wixl; not built or installed on Windows here)"
  run_check packaging/windows/check.sh
  echo "== the macOS bundle (plistutil; not built on macOS here)"
  run_check packaging/macos/check.sh
}

check_desktop_files
check_deb
check_rpm
check_appdir
check_recipes
echo "check.sh: the packages and recipes passed their checks"
