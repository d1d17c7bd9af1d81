#!/usr/bin/env bash
# Builds the upstream Kubernetes control plane that test/k8s/ runs the manifests against:
# kube-apiserver, kube-scheduler, kube-controller-manager, etcd and kubectl (one Go module graph,
# so shared packages compile once) plus kwok (fake nodes, its own module graph). Everything comes
# from the Go module proxy; nothing prebuilt is downloaded. Binaries are cached per version under
# ~/.cache/cdk8s-triton-jetson/k8s-<version>/, so a second run only checks they are there (a cache
# built before kubectl was added gets kubectl alone). While Go builds, a line every 30 s says what
# is being built and for how long (a cold build takes 12+ minutes on 2 busy cores).
#
# Writes .cache/test-env.sh (sourced by scripts/test-all.sh) exporting TRITON_JETSON_K8S_BIN.
#
# Environment:
#   K8S_VERSION   Kubernetes release to build        (default 1.34.4)
#   KWOK_VERSION  sigs.k8s.io/kwok release to build  (default 0.7.0)
#   TRITON_JETSON_CACHE  cache root                  (default ~/.cache/cdk8s-triton-jetson)
#   GO            go command                         (default: go on PATH, else /usr/local/go/bin/go)
#   PROGRESS_SECONDS  seconds between progress lines (default 30)
#   TEST_ENV_FILE  where to write the exports        (default <repo>/.cache/test-env.sh)
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-1.34.4}"
KWOK_VERSION="${KWOK_VERSION:-0.7.0}"
CACHE_ROOT="${TRITON_JETSON_CACHE:-$HOME/.cache/cdk8s-triton-jetson}"
REPO_ROOT="$(cd "$(dirname "$0")/.." && pwd)"

# shellcheck source=scripts/find-go.sh
. "$REPO_ROOT/scripts/find-go.sh" k8s-binaries 1.24

BIN_DIR="$CACHE_ROOT/k8s-$K8S_VERSION"
SRC_DIR="$CACHE_ROOT/src"
STAGING_VERSION="v0.${K8S_VERSION#1.}" # k8s.io/api etc. are tagged v0.<minor>.<patch>
started=$(date +%s)

# Shared packages compile once per machine; -mod=mod lets go.sum be filled in the scratch module.
export GOFLAGS=-mod=mod
export CGO_ENABLED=0 # static binaries, no C toolchain needed
mkdir -p "$BIN_DIR" "$SRC_DIR"

# One build per cache folder at a time: a second run waits, then finds the binaries built.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$BIN_DIR/.lock"
  if ! flock -n 9; then
    echo "k8s-binaries: another build is writing $BIN_DIR; waiting for it"
    flock 9
  fi
fi

# progress <label> <command...>: runs the command, printing every $PROGRESS_SECONDS s that it is
# still running and for how long; returns its exit status.
progress() {
  local label=$1; shift
  local t0; t0=$(date +%s)
  "$@" 9>&- &
  local pid=$!
  # The ticker wakes every second and ends by itself within a second of the build, so no
  # stray `sleep` keeps the script's output pipe (or the lock on fd 9) open afterwards.
  (
    n=0
    while kill -0 "$pid" 2>/dev/null; do
      sleep 1
      n=$((n + 1))
      if [ $((n % ${PROGRESS_SECONDS:-30})) -eq 0 ] && kill -0 "$pid" 2>/dev/null; then
        echo "k8s-binaries: still $label ($(( $(date +%s) - t0 )) s so far, $(( $(date +%s) - started )) s in all)"
      fi
    done
  ) 9>&- &
  local ticker=$!
  local rc=0
  wait "$pid" || rc=$?
  wait "$ticker" 2>/dev/null || true
  echo "k8s-binaries: done $label in $(( $(date +%s) - t0 )) s (exit $rc)"
  return "$rc"
}

