#!/usr/bin/env bash
# Builds Wharf's Linux packages from a release build into target/packages/:
#
#   packaging/build.sh deb      the Debian package  wharf_VERSION-1_ARCH.deb
#   packaging/build.sh rpm      the RPM package     wharf-VERSION-1.ARCH.rpm
#   packaging/build.sh appdir   the AppImage's folder  Wharf.AppDir (packaging/appimage/build.sh
#                               turns it into an AppImage where appimagetool is installed)
#   packaging/build.sh all      all three
#
# The version comes from Cargo.toml and nowhere else. Every package holds the same files,
# staged once by stage_tree: the stripped binary, the desktop entry, the AppStream metainfo,
# the icons, the man pages, the shell completions and the licences.
#
# Needs: cargo; dpkg-deb and dpkg-shlibdeps for deb; rpmbuild for rpm.
# packaging/check.sh validates what this builds.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck source=packaging/lib/cargo.sh
source packaging/lib/cargo.sh

app_id=dev.wharf.Wharf
out="$root/target/packages"
version=$(cargo_field version)
homepage=$(cargo_field homepage)
repository=$(cargo_field repository)
# The date of the last commit, so that a package built twice from one commit is the same.
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
maintainer="The Wharf developers <maintainers@wharf.dev>"
summary="fast, safe file-transfer client for FTP, FTPS and SFTP"

die() {
  echo "build.sh: $*" >&2
  exit 1
}

release_binary() {
  cargo build --release --locked
  binary="$root/target/release/wharf"
  [ -x "$binary" ] || die "no release binary at $binary"
}

