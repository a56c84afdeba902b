#!/usr/bin/env bash
# The web servers of the interop tests: Debian's Apache 2 (mod_dav, Basic and Digest) and
# nginx (static files, byte ranges), and from PyPI WsgiDAV (a second WebDAV server) and
# moto's server (S3). The tests start each as a plain process on a loopback port with a
# configuration of their own, so the packages' system services must not run: apt is kept
# from starting them, and any that started anyway are stopped, so that nothing listens on
# port 80 afterwards.
# Idempotent; run as root.
set -euo pipefail

installed() { dpkg-query -W -f '${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }

missing=()
for package in apache2 nginx-light; do
  installed "$package" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  # policy-rc.d 101 keeps apt from starting the packages' system services; one that was
  # there before stays.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  timeout 600 apt-get update -qq
  timeout 900 apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Should a service have started all the same (a machine whose init ignores policy-rc.d),
# stop it and keep it from starting at boot.
if [ -d /run/systemd/system ]; then
  systemctl disable --now apache2.service nginx.service >/dev/null 2>&1 || true
fi
for pidfile in /run/apache2/apache2.pid /run/nginx.pid; do
  if [ -s "$pidfile" ]; then
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid"
    fi
  fi
done
listening_on_80() { (exec 3<>/dev/tcp/127.0.0.1/80) 2>/dev/null; }
for _ in $(seq 100); do
  listening_on_80 || break
  sleep 0.1
done
if listening_on_80; then
  echo "setup-web.sh: something still listens on port 80:" >&2
  ss -ltnp 'sport = :80' >&2 || true
  exit 1
fi

# WsgiDAV serves through cheroot; moto's server needs its [server] extra (Flask).
if ! wsgidav --version >/dev/null 2>&1; then
  python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore 'wsgidav==4.4.0' 'cheroot==11.1.2'
fi
if ! moto_server --help >/dev/null 2>&1; then
  python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore 'moto[server]==5.2.5'
fi
# pyenv's shims for the new commands (pip's own hook does this only when pip runs as a shim).
if command -v pyenv >/dev/null; then
  pyenv rehash || true
fi
wsgidav --version >/dev/null
moto_server --help >/dev/null
