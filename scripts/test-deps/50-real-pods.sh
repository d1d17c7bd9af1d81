#!/usr/bin/env bash
# Prerequisites of test/real-pods/ (a real node: containerd, runc, CNI plugins, kubelet and
# kube-proxy built from the Go module proxy, a static busybox): scripts/real-pods-deps.sh.
set -euo pipefail
exec bash "$(dirname "$0")/../real-pods-deps.sh"
