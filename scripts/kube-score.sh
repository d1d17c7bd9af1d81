#!/usr/bin/env bash
# Builds kube-score (github.com/zegl/kube-score, a static checker of Kubernetes manifests) from
# the Go module proxy; nothing prebuilt is downloaded. The binary is cached per version under
# ~/.cache/cdk8s-triton-jetson/kube-score-<version>/kube-score, so a second run only checks it is
# there. test/lib/kube-score.test.ts scores the committed dist/ with it (see docs/hardening.md).
#
# Writes (or refreshes) the TRITON_JETSON_KUBE_SCORE line of .cache/test-env.sh ($TEST_ENV_FILE
# when set, as scripts/test-all.sh sets it); the test also finds the binary at the cache path above without it.
#
# Environment:
#   KUBE_SCORE_VERSION   kube-score release to build  (default 1.20.0)
#   TRITON_JETSON_CACHE  cache root                   (default ~/.cache/cdk8s-triton-jetson)
#   GO                   go command                   (default: go on PATH, else /usr/local/go/bin/go)
set -euo pipefail

KUBE_SCORE_VERSION="${KUBE_SCORE_VERSION:-1.20.0}"
CACHE_ROOT="${TRITON_JETSON_CACHE:-$HOME/.cache/cdk8s-triton-jetson}"
REPO_ROOT="$(cd "$(dirname "$0")/.." && pwd)"

# shellcheck source=scripts/find-go.sh
. "$REPO_ROOT/scripts/find-go.sh" kube-score 1.23

BIN_DIR="$CACHE_ROOT/kube-score-$KUBE_SCORE_VERSION"
BIN="$BIN_DIR/kube-score"
started=$(date +%s)

built=0
if [ ! -x "$BIN" ]; then
  echo "kube-score: building github.com/zegl/kube-score v$KUBE_SCORE_VERSION"
  mkdir -p "$BIN_DIR/.tmp"
  # `go install module@version` builds with the module's own go.mod (no replace directives in
  # kube-score's), into a temporary GOBIN so an interrupted build leaves no half binary.
  # The -X flags give `kube-score version` the release number, as its release build does.
  CGO_ENABLED=0 GOFLAGS=-mod=mod GOBIN="$BIN_DIR/.tmp" "$GO" install -trimpath \
    -ldflags="-s -w -X main.version=$KUBE_SCORE_VERSION" \
    "github.com/zegl/kube-score/cmd/kube-score@v$KUBE_SCORE_VERSION"
  mv "$BIN_DIR/.tmp/kube-score" "$BIN"
  rm -rf "$BIN_DIR/.tmp"
  built=1
fi

env_file="${TEST_ENV_FILE:-$REPO_ROOT/.cache/test-env.sh}"
mkdir -p "$(dirname "$env_file")"
# Keep the other steps' lines (scripts/k8s-binaries.sh writes this file too); replace ours.
if [ -f "$env_file" ]; then
  grep -v '^export TRITON_JETSON_KUBE_SCORE=' "$env_file" >"$env_file.tmp" || true
  mv "$env_file.tmp" "$env_file"
fi
printf 'export TRITON_JETSON_KUBE_SCORE=%q\n' "$BIN" >>"$env_file"

elapsed=$(($(date +%s) - started))
if [ "$built" = 1 ]; then what="built"; else what="cached, nothing built"; fi
echo "kube-score: v$KUBE_SCORE_VERSION at $BIN ($what, ${elapsed}s)"
