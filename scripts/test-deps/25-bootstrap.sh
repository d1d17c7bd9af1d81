#!/usr/bin/env bash
# What test/bootstrap needs beyond the fake hosts' own prerequisites (20-ssh.sh):
# dash (runs the generated root scripts in unit tests), ps (procps: the tests watch the
# process list for secrets), ssh-keygen (openssh-client: extra keys, known_hosts checks)
# and tmux (a real terminal for the hidden sudo password prompt).
set -euo pipefail
missing=()
command -v dash >/dev/null 2>&1 || missing+=(dash)
command -v ps >/dev/null 2>&1 || missing+=(procps)
command -v ssh-keygen >/dev/null 2>&1 || missing+=(openssh-client)
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
if [ ${#missing[@]} -eq 0 ]; then
  echo "bootstrap tests: all present"
  exit 0
fi
# shellcheck source=scripts/apt-install.sh
. "$(dirname "$0")/../apt-install.sh"
apt_install "${missing[@]}"
echo "bootstrap tests: installed ${missing[*]}"
