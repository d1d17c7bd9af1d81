#!/usr/bin/env bash
# make-image.sh <rootfs dir> <image name> <out.tar> [entrypoint json] [cmd json] [user]
# Writes a one-layer image as a `docker save`-style archive (manifest.json + config + layer.tar),
# which `ctr -n k8s.io images import` accepts, with no registry, no daemon and no Go tool:
# tar, sha256sum and printf. Files are owned by root; timestamps fixed for reproducible digests.
set -euo pipefail
rootfs=$1 name=$2 out=$3 entrypoint=${4:-null} cmd=${5:-null} user=${6:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar --sort=name --mtime='2024-01-01 00:00:00Z' --owner=0 --group=0 --numeric-owner -C "$rootfs" -cf "$work/layer.tar" .
diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
printf '{"architecture":"amd64","os":"linux","created":"2024-01-01T00:00:00Z","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Entrypoint":%s,"Cmd":%s,"User":"%s","WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created":"2024-01-01T00:00:00Z","created_by":"test/real-pods/make-image.sh"}]}' \
  "$entrypoint" "$cmd" "$user" "$diff_id" >"$work/config.json"
cfg=$(sha256sum "$work/config.json" | cut -d' ' -f1)
mv "$work/config.json" "$work/$cfg.json"
mkdir "$work/$diff_id" && mv "$work/layer.tar" "$work/$diff_id/layer.tar"
printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' "$cfg" "$name" "$diff_id" >"$work/manifest.json"
tar -C "$work" -cf "$out" manifest.json "$cfg.json" "$diff_id"
