#!/usr/bin/env bash
# Prerequisite of test/client/bench-html.test.ts: a headless browser that opens the page
# `triton-jetson bench --html` writes and runs its charts (Debian's `chromium` package).
# Idempotent; installs only what is missing.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  echo "bench html test: $(chromium --version 2>/dev/null | head -n 1)"
  exit 0
fi
# shellcheck source=scripts/apt-install.sh
. "$(dirname "$0")/../apt-install.sh"
apt_install chromium
echo "bench html test: installed $(chromium --version 2>/dev/null | head -n 1)"
