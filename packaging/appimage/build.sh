#!/usr/bin/env bash
# Turns target/packages/Wharf.AppDir (from `packaging/build.sh appdir`) into
# target/packages/Wharf-VERSION-ARCH.AppImage with appimagetool, which must be on PATH
# (https://github.com/AppImage/appimagetool/releases). The project's machines cannot
# download it, so this step is not run there: the AppDir itself is built and its AppRun is
# started under Xvfb by packaging/check.sh.
#
# The AppImage bundles only Wharf's binary (which links glibc, libgcc and zlib) and its
# desktop files. OpenGL, X11, Wayland, xkbcommon and D-Bus come from the host system, as
# for every OpenGL program; the binary needs glibc 2.35 or newer (Debian 12, Ubuntu 22.04,
# Fedora 36 and later).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
appdir="$root/target/packages/Wharf.AppDir"
# shellcheck source=packaging/lib/cargo.sh
source "$root/packaging/lib/cargo.sh"
version=$(cargo_field version "$root/Cargo.toml")
arch=$(uname -m)

[ -x "$appdir/AppRun" ] || "$root/packaging/build.sh" appdir
if ! command -v appimagetool >/dev/null; then
  echo "appimage/build.sh: appimagetool is not on PATH; the AppDir is ready at $appdir" >&2
  exit 1
fi
ARCH=$arch VERSION=$version appimagetool "$appdir" \
  "$root/target/packages/Wharf-$version-$arch.AppImage"
