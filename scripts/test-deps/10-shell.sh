#!/usr/bin/env bash
# Shells and linter for test/seed/: the seeding script is executed by busybox sh (the
# image's shell, with busybox wget/tar/sha256sum) and by dash, and linted by shellcheck;
# one variant downloads with curl, another switches users with setpriv (util-linux).
set -euo pipefail
need=()
# Debian's busybox, not busybox-static: the static build runs its own applets before PATH,
# which bypasses the recording stubs of test/hostile/bootstrap-scripts.test.ts. Installing
# busybox replaces busybox-static (the packages conflict).
if ! command -v busybox >/dev/null 2>&1 || ! dpkg-query -W -f='${Status}' busybox 2>/dev/null | grep -q 'ok installed'; then
  need+=(busybox)
fi
command -v dash >/dev/null 2>&1 || need+=(dash)
command -v shellcheck >/dev/null 2>&1 || need+=(shellcheck)
command -v curl >/dev/null 2>&1 || need+=(curl ca-certificates)
command -v setpriv >/dev/null 2>&1 || need+=(util-linux)
if [ "${#need[@]}" -eq 0 ]; then
  echo "shell test deps present: $(busybox | head -n 1 | cut -d' ' -f1-2), dash, $(shellcheck --version | sed -n 's/^version: /shellcheck /p')"
  exit 0
fi
# shellcheck source=scripts/apt-install.sh
. "$(dirname "$0")/../apt-install.sh"
apt_install "${need[@]}"
