#!/usr/bin/env bash
# The proof that the .deb works where nothing else is installed: a bare Debian 12 made with
# `debootstrap --variant=minbase bookworm`, into which the package is installed with apt
# (Depends only, no Recommends), then used as a person would:
#   - `wharf --version` prints Cargo.toml's version;
#   - `wharf ls` and `wharf get` work against a vsftpd on loopback;
#   - the window opens on an Xvfb display and draws (target/packages/install-test-window.png);
#   - `dpkg -P wharf` leaves none of its files behind.
# Installing on the build machine would hide a missing run-time dependency, because
# everything is already there; only this catches one.
#
#   packaging/install-test.sh [target/packages/wharf_VERSION-1_ARCH.deb]
#
# Needs root (debootstrap, chroot, mount), debootstrap, vsftpd, Xvfb, xdotool and
# ImageMagick. The bare system is made once and kept as a tarball in
# $WHARF_PACKAGING_CACHE (default ~/.cache/wharf-packaging); delete it to start afresh.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=packaging/lib/window.sh
source "$root/packaging/lib/window.sh"
# shellcheck source=packaging/lib/cargo.sh
source "$root/packaging/lib/cargo.sh"

die() {
  echo "install-test.sh: FAILED: $*" >&2
  exit 1
}

version=$(cargo_field version "$root/Cargo.toml")
deb=${1:-$(find "$root/target/packages" -maxdepth 1 -name "wharf_${version}-*.deb" 2>/dev/null | head -n 1)}
[ -f "$deb" ] || die "no .deb to test; build it with packaging/build.sh deb"
[ "$(id -u)" = 0 ] || die "this needs root (debootstrap, chroot and mount)"
for tool in debootstrap vsftpd Xvfb xdotool import convert; do
  command -v "$tool" >/dev/null || die "$tool is not installed"
done

cache=${WHARF_PACKAGING_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wharf-packaging}
base="$cache/bookworm-minbase.tar"
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
work=$(mktemp -d /var/tmp/wharf-install-test.XXXXXX)
system="$work/root"
shot="$root/target/packages/install-test-window.png"
ftp_pid=
window_pid=

# remove_tree DIR: deletes DIR, but never through a mount still inside it, which would
# reach the host's /dev or X11 sockets (a bind mount is on the same file system, so
# --one-file-system alone would not stop it).
remove_tree() {
  if findmnt -rn -o TARGET | grep -q "^$1/"; then
    echo "install-test.sh: $1 still has mounts; not deleting it" >&2
    return 1
  fi
  rm -rf --one-file-system "$1"
}

cleanup() {
  set +e
  [ -n "$window_pid" ] && stop_process "$window_pid"
  [ -n "$ftp_pid" ] && stop_process "$ftp_pid"
  xvfb_stop
  local mount
  for mount in tmp/.X11-unix dev proc; do
    umount -R "$system/$mount" 2>/dev/null || umount -R -l "$system/$mount" 2>/dev/null
  done
  remove_tree "$work"
}
trap cleanup EXIT

# Runs a command inside the bare system with a clean environment.
inside() {
  chroot "$system" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"
}

make_base() {
  if [ -f "$base" ]; then
    echo "== a bare Debian 12 from $base"
  else
    echo "== debootstrap --variant=minbase bookworm (once; kept in $base)"
    mkdir -p "$cache" "$work/base"
    timeout 1200 debootstrap --variant=minbase bookworm "$work/base" "$mirror" \
      >"$work/debootstrap.log" 2>&1 \
      || { tail -n 20 "$work/debootstrap.log" >&2; die "debootstrap failed"; }
    tar -C "$work/base" -cf "$base.partial" . && mv "$base.partial" "$base"
    remove_tree "$work/base" || die "debootstrap left mounts in $work/base"
  fi
  mkdir -p "$system"
  tar -C "$system" -xf "$base"
  mount -t proc proc "$system/proc"
  mount --rbind /dev "$system/dev"
  mount --make-rslave "$system/dev"
  cp /etc/resolv.conf "$system/etc/resolv.conf"
}

