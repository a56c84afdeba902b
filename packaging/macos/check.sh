#!/usr/bin/env bash
# Checks packaging/macos as far as a Linux machine can: the version from Cargo.toml is put
# into a temp copy of Info.plist.in, the result must survive plistutil (XML -> binary ->
# XML, libplist being the non-Apple reader closest to CoreFoundation's), python3's plistlib
# must read the keys Wharf.app needs with the expected values, and make-app.sh must parse
# (bash -n). No bundle is built and nothing runs on macOS here.
#
# Needs: plistutil (Debian: apt-get install libplist-utils), python3.
# Usage: bash packaging/macos/check.sh
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
template="$here/Info.plist.in"

die() { echo "check.sh: $*" >&2; exit 1; }

for tool in plistutil python3; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found (plistutil: apt-get install libplist-utils)"
done
[ -f "$template" ] || die "missing $template"
[ -f "$root/assets/icons/wharf.icns" ] || die "missing assets/icons/wharf.icns (CFBundleIconFile)"

# Same extraction as make-app.sh: [package] version, a.b.c part for Apple's version keys.
# shellcheck source=packaging/lib/cargo.sh
source "$root/packaging/lib/cargo.sh"
version=$(cargo_field version "$root/Cargo.toml")
[ -n "$version" ] || die "could not read [package] version from $root/Cargo.toml"
bundle_version=${version%%[-+]*}
echo "version: $version (bundle version $bundle_version)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/wharf-plist-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

grep -q '@VERSION@' "$template" || die "Info.plist.in has no @VERSION@ placeholder"
sed "s/@VERSION@/$bundle_version/g" "$template" >"$tmp/Info.plist"
if grep -n '@[A-Z_]*@' "$tmp/Info.plist"; then
    die "a placeholder is left after substitution (above)"
fi
echo "ok:   @VERSION@ substituted"

# plistutil: XML -> binary -> XML. It exits 0 on some failures, so the outputs are checked.
plistutil -i "$tmp/Info.plist" -o "$tmp/Info.bplist" -f bin >"$tmp/plistutil.log" 2>&1 \
    || { cat "$tmp/plistutil.log" >&2; die "plistutil could not read Info.plist"; }
head -c 8 "$tmp/Info.bplist" 2>/dev/null | grep -q '^bplist00' \
    || { cat "$tmp/plistutil.log" >&2; die "plistutil wrote no binary plist (XML did not parse)"; }
plistutil -i "$tmp/Info.bplist" -o "$tmp/Info.roundtrip.plist" -f xml >"$tmp/plistutil.log" 2>&1 \
    || { cat "$tmp/plistutil.log" >&2; die "plistutil could not read the binary plist back"; }
grep -q '<key>CFBundleIdentifier</key>' "$tmp/Info.roundtrip.plist" \
    || die "plistutil's XML round trip lost CFBundleIdentifier"
echo "ok:   plistutil: XML -> binary ($(wc -c <"$tmp/Info.bplist") bytes) -> XML"

# plistlib: the keys and values, read from the XML and from plistutil's binary and XML
# outputs, which must all agree.
python3 - "$tmp/Info.plist" "$tmp/Info.bplist" "$tmp/Info.roundtrip.plist" "$bundle_version" <<'EOF'
import plistlib
import sys

xml_path, bin_path, roundtrip_path, version = sys.argv[1:5]

def load(path):
    with open(path, "rb") as f:
        return plistlib.load(f)

plist = load(xml_path)
failures = []

def expect(key, want):
    got = plist.get(key)
    if got == want:
        print(f"ok:   {key} = {got!r}")
    else:
        failures.append(f"{key}: expected {want!r}, found {got!r}")

expect("CFBundleIdentifier", "dev.wharf.Wharf")
expect("CFBundleName", "Wharf")
expect("CFBundleDisplayName", "Wharf")
expect("CFBundleExecutable", "wharf")
expect("CFBundleIconFile", "wharf")
expect("CFBundlePackageType", "APPL")
expect("CFBundleInfoDictionaryVersion", "6.0")
expect("CFBundleShortVersionString", version)
expect("CFBundleVersion", version)
expect("LSMinimumSystemVersion", "11.0")
expect("LSApplicationCategoryType", "public.app-category.utilities")
expect("NSHighResolutionCapable", True)

parts = version.split(".")
if not (1 <= len(parts) <= 3 and all(p.isdigit() for p in parts)):
    failures.append(f"version {version!r} is not 1-3 dot-separated integers, as Apple requires")

url_types = plist.get("CFBundleURLTypes")
schemes = []
if isinstance(url_types, list):
    for entry in url_types:
        if not isinstance(entry, dict) or not entry.get("CFBundleURLName"):
            failures.append(f"CFBundleURLTypes entry without CFBundleURLName: {entry!r}")
            continue
        schemes.extend(entry.get("CFBundleURLSchemes", []))
want_schemes = ["sftp", "ftp", "ftps", "ftpes"]
if sorted(schemes) == sorted(want_schemes):
    print(f"ok:   CFBundleURLTypes schemes = {schemes}")
else:
    failures.append(f"CFBundleURLTypes schemes: expected {want_schemes}, found {schemes}")

same = True
for other in (bin_path, roundtrip_path):
    if load(other) != plist:
        same = False
        failures.append(f"{other} (plistutil output) differs from the XML plist")
if same:
    print("ok:   plistutil's binary and XML outputs read back equal to the substituted plist")

if failures:
    for f in failures:
        print(f"FAIL: {f}", file=sys.stderr)
    sys.exit(1)
EOF

# CFBundleIconFile names Resources/wharf.icns: the file make-app.sh copies must be an icns.
if [ "$(head -c 4 "$root/assets/icons/wharf.icns")" = icns ]; then
    echo "ok:   assets/icons/wharf.icns starts with the icns magic"
else
    die "assets/icons/wharf.icns is not an icns file"
fi

bash -n "$here/make-app.sh" || die "make-app.sh has a syntax error (bash -n, above)"
echo "ok:   bash -n make-app.sh"

echo "packaging/macos/check.sh: all checks passed (Info.plist and script syntax only; untested on macOS)"
