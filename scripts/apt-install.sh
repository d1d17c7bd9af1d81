#!/usr/bin/env bash
# apt_install <package>...: installs Debian packages for the test prerequisites. It first
# tries with the package lists the machine already has (no download of the lists: fast on a
# prepared machine, quiet because only a failure of the retry matters), then runs
# `apt-get update` and tries again, printing apt's output. Sourced by scripts/test-deps/*.sh
# and scripts/real-pods-deps.sh.
apt_install() {
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
  fi
}
