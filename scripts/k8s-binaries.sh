#!/usr/bin/env bash
# Builds the upstream Kubernetes control plane that test/k8s/ runs the manifests against:
# kube-apiserver, kube-scheduler, kube-controller-manager and etcd (one Go module graph, so
# shared packages compile once) plus kwok (fake nodes, its own module graph). Everything comes
# from the Go module proxy; nothing prebuilt is downloaded. Binaries are cached per version under
# ~/.cache/cdk8s-triton-jetson/k8s-<version>/, so a second run only checks they are there.
#
# Writes .cache/test-env.sh (sourced by scripts/test-all.sh) exporting TRITON_JETSON_K8S_BIN.
#
# Environment:
#   K8S_VERSION   Kubernetes release to build        (default 1.34.4)
#   KWOK_VERSION  sigs.k8s.io/kwok release to build  (default 0.7.0)
#   TRITON_JETSON_CACHE  cache root                  (default ~/.cache/cdk8s-triton-jetson)
#   GO            go command                         (default: go on PATH, else /usr/local/go/bin/go)
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-1.34.4}"
KWOK_VERSION="${KWOK_VERSION:-0.7.0}"
CACHE_ROOT="${TRITON_JETSON_CACHE:-$HOME/.cache/cdk8s-triton-jetson}"
REPO_ROOT="$(cd "$(dirname "$0")/.." && pwd)"

if [ -z "${GO:-}" ]; then
  if command -v go >/dev/null 2>&1; then GO="$(command -v go)"; else GO=/usr/local/go/bin/go; fi
fi
[ -x "$GO" ] || { echo "k8s-binaries: Go not found (set GO=/path/to/go or install Go >= 1.24)" >&2; exit 1; }

BIN_DIR="$CACHE_ROOT/k8s-$K8S_VERSION"
SRC_DIR="$CACHE_ROOT/src"
STAGING_VERSION="v0.${K8S_VERSION#1.}" # k8s.io/api etc. are tagged v0.<minor>.<patch>
started=$(date +%s)

# Shared packages compile once per machine; -mod=mod lets go.sum be filled in the scratch module.
export GOFLAGS=-mod=mod
export CGO_ENABLED=0 # static binaries, no C toolchain needed
mkdir -p "$BIN_DIR" "$SRC_DIR"

build_control_plane() {
  local mod="$SRC_DIR/kubernetes-$K8S_VERSION"
  mkdir -p "$mod" "$BIN_DIR/.tmp"
  # k8s.io/kubernetes points its staging modules (k8s.io/api, ...) at ./staging/src, which is not
  # in its module zip, so `go install ...@v1.34.x` fails. A throwaway module replaces each staging
  # module with its published v0.34.x tag; the list is read from k8s.io/kubernetes' own go.mod.
  local gomod
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
  echo "k8s-binaries: building Kubernetes v$K8S_VERSION and etcd $etcd_version (GOMAXPROCS=${GOMAXPROCS:-$(nproc)})"
  # One `go build` for all four so the packages they share compile once. The -X flags give
  # /version the release number (kubectl and kwok read it) as the official build does.
  local pkg=k8s.io/component-base/version
  local minor="${K8S_VERSION#1.}"; minor="${minor%%.*}"
  (cd "$mod" && "$GO" build -trimpath \
    -ldflags="-s -w -X $pkg.gitVersion=v$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean" \
    -o "$BIN_DIR/.tmp/" \
    k8s.io/kubernetes/cmd/kube-apiserver \
    k8s.io/kubernetes/cmd/kube-scheduler \
    k8s.io/kubernetes/cmd/kube-controller-manager \
    go.etcd.io/etcd/server/v3)
  # go names the etcd binary after the path element before /v3.
  mv "$BIN_DIR/.tmp/server" "$BIN_DIR/.tmp/etcd"
  for b in kube-apiserver kube-scheduler kube-controller-manager etcd; do mv "$BIN_DIR/.tmp/$b" "$BIN_DIR/$b"; done
  echo "$etcd_version" >"$BIN_DIR/.etcd-version"
}

build_kwok() {
  local mod="$SRC_DIR/kwok-$KWOK_VERSION"
  mkdir -p "$mod" "$BIN_DIR/.tmp"
  printf 'module triton-jetson.dev/kwok-binary\n\ngo 1.24\n\nrequire sigs.k8s.io/kwok v%s\n' "$KWOK_VERSION" >"$mod/go.mod"
  echo "k8s-binaries: building kwok v$KWOK_VERSION"
  (cd "$mod" && "$GO" build -trimpath -ldflags="-s -w" -o "$BIN_DIR/.tmp/kwok" sigs.k8s.io/kwok/cmd/kwok)
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
for b in kube-apiserver kube-scheduler kube-controller-manager etcd; do
  if [ ! -x "$BIN_DIR/$b" ]; then build_control_plane; built=1; break; fi
done
if [ -n "$kwok_pid" ]; then wait "$kwok_pid"; fi
rm -rf "$BIN_DIR/.tmp"

mkdir -p "$REPO_ROOT/.cache"
printf 'export TRITON_JETSON_K8S_BIN=%q\n' "$BIN_DIR" >"$REPO_ROOT/.cache/test-env.sh"

elapsed=$(($(date +%s) - started))
if [ "$built" = 1 ]; then what="built"; else what="cached, nothing built"; fi
echo "k8s-binaries: Kubernetes v$K8S_VERSION + etcd $(cat "$BIN_DIR/.etcd-version") + kwok v$KWOK_VERSION in $BIN_DIR ($what, ${elapsed}s)"
