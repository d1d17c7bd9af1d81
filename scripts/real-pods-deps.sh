#!/usr/bin/env bash
# Prerequisites of the real-pods harness (test/real-pods/, docs/real-pods.md; run by
# scripts/test-deps/50-real-pods.sh in `npm run test:all`, and by `npm run test:pods`): Debian's containerd, runc, CNI plugins, iptables, conntrack (apt), a static
# busybox (from the busybox-static package file, not installed), the control plane (scripts/k8s-binaries.sh) and kubelet + kube-proxy of the same
# Kubernetes release built from the Go module proxy into ~/.cache/cdk8s-triton-jetson/k8s-<v>-node/.
# Needs root (apt, network namespaces, mounts, cgroups).
set -euo pipefail
K8S_VERSION="${K8S_VERSION:-1.34.4}"
CACHE_ROOT="${TRITON_JETSON_CACHE:-$HOME/.cache/cdk8s-triton-jetson}"
REPO_ROOT="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=scripts/find-go.sh
. "$REPO_ROOT/scripts/find-go.sh" real-pods-deps 1.24
[ "$(id -u)" = 0 ] || { echo "real-pods-deps: needs root" >&2; exit 1; }
started=$(date +%s)

need=()
for c in containerd runc iptables conntrack; do command -v "$c" >/dev/null 2>&1 || need+=("$c"); done
[ -x /usr/lib/cni/bridge ] || need+=(containernetworking-plugins)
if [ "${#need[@]}" -gt 0 ]; then
  echo "real-pods-deps: apt-get install (missing: ${need[*]})"
  # shellcheck source=scripts/apt-install.sh
  . "$REPO_ROOT/scripts/apt-install.sh"
  apt_install containerd runc containernetworking-plugins iptables conntrack >/dev/null
fi

# The seeding image's busybox must be static, but Debian's busybox-static package replaces the
# busybox the shell tests need (it prefers its applets to PATH): take its binary from the
# package file instead of installing it.
BUSYBOX_STATIC="$CACHE_ROOT/busybox-static/bin/busybox"
if [ ! -x "$BUSYBOX_STATIC" ]; then
  tmp="$(mktemp -d)"
  (cd "$tmp" && apt-get download busybox-static >/dev/null 2>&1) || { apt-get update -qq; (cd "$tmp" && apt-get download busybox-static >/dev/null); }
  dpkg-deb -x "$tmp"/busybox-static_*.deb "$tmp/x"
  mkdir -p "$(dirname "$BUSYBOX_STATIC")"
  cp "$tmp/x/bin/busybox" "$BUSYBOX_STATIC"
  rm -rf "$tmp"
fi

bash "$REPO_ROOT/scripts/k8s-binaries.sh"

NODE_BIN="$CACHE_ROOT/k8s-$K8S_VERSION-node"
if [ ! -x "$NODE_BIN/kubelet" ] || [ ! -x "$NODE_BIN/kube-proxy" ]; then
  mod="$CACHE_ROOT/src/kubernetes-$K8S_VERSION" # the scratch module k8s-binaries.sh wrote
  mkdir -p "$NODE_BIN/.tmp"
  pkg=k8s.io/component-base/version
  minor="${K8S_VERSION#1.}"; minor="${minor%%.*}"
  echo "real-pods-deps: building kubelet and kube-proxy v$K8S_VERSION (go build)"
  (cd "$mod" && GOFLAGS=-mod=mod CGO_ENABLED=0 "$GO" build -trimpath \
    -ldflags="-s -w -X $pkg.gitVersion=v$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean" \
    -o "$NODE_BIN/.tmp/" k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-proxy)
  mv "$NODE_BIN/.tmp/kubelet" "$NODE_BIN/.tmp/kube-proxy" "$NODE_BIN/"
  rm -rf "$NODE_BIN/.tmp"
fi
echo "real-pods-deps: containerd $(containerd --version | awk '{print $3}'), runc $(runc --version | awk 'NR==1{print $3}'), kubelet $("$NODE_BIN/kubelet" --version | awk '{print $2}') ready ($(( $(date +%s) - started )) s)"
