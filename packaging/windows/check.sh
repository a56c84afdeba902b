#!/usr/bin/env bash
# Checks packaging/windows/wharf.wxs as far as a Linux machine can: msitools' wixl builds it
# into an MSI from placeholder files (a dummy wharf.exe, the real wharf.ico, a placeholder
# LICENSE.txt), with the version read from Cargo.toml, and msiinfo then reads the MSI's
# tables back. Nothing is installed and no real Windows build is involved: this proves the
# definition compiles and says what it should, not that Windows Installer runs it well.
#
# Needs: wixl and msiinfo (Debian: apt-get install wixl msitools).
# Usage: bash packaging/windows/check.sh
# shellcheck disable=SC2016 # single-quoted awk programs, $1.. are awk fields
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
wxs="$here/wharf.wxs"
ico="$root/assets/icons/wharf.ico"

# Fixed forever (see wharf.wxs): a change here or there is a bug, not an update.
upgrade_code='{270D722B-49B3-471E-99B3-D8A99D2D79D7}'
schemes=(sftp ftp ftps ftpes)

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { echo "ok:   $*"; }
die() { echo "check.sh: $*" >&2; exit 1; }

for tool in wixl msiinfo; do
    command -v "$tool" >/dev/null 2>&1 \
        || die "$tool not found; on Debian: apt-get install wixl msitools"
done
[ -f "$wxs" ] || die "missing $wxs"
[ -f "$ico" ] || die "missing $ico"

