#!/usr/bin/env bash
# What test/images/ needs: shellcheck (lints the image's RUN scripts and fetch-triton.sh),
# and the programs fetch-triton.sh runs in its integration test: dash and busybox sh, curl,
# GNU tar/gzip and sha256sum. Idempotent; installs only what is missing.
set -euo pipefail

missing=()
need() { # need <command> <debian package>
  command -v "$1" >/dev/null 2>&1 || missing+=("$2")
}
need shellcheck shellcheck
need dash dash
need busybox busybox
need curl curl
need tar tar
need gzip gzip
need sha256sum coreutils

if [ ${#missing[@]} -eq 0 ]; then
  echo "image test deps present: $(shellcheck --version | sed -n 's/^version: /shellcheck /p'), dash, busybox, curl, tar"
  exit 0
fi
# shellcheck source=scripts/apt-install.sh
. "$(dirname "$0")/../apt-install.sh"
apt_install "${missing[@]}"
