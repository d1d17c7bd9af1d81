#!/usr/bin/env bash
# A stand-in for `go` in test/scripts/k8s-binaries.test.ts: answers what scripts/k8s-binaries.sh
# asks of it. `go mod download -json <module>` prints the path of a small go.mod like
# k8s.io/kubernetes' (one staging replace, an etcd requirement); `go build -o DIR/ <pkg...>`
# sleeps FAKE_GO_SECONDS, writes an executable per package (go's names: the last path
# element, "server" for go.etcd.io/etcd/server/v3) and appends "build <pkg...>" to FAKE_GO_LOG.
set -euo pipefail
if [ "${1:-} ${2:-}" = "mod download" ]; then
  f="$PWD/fake-kubernetes.go.mod"
  printf 'module k8s.io/kubernetes\n\nrequire (\n\tgo.etcd.io/etcd/server/v3 v3.6.4\n)\n\nreplace (\n\tk8s.io/api => ./staging/src/k8s.io/api\n)\n' >"$f"
  printf '{\n\t"Path": "k8s.io/kubernetes",\n\t"GoMod": "%s"\n}\n' "$f"
  exit 0
fi
[ "${1:-}" = build ] || { echo "fake go: unexpected: $*" >&2; exit 2; }
shift
out=""
pkgs=()
while [ $# -gt 0 ]; do
  case "$1" in
    -o) out=$2; shift 2 ;;
    -*) shift ;;
    *) pkgs+=("$1"); shift ;;
  esac
done
echo "build ${pkgs[*]}" >>"${FAKE_GO_LOG:-/dev/null}"
sleep "${FAKE_GO_SECONDS:-1}"
for p in "${pkgs[@]}"; do
  name=${p##*/}
  [ "$name" = v3 ] && name=server
  case "$out" in */) f="$out$name" ;; *) f="$out" ;; esac
  printf '#!/bin/sh\necho fake %s\n' "$name" >"$f"
  chmod +x "$f"
done
