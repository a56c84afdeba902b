#!/usr/bin/env bash
# Builds Wharf.app (and optionally a .dmg) on a Mac.
#
# UNTESTED HERE: written on the project's Linux machines, where no macOS target can be built;
# only `bash -n` and packaging/macos/check.sh (the Info.plist) are checked there. Run it on
# macOS with Xcode's command-line tools (lipo, codesign, hdiutil, plutil) and rustup.
#
# Usage: packaging/macos/make-app.sh [--no-build] [--sign] [--dmg]
#   --no-build  package the binaries already in target/<triple>/release (or target/release)
#   --sign      sign the bundle; ad hoc ("-") unless CODESIGN_IDENTITY names a certificate
#   --dmg       also make target/macos/Wharf-<version>.dmg with hdiutil
#
# Output: target/macos/Wharf.app
#   Contents/Info.plist         from Info.plist.in, @VERSION@ = a.b.c from Cargo.toml
#   Contents/MacOS/wharf        universal (arm64 + x86_64) when both targets are installed
#   Contents/Resources/wharf.icns
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

build=1 sign=0 dmg=0
for arg in "$@"; do
    case $arg in
        --no-build) build=0 ;;
        --sign) sign=1 ;;
        --dmg) dmg=1 ;;
        -h | --help) sed -n '2,17p' "$0"; exit 0 ;;
        *) echo "make-app.sh: unknown option $arg (try --help)" >&2; exit 2 ;;
    esac
done

die() { echo "make-app.sh: $*" >&2; exit 1; }

[ "$(uname -s)" = Darwin ] || die "this builds a macOS bundle and runs on macOS only"

# The version lives only in Cargo.toml ([package] version).
# shellcheck source=packaging/lib/cargo.sh
source "$root/packaging/lib/cargo.sh"
version=$(cargo_field version "$root/Cargo.toml")
[ -n "$version" ] || die "could not read [package] version from $root/Cargo.toml"
# CFBundleShortVersionString and CFBundleVersion take up to three dot-separated integers.
bundle_version=${version%%[-+]*}
[[ $bundle_version =~ ^[0-9]+(\.[0-9]+){0,2}$ ]] \
    || die "version $version does not reduce to a.b.c for the bundle"
if [ "$bundle_version" != "$version" ]; then
    echo "make-app.sh: note: pre-release $version is labelled $bundle_version in Info.plist" >&2
fi

# One deployment target for both slices, the same as LSMinimumSystemVersion in Info.plist.in.
export MACOSX_DEPLOYMENT_TARGET=${MACOSX_DEPLOYMENT_TARGET:-11.0}

targets=(aarch64-apple-darwin x86_64-apple-darwin)
binaries=()
if command -v rustup >/dev/null 2>&1; then
    installed=$(rustup target list --installed)
else
    installed=""
fi
for target in "${targets[@]}"; do
    if [ "$build" = 1 ]; then
        grep -qx "$target" <<<"$installed" || continue
        echo "==> cargo build --release --locked --target $target"
        (cd "$root" && cargo build --release --locked --target "$target")
    fi
    bin="$root/target/$target/release/wharf"
    [ -f "$bin" ] && binaries+=("$bin")
done
if [ "${#binaries[@]}" -eq 0 ]; then
    # No rustup or no Apple targets added: the host build, one architecture.
    if [ "$build" = 1 ]; then
        echo "==> cargo build --release --locked (host target only)"
        (cd "$root" && cargo build --release --locked)
    fi
    [ -f "$root/target/release/wharf" ] || die "no wharf binary built"
    binaries=("$root/target/release/wharf")
fi

out="$root/target/macos"
app="$out/Wharf.app"
rm -rf "$app"
mkdir -p "$app/Contents/MacOS" "$app/Contents/Resources"

if [ "${#binaries[@]}" -ge 2 ]; then
    echo "==> lipo: universal binary from ${binaries[*]}"
    lipo -create -output "$app/Contents/MacOS/wharf" "${binaries[@]}"
else
    echo "==> one architecture: ${binaries[0]}"
    cp "${binaries[0]}" "$app/Contents/MacOS/wharf"
fi
chmod 755 "$app/Contents/MacOS/wharf"
lipo -info "$app/Contents/MacOS/wharf" || true

cp "$root/assets/icons/wharf.icns" "$app/Contents/Resources/wharf.icns"
sed "s/@VERSION@/$bundle_version/g" "$here/Info.plist.in" >"$app/Contents/Info.plist"
! grep -q '@[A-Z_]*@' "$app/Contents/Info.plist" || die "a placeholder is left in Info.plist"
plutil -lint "$app/Contents/Info.plist"
printf 'APPL????' >"$app/Contents/PkgInfo"

if [ "$sign" = 1 ]; then
    identity=${CODESIGN_IDENTITY:--}
    echo "==> codesign --sign $identity"
    if [ "$identity" = - ]; then
        # Ad hoc: runs on this Mac and on Apple silicon generally, but Gatekeeper still
        # warns on other Macs (that needs a Developer ID and notarisation).
        codesign --force --sign - "$app"
    else
        codesign --force --options runtime --timestamp --sign "$identity" "$app"
    fi
    codesign --verify --strict --verbose=2 "$app"
fi

if [ "$dmg" = 1 ]; then
    dmg_file="$out/Wharf-$version.dmg"
    staging=$(mktemp -d "${TMPDIR:-/tmp}/wharf-dmg.XXXXXX")
    trap 'rm -rf "$staging"' EXIT
    cp -R "$app" "$staging/"
    ln -s /Applications "$staging/Applications"
    rm -f "$dmg_file"
    echo "==> hdiutil create $dmg_file"
    hdiutil create -volname "Wharf $version" -srcfolder "$staging" -fs HFS+ -format UDZO -ov "$dmg_file"
fi

echo "Built $app (version $bundle_version)"
echo "To register its URL schemes without moving it to /Applications:"
echo "  /System/Library/Frameworks/CoreServices.framework/Frameworks/LaunchServices.framework/Support/lsregister -f \"$app\""
