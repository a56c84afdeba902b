#!/bin/bash
# A real two-step SSH login for the interop tests: Debian's libpam-oath asks the account
# wharf-otp for a one-time code (TOTP, RFC 6238) after its password. Only that account:
# every other login through sshd's PAM stack is as before. Idempotent; run as root.
set -euo pipefail

if ! dpkg-query -W -f '${Status}' libpam-oath 2>/dev/null | grep -q 'ok installed'; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends libpam-oath >/dev/null
fi

if ! id wharf-otp >/dev/null 2>&1; then
  useradd --create-home --shell /bin/bash wharf-otp
fi
echo 'wharf-otp:otp-pw-1' | chpasswd

# The shared secret is RFC 4226's test key ("12345678901234567890"), which the test knows.
printf 'HOTP/T30/6 wharf-otp - 3132333435363738393031323334353637383930\n' > /etc/users.oath
chmod 600 /etc/users.oath

if ! grep -q 'wharf interop: one-time code' /etc/pam.d/sshd; then
  sed -i '/^@include common-auth/a\
# wharf interop: one-time code after the password, for the account wharf-otp only\
auth [success=1 default=ignore] pam_succeed_if.so user != wharf-otp quiet\
auth requisite pam_oath.so usersfile=/etc/users.oath window=2 digits=6' /etc/pam.d/sshd
fi
