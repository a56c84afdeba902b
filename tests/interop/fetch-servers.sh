#!/usr/bin/env bash
# Brings Debian 12's pure-ftpd and ProFTPD (with mod_digest, mod_tls and mod_sftp) into a
# folder of the tests' own, without installing them: Debian's FTP servers conflict as
# packages (installing pure-ftpd removes vsftpd), so the interop tests run each from its
# unpacked .deb, on its own loopback port, with its own configuration.
#
#   tests/interop/fetch-servers.sh DEST       (.ci/run uses target/interop-servers)
#
# Leaves the servers in DEST/root (usr/sbin/pure-ftpd, usr/bin/pure-pw, usr/sbin/proftpd,
# usr/lib/proftpd/mod_*.so) and the libraries they need that a minimal Debian 12 lacks.
# Idempotent. Run the tests with WHARF_INTEROP_SERVERS=DEST/root.
set -euo pipefail

dest=$(realpath -m "${1:?usage: fetch-servers.sh DEST}")
root="$dest/root"
debs="$dest/debs"
mkdir -p "$root/.unpacked" "$debs"

# The servers, and libraries ProFTPD links that no minimal system has (Redis and memcached
# support, PCRE's POSIX layer).
always=(pure-ftpd proftpd-core proftpd-mod-crypto
  libhiredis0.14 libmemcached11 libmemcachedutil2 libhashkit2 libpcre2-posix3)
# Their other run-time libraries, taken only where the machine lacks them (a minimal
# Debian 12 with vsftpd and sshd lacks libsodium23 and libsasl2-2).
maybe=(libsodium23 libsasl2-2 libsasl2-modules-db libssl3 libcap2 libcrypt1 libpam0g libacl1
  libidn2-0 libncursesw6 libtinfo6 libpcre2-8-0 zlib1g libaudit1 libcap-ng0 libattr1)

installed() { dpkg-query -W -f '${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }

wanted=("${always[@]}")
for package in "${maybe[@]}"; do
  installed "$package" || wanted+=("$package")
done

missing=()
for package in "${wanted[@]}"; do
  compgen -G "$debs/${package}_*.deb" >/dev/null || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-cache show proftpd-core >/dev/null 2>&1 || timeout 600 apt-get update -qq
  # As root into a folder the _apt user cannot write: no sandbox user, no warning.
  (cd "$debs" && timeout 600 apt-get download -qq -o APT::Sandbox::User=root "${missing[@]}")
fi

for package in "${wanted[@]}"; do
  for deb in "$debs/${package}"_*.deb; do
    stamp="$root/.unpacked/$(basename "$deb")"
    [ -e "$stamp" ] && continue
    dpkg-deb -x "$deb" "$root"
    touch "$stamp"
  done
done

# Every binary and module the tests load must find its libraries.
export LD_LIBRARY_PATH="$root/usr/lib/x86_64-linux-gnu:$root/lib/x86_64-linux-gnu"
status=0
for binary in "$root/usr/sbin/pure-ftpd" "$root/usr/bin/pure-pw" "$root/usr/sbin/proftpd" \
  "$root"/usr/lib/proftpd/mod_{digest,tls,sftp}.so; do
  if ldd "$binary" | grep -q 'not found'; then
    echo "fetch-servers.sh: $binary lacks libraries:" >&2
    ldd "$binary" | grep 'not found' >&2
    status=1
  fi
done
exit "$status"
