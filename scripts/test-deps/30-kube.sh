#!/usr/bin/env bash
# Prerequisites of test/k8s/: openssl (test certificates) and the Kubernetes control plane
# binaries and kubectl, built from Go modules and cached per version (scripts/k8s-binaries.sh).
set -euo pipefail
if ! command -v openssl >/dev/null 2>&1; then
  # shellcheck source=scripts/apt-install.sh
  . "$(dirname "$0")/../apt-install.sh"
  apt_install openssl
fi
exec bash "$(dirname "$0")/../k8s-binaries.sh"
