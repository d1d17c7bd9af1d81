#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what the integration tests need
# (each scripts/test-deps/*.sh: Debian packages, Go-built Kubernetes binaries, cached),
# then runs every test. CI's .ci/run calls exactly this (via `npm run test:all`).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
# Where the steps write the environment they produce: .cache/ of this clone, or, when this user
# cannot write there (a clone owned by root, run as another user), a file in the user's own
# cache. Removed first: only this run's steps say what is there.
if mkdir -p .cache 2>/dev/null && [ -w .cache ]; then
  TEST_ENV_FILE="$PWD/.cache/test-env.sh"
else
  cache_root="${TRITON_JETSON_CACHE:-$HOME/.cache/cdk8s-triton-jetson}"
  mkdir -p "$cache_root"
  TEST_ENV_FILE="$cache_root/test-env-$(printf '%s' "$PWD" | sha256sum | cut -c1-16).sh"
fi
export TEST_ENV_FILE
rm -f "$TEST_ENV_FILE"
for step in scripts/test-deps/*.sh; do
  [ -e "$step" ] || continue
  echo "== test prerequisites: $step"
  t0=$(date +%s)
  if ! bash "$step"; then
    # Not root, outside CI: what needs installing (apt-get, real-pods' containerd) cannot be;
    # the tests that need it skip and say why. As root or in CI a failed step fails the run.
    if [ "$(id -u)" != 0 ] && [ "${CI:-}" != true ]; then
      echo "== $step failed as uid $(id -u), not root: the tests that need it skip with their reason"
      continue
    fi
    exit 1
  fi
  echo "== $step done in $(( $(date +%s) - t0 )) s"
done
# Environment produced by the steps (e.g. paths of cached binaries). Generated, so shellcheck
# does not follow it: it exists only after the steps above ran.
# shellcheck source=/dev/null
if [ -f "$TEST_ENV_FILE" ]; then . "$TEST_ENV_FILE"; fi
echo "== type-check (tsc --noEmit)"
npx tsc -p tsconfig.json --noEmit
echo "== jest (prerequisites took $(( $(date +%s) - started )) s)"
npx jest --ci "$@"
