#!/usr/bin/env bash
# Prerequisites of test/k8s/: openssl (test certificates) and the Kubernetes control plane
# binaries, built from Go modules and cached per version (scripts/k8s-binaries.sh).
# kubectl comes with the machine image (/usr/lib/google-cloud-sdk/bin/kubectl.1.33).
set -euo pipefail
if ! command -v openssl >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openssl
fi
exec bash "$(dirname "$0")/../k8s-binaries.sh"
