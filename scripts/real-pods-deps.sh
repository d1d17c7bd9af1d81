#!/usr/bin/env bash
# Prerequisites of the real-pods harness (npm run test:pods; docs/real-pods.md), NOT part of
# `npm run test:all`: Debian's containerd, runc, CNI plugins, static busybox, iptables, conntrack
# (apt), the control plane (scripts/k8s-binaries.sh) and kubelet + kube-proxy of the same
# Kubernetes release built from the Go module proxy into ~/.cache/cdk8s-triton-jetson/k8s-<v>-node/.
# Needs root (apt, network namespaces, mounts, cgroups).
set -euo pipefail
K8S_VERSION="${K8S_VERSION:-1.34.4}"
CACHE_ROOT="${TRITON_JETSON_CACHE:-$HOME/.cache/cdk8s-triton-jetson}"
REPO_ROOT="$(cd "$(dirname "$0")/.." && pwd)"
GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
[ "$(id -u)" = 0 ] || { echo "real-pods-deps: needs root" >&2; exit 1; }
started=$(date +%s)

need=()
for c in containerd runc busybox iptables conntrack; do command -v "$c" >/dev/null 2>&1 || need+=("$c"); done
[ -x /usr/lib/cni/bridge ] || need+=(containernetworking-plugins)
if [ "${#need[@]}" -gt 0 ]; then
  echo "real-pods-deps: apt-get install (missing: ${need[*]})"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    containerd runc containernetworking-plugins busybox-static iptables conntrack >/dev/null
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