install_package() {
  echo "== apt-get install ./$(basename "$deb") (its Depends, no Recommends)"
  cp "$deb" "$system/tmp/"
  inside timeout 600 apt-get update -qq >/dev/null
  inside dpkg-query -W -f '${Package}\n' | sort >"$work/before"
  inside env DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq --no-install-recommends \
    "/tmp/$(basename "$deb")" >"$work/apt.log" 2>&1 \
    || { tail -n 30 "$work/apt.log" >&2; die "apt-get could not install the package"; }
  inside dpkg-query -W -f '${Package}\n' | sort >"$work/after"
  echo "   it brought $(comm -13 "$work/before" "$work/after" | grep -cv '^wharf$') packages with it"
}

check_version() {
  echo "== wharf --version"
  local said
  said=$(inside timeout 30 wharf --version)
  [ "$said" = "wharf $version" ] || die "wharf --version said '$said', not 'wharf $version'"
  echo "   $said"
}

# vsftpd on the host's loopback, which the chroot shares: anonymous, read-only, one file.
start_ftp() {
  local files="$work/ftp-files" empty="$work/ftp-empty"
  mkdir -p "$files" "$empty"
  echo "Wharf was installed from its package." >"$files/hello.txt"
  ftp_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  local pasv
  pasv=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  cat >"$work/vsftpd.conf" <<EOF
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=$ftp_port
background=NO
anonymous_enable=YES
no_anon_password=YES
anon_root=$files
local_enable=NO
write_enable=NO
pasv_enable=YES
pasv_min_port=$pasv
pasv_max_port=$((pasv + 20))
pasv_address=127.0.0.1
seccomp_sandbox=NO
secure_chroot_dir=$empty
xferlog_enable=NO
vsftpd_log_file=$work/vsftpd.log
EOF
  vsftpd "$work/vsftpd.conf" &
  ftp_pid=$!
  local attempt
  for attempt in $(seq 1 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$ftp_port") 2>/dev/null && return 0
    sleep 0.2
  done
  die "vsftpd did not start on 127.0.0.1:$ftp_port"
}

check_command_line() {
  echo "== wharf ls and wharf get against vsftpd on 127.0.0.1:$ftp_port"
  local listing
  listing=$(inside env WHARF_HOME=/tmp/wharf-cli timeout 60 wharf ls "ftp://127.0.0.1:$ftp_port/")
  echo "$listing" | sed 's/^/   /'
  echo "$listing" | grep -q 'hello.txt' || die "wharf ls did not list hello.txt"
  inside env WHARF_HOME=/tmp/wharf-cli timeout 60 wharf get "ftp://127.0.0.1:$ftp_port/hello.txt" /tmp/hello.txt \
    || die "wharf get failed"
  cmp "$work/ftp-files/hello.txt" "$system/tmp/hello.txt" || die "the downloaded file differs"
}

check_window() {
  echo "== the window on an Xvfb display"
  xvfb_start
  mkdir -p "$system/tmp/.X11-unix"
  mount --bind /tmp/.X11-unix "$system/tmp/.X11-unix"
  # exec all the way down, so that $! is the window's own process.
  (exec chroot "$system" env -i PATH=/usr/bin:/bin HOME=/root LANG=C.UTF-8 \
    DISPLAY="$XVFB_DISPLAY" WHARF_HOME=/tmp/wharf-window wharf >"$work/window.log" 2>&1) &
  window_pid=$!
  window_shot "$shot" "$window_pid" || { cat "$work/window.log" >&2; die "the window did not open"; }
  stop_process "$window_pid"
  window_pid=
  xvfb_stop
}

check_purge() {
  echo "== dpkg -P wharf"
  inside timeout 120 dpkg -L wharf >"$work/files"
  inside timeout 300 dpkg -P wharf >/dev/null
  if inside dpkg -s wharf >/dev/null 2>&1; then
    die "dpkg still knows wharf after the purge"
  fi
  local path left=0
  while read -r path; do
    if [ -e "$system$path" ] && [ ! -d "$system$path" ]; then
      echo "   left behind: $path" >&2
      left=1
    fi
  done <"$work/files"
  local strays
  strays=$(find "$system/etc" "$system/usr" "$system/var/lib" -path "$system/var/lib/dpkg" -prune -o \
    \( -iname '*wharf*' -print \) | sed "s|^$system||")
  if [ -n "$strays" ]; then
    echo "$strays" | sed 's/^/   left behind: /' >&2
    left=1
  fi
  [ "$left" = 0 ] || die "the purge left files behind"
  echo "   nothing of wharf is left"
}

make_base
install_package
check_version
start_ftp
check_command_line
check_window
check_purge
echo "install-test.sh: the .deb installs on a bare Debian 12, works there and purges cleanly"
