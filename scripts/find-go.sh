# shellcheck shell=bash
# Sourced by the scripts that build test tools from the Go module proxy: sets GO to $GO, else
# `go` on PATH, else /usr/local/go/bin/go, and stops with the fix when none is executable.
# Usage: . scripts/find-go.sh <who> <minimum Go version>
if [ -z "${GO:-}" ]; then
  if command -v go >/dev/null 2>&1; then GO="$(command -v go)"; else GO=/usr/local/go/bin/go; fi
fi
[ -x "$GO" ] || { echo "$1: Go not found (set GO=/path/to/go or install Go >= $2)" >&2; exit 1; }
