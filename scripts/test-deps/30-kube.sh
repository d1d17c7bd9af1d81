#!/usr/bin/env bash
# Kubernetes control plane binaries for test/k8s/ (built from Go modules, cached per version).
set -euo pipefail
exec bash "$(dirname "$0")/../k8s-binaries.sh"