# The version: [package] version in Cargo.toml, the only place it lives.
# shellcheck source=packaging/lib/cargo.sh
source "$root/packaging/lib/cargo.sh"
version=$(cargo_field version "$root/Cargo.toml")
[ -n "$version" ] || die "could not read [package] version from $root/Cargo.toml"
# MSI's ProductVersion is numbers only (a.b.c, a,b < 256, c < 65536): drop -pre and +build.
msi_version=${version%%[-+]*}
[[ $msi_version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] \
    || die "version $version from Cargo.toml does not reduce to a.b.c for MSI"
echo "version: $version (MSI ProductVersion $msi_version)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/wharf-msi-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

stage="$tmp/stage"
mkdir "$stage"
printf 'MZ placeholder, not a program: packaging/windows/check.sh\r\n' >"$stage/wharf.exe"
cp "$ico" "$stage/wharf.ico"
printf 'Placeholder licence text written by packaging/windows/check.sh.\r\n' >"$stage/LICENSE.txt"

msi="$tmp/Wharf-$msi_version-x64.msi"
# wixl resolves Source paths relative to the working directory and cannot take an absolute
# SourceDir (it asserts in g_file_get_child), so it runs in the temp dir with a relative one.
if ! (cd "$tmp" && wixl --arch x64 -D Version="$msi_version" -D SourceDir=stage \
        -o "$msi" "$wxs") >"$tmp/wixl.log" 2>&1; then
    cat "$tmp/wixl.log" >&2
    die "wixl rejected $wxs (output above)"
fi
if [ -s "$tmp/wixl.log" ]; then
    # wixl warns on attributes it ignores; a warning means something would be lost.
    cat "$tmp/wixl.log" >&2
    fail "wixl printed warnings (above) building $wxs"
else
    ok "wixl built $(basename "$msi") ($(wc -c <"$msi") bytes)"
fi

# A missing -D is an error, not an MSI with an empty version.
if (cd "$tmp" && wixl --arch x64 -D SourceDir=stage -o "$tmp/noversion.msi" "$wxs") \
        >"$tmp/noversion.log" 2>&1; then
    fail "wixl built an MSI without -D Version"
elif grep -q 'Version is not defined' "$tmp/noversion.log"; then
    ok "building without -D Version stops with: $(grep -o 'Version is not defined.*' "$tmp/noversion.log")"
else
    cat "$tmp/noversion.log" >&2
    fail "building without -D Version failed, but not with the expected message"
fi

# msiinfo writes .idt text: tab-separated, CRLF line ends (the CR is dropped here). It runs
# in the temp dir: for tables with binary columns (Icon) it also writes the streams into a
# folder named after the table in the working directory.
export_table() {
    (cd "$tmp" && msiinfo export "$msi" "$1") >"$tmp/$1.raw" || die "msiinfo could not export $1"
    tr -d '\r' <"$tmp/$1.raw" >"$tmp/$1.idt"
}
for table in Property Registry Directory File Shortcut Upgrade Icon Component; do
    export_table "$table"
done
(cd "$tmp" && msiinfo suminfo "$msi") >"$tmp/suminfo.txt" || die "msiinfo suminfo failed"

# has_row TABLE AWK-CONDITION DESCRIPTION: a row of the exported table (tab-separated,
# first three lines are headers) matches. The condition is awk, single-quoted on purpose
# ($1.. are awk fields); values from the shell reach it through ENVIRON, taken verbatim
# (awk -v would interpret the backslashes of registry keys).
has_row() {
    if awk -F '\t' "NR > 3 && ($2) { found = 1 } END { exit !found }" "$tmp/$1.idt"; then
        ok "$3"
    else
        fail "$3 (not in the $1 table)"
    fi
}

# Property table.
export MSI_VERSION="$msi_version" UPGRADE_CODE="$upgrade_code"
has_row Property '$1 == "ProductVersion" && $2 == ENVIRON["MSI_VERSION"]' "ProductVersion = $msi_version"
has_row Property '$1 == "UpgradeCode" && $2 == ENVIRON["UPGRADE_CODE"]' "UpgradeCode = $upgrade_code"
has_row Property '$1 == "ProductName" && $2 == "Wharf"' "ProductName = Wharf"
has_row Property '$1 == "ALLUSERS" && $2 == "1"' "ALLUSERS = 1 (per-machine)"
has_row Property '$1 == "ARPPRODUCTICON" && $2 == "wharf.ico"' "ARPPRODUCTICON = wharf.ico"
has_row Icon '$1 == "wharf.ico"' "Icon table holds wharf.ico"

# Summary information: a 64-bit package.
if grep -q '^Template: x64;1033$' "$tmp/suminfo.txt"; then
    ok "summary Template is x64;1033"
else
    fail "summary Template is not x64;1033: $(grep '^Template' "$tmp/suminfo.txt" || echo none)"
fi

# Major upgrade: older versions of the same UpgradeCode are removed, newer ones block.
has_row Upgrade '$1 == ENVIRON["UPGRADE_CODE"] && $3 == ENVIRON["MSI_VERSION"] && $7 == "WIX_UPGRADE_DETECTED"' \
    "Upgrade table: older versions are detected for removal"
has_row Upgrade '$1 == ENVIRON["UPGRADE_CODE"] && $2 == ENVIRON["MSI_VERSION"] && $7 == "WIX_DOWNGRADE_DETECTED"' \
    "Upgrade table: newer versions are detected (downgrade refused)"

# Install location: [ProgramFiles64Folder]\Wharf, files in it.
has_row Directory '$1 == "INSTALLDIR" && $2 == "ProgramFiles64Folder" && $3 == "Wharf"' \
    "INSTALLDIR = ProgramFiles64Folder\\Wharf"
for file in wharf.exe wharf.ico LICENSE.txt; do
    FILE=$file has_row File '$3 == ENVIRON["FILE"]' "File table holds $file"
done
has_row Component '$3 == "INSTALLDIR" && $4 % 512 >= 256' "components are 64-bit (msidbComponentAttributes64bit)"
has_row Shortcut '$2 == "ProgramMenuFolder" && $3 == "Wharf" && $5 == "[INSTALLDIR]wharf.exe" && $9 == "wharf.ico"' \
    "Start Menu shortcut Wharf -> [INSTALLDIR]wharf.exe with icon wharf.ico"

# URL schemes: HKLM (root 2) Software\Classes\<scheme>, "URL Protocol", and the command.
# Values with backslashes and quotes reach awk through ENVIRON, which takes them verbatim.
export COMMAND_VALUE='"[INSTALLDIR]wharf.exe" -- "%1"'
export CAPS_KEY='Software\Wharf\Capabilities'
for scheme in "${schemes[@]}"; do
    export KEY="Software\\Classes\\$scheme" SCHEME="$scheme"
    has_row Registry '$2 == "2" && $3 == ENVIRON["KEY"] && $4 == "" && $5 ~ /^URL:/' \
        "HKLM\\$KEY default value $(awk -F '\t' '$3 == ENVIRON["KEY"] && $4 == "" { print $5 }' "$tmp/Registry.idt")"
    has_row Registry '$2 == "2" && $3 == ENVIRON["KEY"] && $4 == "URL Protocol"' \
        "HKLM\\$KEY has a \"URL Protocol\" value"
    has_row Registry '$2 == "2" && $3 == ENVIRON["KEY"] "\\shell\\open\\command" && $4 == "" && $5 == ENVIRON["COMMAND_VALUE"]' \
        "HKLM\\$KEY\\shell\\open\\command = $COMMAND_VALUE"
    has_row Registry '$2 == "2" && $3 == ENVIRON["CAPS_KEY"] "\\URLAssociations" && $4 == ENVIRON["SCHEME"] && $5 == "Wharf.Url"' \
        "HKLM\\$CAPS_KEY\\URLAssociations $scheme = Wharf.Url"
done
# Every command value in the table passes the URL after "--" (none forgets it).
if awk -F '\t' 'NR > 3 && $3 ~ /\\shell\\open\\command$/ && $5 != ENVIRON["COMMAND_VALUE"] {
        bad = 1; print "  " $3 ": " $5 > "/dev/stderr" } END { exit bad }' "$tmp/Registry.idt"; then
    ok "every shell\\open\\command value is exactly $COMMAND_VALUE"
else
    fail "a shell\\open\\command value differs from $COMMAND_VALUE (above)"
fi
has_row Registry '$2 == "2" && $3 == "Software\\RegisteredApplications" && $4 == "Wharf" && $5 == ENVIRON["CAPS_KEY"]' \
    "HKLM\\Software\\RegisteredApplications Wharf = $CAPS_KEY"

# The cabinet really holds the three files (msiextract ships with msitools).
if command -v msiextract >/dev/null 2>&1; then
    mkdir "$tmp/extract"
    if msiextract -C "$tmp/extract" "$msi" >"$tmp/extract.log" 2>&1; then
        for file in wharf.exe wharf.ico LICENSE.txt; do
            found=$(find "$tmp/extract" -type f -name "$file" -path '*/Wharf/*' | head -n 1)
            if [ -n "$found" ] && cmp -s "$found" "$stage/$file"; then
                ok "msiextract: ${found#"$tmp/extract/"} is the staged $file"
            else
                fail "msiextract: $file missing or different"
            fi
        done
    else
        cat "$tmp/extract.log" >&2
        fail "msiextract could not unpack the MSI"
    fi
fi

if [ "$failures" -ne 0 ]; then
    echo "packaging/windows/check.sh: $failures check(s) FAILED" >&2
    exit 1
fi
echo "packaging/windows/check.sh: all checks passed (MSI built by wixl from placeholders; untested on Windows)"