# build_control_plane <binary...>: builds the given binaries (kube-apiserver, kube-scheduler,
# kube-controller-manager, kubectl, etcd) with one `go build`.
build_control_plane() {
  local mod="$SRC_DIR/kubernetes-$K8S_VERSION"
  mkdir -p "$mod" "$BIN_DIR/.tmp"
  # k8s.io/kubernetes points its staging modules (k8s.io/api, ...) at ./staging/src, which is not
  # in its module zip, so `go install ...@v1.34.x` fails. A throwaway module replaces each staging
  # module with its published v0.34.x tag; the list is read from k8s.io/kubernetes' own go.mod.
  local gomod
  echo "k8s-binaries: downloading k8s.io/kubernetes@v$K8S_VERSION's go.mod (module proxy)"
  gomod="$(cd "$mod" && "$GO" mod download -json "k8s.io/kubernetes@v$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
  [ -f "$gomod" ] || { echo "k8s-binaries: could not download k8s.io/kubernetes@v$K8S_VERSION" >&2; exit 1; }
  {
    echo "module triton-jetson.dev/k8s-binaries"
    echo
    echo "go 1.24"
    echo
    echo "require k8s.io/kubernetes v$K8S_VERSION"
    echo
    sed -n 's#^[[:space:]]*\(k8s.io/[^ ]*\) => ./staging/src/.*#replace \1 => \1 '"$STAGING_VERSION"'#p' "$gomod"
  } >"$mod/go.mod"
  local etcd_version
  etcd_version="$(sed -n 's#^[[:space:]]*go.etcd.io/etcd/server/v3 \(v[^ ]*\).*#\1#p' "$gomod")"
  local packages=() b
  for b in "$@"; do
    case "$b" in
      etcd) packages+=(go.etcd.io/etcd/server/v3) ;;
      *) packages+=("k8s.io/kubernetes/cmd/$b") ;;
    esac
  done
  echo "k8s-binaries: building $* (Kubernetes v$K8S_VERSION, etcd $etcd_version; GOMAXPROCS=${GOMAXPROCS:-$(nproc)})"
  # One `go build` for all of them so the packages they share compile once. The -X flags give
  # /version the release number (kubectl and kwok read it) as the official build does.
  local pkg=k8s.io/component-base/version
  local minor="${K8S_VERSION#1.}"; minor="${minor%%.*}"
  (cd "$mod" && progress "building $* with go build" "$GO" build -trimpath \
    -ldflags="-s -w -X $pkg.gitVersion=v$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean" \
    -o "$BIN_DIR/.tmp/" "${packages[@]}")
  # go names the etcd binary after the path element before /v3.
  if [ -e "$BIN_DIR/.tmp/server" ]; then mv "$BIN_DIR/.tmp/server" "$BIN_DIR/.tmp/etcd"; fi
  for b in "$@"; do mv "$BIN_DIR/.tmp/$b" "$BIN_DIR/$b"; done
  echo "$etcd_version" >"$BIN_DIR/.etcd-version"
}

build_kwok() {
  local mod="$SRC_DIR/kwok-$KWOK_VERSION"
  mkdir -p "$mod" "$BIN_DIR/.tmp"
  printf 'module triton-jetson.dev/kwok-binary\n\ngo 1.24\n\nrequire sigs.k8s.io/kwok v%s\n' "$KWOK_VERSION" >"$mod/go.mod"
  echo "k8s-binaries: building kwok v$KWOK_VERSION"
  (cd "$mod" && progress "building kwok v$KWOK_VERSION with go build" "$GO" build -trimpath -ldflags="-s -w" -o "$BIN_DIR/.tmp/kwok" sigs.k8s.io/kwok/cmd/kwok)
  mv "$BIN_DIR/.tmp/kwok" "$BIN_DIR/kwok"
  echo "$KWOK_VERSION" >"$BIN_DIR/.kwok-version"
}

built=0
kwok_pid=""
if [ ! -x "$BIN_DIR/kwok" ] || [ "$(cat "$BIN_DIR/.kwok-version" 2>/dev/null)" != "$KWOK_VERSION" ]; then
  # In the background: the big build leaves a core idle much of the time (downloads, links).
  build_kwok & kwok_pid=$!
  built=1
fi
CONTROL_PLANE=(kube-apiserver kube-scheduler kube-controller-manager etcd)
missing=()
for b in "${CONTROL_PLANE[@]}"; do [ -x "$BIN_DIR/$b" ] || missing+=("$b"); done
if [ "${#missing[@]}" -gt 0 ]; then
  # Any control-plane binary missing: build them all, kubectl included, in one go build.
  build_control_plane kube-apiserver kube-scheduler kube-controller-manager kubectl etcd
  built=1
elif [ ! -x "$BIN_DIR/kubectl" ]; then
  # A cache from before kubectl was added: build kubectl alone (shared packages are in Go's cache).
  build_control_plane kubectl
  built=1
fi
if [ -n "$kwok_pid" ]; then wait "$kwok_pid"; fi
rm -rf "$BIN_DIR/.tmp"

TEST_ENV_FILE="${TEST_ENV_FILE:-$REPO_ROOT/.cache/test-env.sh}"
mkdir -p "$(dirname "$TEST_ENV_FILE")"
printf 'export TRITON_JETSON_K8S_BIN=%q\n' "$BIN_DIR" >"$TEST_ENV_FILE"

elapsed=$(($(date +%s) - started))
if [ "$built" = 1 ]; then what="built"; else what="cached, nothing built"; fi
echo "k8s-binaries: Kubernetes v$K8S_VERSION (kube-apiserver, kube-scheduler, kube-controller-manager, kubectl) + etcd $(cat "$BIN_DIR/.etcd-version") + kwok v$KWOK_VERSION in $BIN_DIR ($what, ${elapsed}s)"