# Installs Wharf's files under $1 with the FHS layout of prefix $2 (/usr).
stage_tree() {
  local dest=$1 prefix=$2 zsh_dir=$3
  local share="$dest$prefix/share"
  install -Dm755 "$binary" "$dest$prefix/bin/wharf"
  install -Dm644 "assets/$app_id.desktop" "$share/applications/$app_id.desktop"
  install -Dm644 "assets/$app_id.metainfo.xml" "$share/metainfo/$app_id.metainfo.xml"
  install -Dm644 "assets/icons/$app_id.svg" "$share/icons/hicolor/scalable/apps/$app_id.svg"
  local size
  for size in 16 24 32 48 64 128 256 512; do
    install -Dm644 "assets/icons/hicolor/${size}x$size/apps/$app_id.png" \
      "$share/icons/hicolor/${size}x$size/apps/$app_id.png"
  done
  local page
  mkdir -p "$share/man/man1"
  for page in assets/man/*.1; do
    gzip -9n <"$page" >"$share/man/man1/$(basename "$page").gz"
    chmod 644 "$share/man/man1/$(basename "$page").gz"
  done
  install -Dm644 assets/completions/wharf.bash "$share/bash-completion/completions/wharf"
  install -Dm644 assets/completions/_wharf "$share/$zsh_dir/_wharf"
  install -Dm644 assets/completions/wharf.fish "$share/fish/vendor_completions.d/wharf.fish"
}

# Debian's machine-readable copyright file: the MIT text in full, Apache-2.0 by reference to
# the copy every Debian system has.
debian_copyright() {
  cat <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: wharf
Upstream-Contact: $maintainer
Source: $repository

Files: *
Copyright: 2026 The Wharf developers
License: MIT or Apache-2.0
Comment: The binary also contains the Rust crates listed in the source's Cargo.lock, each
 under its own licence (MIT, Apache-2.0, BSD, ISC, Zlib, Unicode or compatible), builds
 of OpenSSL (Apache-2.0), libssh2 (BSD-3-Clause) and SQLite (public domain) from their
 vendored sources, and the Phosphor Icons font (MIT, Copyright 2020 Phosphor Icons; see
 assets/fonts/README.md in the source).

License: MIT
$(sed -e 's/^$/./' -e 's/^/ /' LICENSE-MIT)

License: Apache-2.0
 On Debian systems, the full text of the Apache License, Version 2.0 can be found in
 /usr/share/common-licenses/Apache-2.0.
EOF
}

debian_changelog() {
  cat <<EOF
wharf ($version-1) unstable; urgency=medium

  * Release $version: see the release notes in the AppStream metainfo.

 -- $maintainer  $(date -u -R -d "@$epoch")
EOF
}

# What the binary loads at run time with dlopen, which dpkg-shlibdeps cannot see: OpenGL and
# EGL (glutin), X11, XCB, the X cursor and input extensions (winit through x11-dl and x11rb),
# xkbcommon with its X11 part (xkbcommon-dl), the Wayland client, cursor and EGL libraries
# (wayland-sys), and libdbus (rfd's portal file dialogs). Checked against the sources of the
# crate versions in Cargo.lock: see the README's packaging notes. (Wayland's cursors come
# from the pure-Rust xcursor crate, not libwayland-cursor.)
debian_dlopened="libgl1, libegl1, libx11-6, libx11-xcb1, libxcb1, libxcursor1, libxi6, \
libxkbcommon0, libxkbcommon-x11-0, libwayland-client0, libwayland-egl1, libdbus-1-3"

build_deb() {
  command -v dpkg-deb >/dev/null || die "dpkg-deb is needed for the .deb (apt-get install dpkg-dev)"
  local arch stage shlibs
  arch=$(dpkg --print-architecture)
  stage="$out/deb-stage"
  rm -rf "$stage"
  stage_tree "$stage" /usr zsh/vendor-completions
  local doc="$stage/usr/share/doc/wharf"
  mkdir -p "$doc"
  debian_copyright >"$doc/copyright"
  debian_changelog | gzip -9n >"$doc/changelog.Debian.gz"
  chmod 644 "$doc/copyright" "$doc/changelog.Debian.gz"

  # The libraries the binary links to (libc, libgcc, zlib), with the versions it needs.
  local scratch
  scratch=$(mktemp -d)
  mkdir -p "$scratch/debian"
  touch "$scratch/debian/control"
  shlibs=$(cd "$scratch" && dpkg-shlibdeps --warnings=0 -O "$stage/usr/bin/wharf" | sed -n 's/^shlibs:Depends=//p')
  rm -rf "$scratch"

  mkdir -p "$stage/DEBIAN"
  (cd "$stage" && find usr -type f -print0 | sort -z | xargs -0 md5sum) >"$stage/DEBIAN/md5sums"
  local installed_size
  installed_size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
  cat >"$stage/DEBIAN/control" <<EOF
Package: wharf
Version: $version-1
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $installed_size
Depends: $shlibs, $debian_dlopened
Recommends: ca-certificates, xdg-utils, gnome-keyring | libkf5wallet-bin | keepassxc, xdg-desktop-portal-gtk | xdg-desktop-portal-backend | zenity
Suggests: openssh-client
Section: net
Priority: optional
Homepage: $homepage
Description: $summary
 Wharf is a desktop file-transfer manager: this computer on one side, the
 server on the other, a log of every command and reply, and a transfer queue
 that survives crashes and resumes partial files. Transfers run in parallel,
 are written under a temporary name and verified before they take the
 target's name.
 .
 Passwords live in the system keyring (Secret Service), never in a file.
 Unknown host keys and certificates are asked about; changed ones are
 refused. Sites can be imported from FileZilla and OpenSSH. The wharf
 command runs the same engine from a terminal.
EOF
  chmod 644 "$stage/DEBIAN/control" "$stage/DEBIAN/md5sums"
  find "$stage" -type d -exec chmod 755 {} +
  mkdir -p "$out"
  local deb="$out/wharf_${version}-1_$arch.deb"
  dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
  echo "built $deb ($(du -h "$deb" | cut -f1))"
}

build_rpm() {
  command -v rpmbuild >/dev/null || die "rpmbuild is needed for the .rpm (apt-get install rpm)"
  local stage top arch
  arch=$(uname -m)
  stage="$out/rpm-stage"
  top="$out/rpmbuild"
  rm -rf "$stage" "$top"
  stage_tree "$stage" /usr zsh/site-functions
  install -Dm644 LICENSE-MIT "$stage/licenses/LICENSE-MIT"
  install -Dm644 LICENSE-APACHE "$stage/licenses/LICENSE-APACHE"
  mkdir -p "$top"/{BUILD,RPMS,SOURCES,SPECS,SRPMS}
  rpmbuild -bb --quiet \
    --define "_topdir $top" \
    --define "wharf_version $version" \
    --define "wharf_homepage $homepage" \
    --define "wharf_stage $stage" \
    --define "wharf_changelog_date $(LC_ALL=C date -u -d "@$epoch" '+%a %b %d %Y')" \
    --define "use_source_date_epoch_as_buildtime 1" \
    --define "clamp_mtime_to_source_date_epoch 1" \
    --define "_binary_payload w19.zstdio" \
    --target "$arch" \
    packaging/rpm/wharf.spec
  local rpm
  rpm=$(find "$top/RPMS" -name 'wharf-*.rpm' | head -n 1)
  [ -n "$rpm" ] || die "rpmbuild made no package"
  mv "$rpm" "$out/"
  echo "built $out/$(basename "$rpm") ($(du -h "$out/$(basename "$rpm")" | cut -f1))"
}

build_appdir() {
  local appdir="$out/Wharf.AppDir"
  rm -rf "$appdir"
  stage_tree "$appdir" /usr zsh/vendor-completions
  install -Dm755 packaging/appimage/AppRun "$appdir/AppRun"
  cp "assets/$app_id.desktop" "$appdir/$app_id.desktop"
  cp "assets/icons/hicolor/256x256/apps/$app_id.png" "$appdir/$app_id.png"
  ln -s "$app_id.png" "$appdir/.DirIcon"
  # appimagetool looks for the metainfo under its older name.
  ln -s "$app_id.metainfo.xml" "$appdir/usr/share/metainfo/$app_id.appdata.xml"
  install -Dm644 LICENSE-MIT "$appdir/usr/share/doc/wharf/LICENSE-MIT"
  install -Dm644 LICENSE-APACHE "$appdir/usr/share/doc/wharf/LICENSE-APACHE"
  echo "built $appdir (packaging/appimage/build.sh makes the AppImage from it)"
}

main() {
  local target=${1:-}
  case "$target" in
    deb | rpm | appdir | all) ;;
    *)
      echo "usage: packaging/build.sh deb|rpm|appdir|all" >&2
      exit 2
      ;;
  esac
  [ -n "$version" ] || die "no version in Cargo.toml"
  release_binary
  # Only for the packaging tools: set before cargo, it would make build scripts that watch
  # it rebuild, and the binary differ from `cargo build --release`'s.
  export SOURCE_DATE_EPOCH=$epoch
  mkdir -p "$out"
  case "$target" in
    deb) build_deb ;;
    rpm) build_rpm ;;
    appdir) build_appdir ;;
    all)
      build_deb
      build_rpm
      build_appdir
      ;;
  esac
}

main "$@"
