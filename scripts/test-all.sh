#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what the integration tests need
# (each scripts/test-deps/*.sh: Debian packages, Go-built Kubernetes binaries, cached),
# then runs every test. CI's .ci/run calls exactly this (via `npm run test:all`).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
for step in scripts/test-deps/*.sh; do
  [ -e "$step" ] || continue
  echo "== test prerequisites: $step"
  t0=$(date +%s)
  bash "$step"
  echo "== $step done in $(( $(date +%s) - t0 )) s"
done
# Environment produced by the steps (e.g. paths of cached binaries). Generated, so shellcheck
# does not follow it: it exists only after the steps above ran once in this clone.
# shellcheck source=/dev/null
if [ -f .cache/test-env.sh ]; then . .cache/test-env.sh; fi
echo "== type-check (tsc --noEmit)"
npx tsc -p tsconfig.json --noEmit
echo "== jest (prerequisites took $(( $(date +%s) - started )) s)"
npx jest --ci "$@"
