#!/usr/bin/env bash
# Programs the fake Jetson hosts of test/support/jetson-hosts.ts need: a real OpenSSH
# server (sshd, ssh-keygen), sudo (for the non-root test users), util-linux (unshare:
# one mount+UTS namespace per host; setpriv, nsenter), jq (the stubs parse daemon.json
# and node records with it), sha256sum and openssl (certs in the kubeconfig).
set -euo pipefail

missing=()
need() { # need <command> <debian package>
  command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || missing+=("$2")
}
need sshd openssh-server
need ssh-keygen openssh-client
need sudo sudo
need unshare util-linux
need nsenter util-linux
need setpriv util-linux
need jq jq
need sha256sum coreutils
need openssl openssl
need getent libc-bin

if [ ${#missing[@]} -eq 0 ]; then
  echo "ssh test hosts: all present"
  exit 0
fi

echo "ssh test hosts: installing ${missing[*]}"
# The package's postinst would start a machine-wide sshd on 0.0.0.0:22 (which would
# collide with the fixture's listeners); policy-rc.d exit 101 forbids service starts.
created_policy=false
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  created_policy=true
fi
cleanup() { if $created_policy; then rm -f /usr/sbin/policy-rc.d; fi; }
trap cleanup EXIT

# shellcheck source=scripts/apt-install.sh
. "$(dirname "$0")/../apt-install.sh"
apt_install "${missing[@]}"
echo "ssh test hosts: installed ${missing[*]}"
