#!/usr/bin/env bash
# Prerequisite of test/lib/kube-score.test.ts: kube-score, built from its Go module and cached
# per version (scripts/kube-score.sh).
set -euo pipefail
exec bash "$(dirname "$0")/../kube-score.sh"
