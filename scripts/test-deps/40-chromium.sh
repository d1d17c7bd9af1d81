#!/usr/bin/env bash
# Prerequisite of test/client/bench-html.test.ts: a headless browser that opens the page
# `triton-jetson bench --html` writes and runs its charts (Debian's `chromium` package).
# Idempotent; apt-get update only when something is missing.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  echo "bench html test: $(chromium --version 2>/dev/null | head -n 1)"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
# First try without `apt-get update` (quiet: its output only matters if the retry fails too).
apt_log="$(mktemp)"
if ! apt-get install -y --no-install-recommends chromium >"$apt_log" 2>&1; then
  apt-get update -qq
  apt-get install -y --no-install-recommends chromium
fi
rm -f "$apt_log"
echo "bench html test: installed $(chromium --version 2>/dev/null | head -n 1)"
