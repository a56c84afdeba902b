#!/bin/bash
# A real two-step SSH login for the interop tests: Debian's libpam-oath asks the accounts
# wharf-otp and wharf-otp-tty for a one-time code (TOTP, RFC 6238) after their password.
# Two accounts, because pam_oath refuses a code used before, and two tests log in at once.
# Only these accounts: every other login through sshd's PAM stack is as before.
# Idempotent; run as root.
set -euo pipefail

if ! dpkg-query -W -f '${Status}' libpam-oath 2>/dev/null | grep -q 'ok installed'; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends libpam-oath >/dev/null
fi

# The shared secret is RFC 4226's test key ("12345678901234567890"), which the tests know.
: > /etc/users.oath
chmod 600 /etc/users.oath
for account in wharf-otp wharf-otp-tty; do
  if ! id "$account" >/dev/null 2>&1; then
    useradd --create-home --shell /bin/bash "$account"
  fi
  echo "$account:otp-pw-1" | chpasswd
  printf 'HOTP/T30/6 %s - 3132333435363738393031323334353637383930\n' "$account" >> /etc/users.oath
done

# Replaced whole each time, so that an older version of these lines does not stay.
sed -i '/wharf interop: one-time code/,/pam_oath.so/d' /etc/pam.d/sshd
sed -i '/^@include common-auth/a\
# wharf interop: one-time code after the password, for the accounts wharf-otp* only\
auth [success=1 default=ignore] pam_succeed_if.so user notin wharf-otp:wharf-otp-tty quiet\
auth requisite pam_oath.so usersfile=/etc/users.oath window=2 digits=6' /etc/pam.d/sshd
