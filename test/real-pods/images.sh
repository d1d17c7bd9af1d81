#!/usr/bin/env bash
# Builds the harness's images locally (no registry) as docker-archive tarballs in $S/images, under
# the exact names the pods ask for; cluster.sh up imports them into containerd (k8s.io namespace).
#   registry.k8s.io/pause:3.10              sandbox: test/real-pods/pause (static Go, ~1.4 MB)
#   docker.io/library/alpine:3.22           seeding Job: Debian's static busybox (sh, wget, tar, sha256sum...)
#   docker.io/janakiramm/triton-jetson:latest  Triton STAND-IN: node + test/real-pods/triton-standin.ts
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
S="${REALPODS_STATE:-/var/lib/triton-jetson-realpods}"
# shellcheck source=scripts/find-go.sh
. "$REPO/scripts/find-go.sh" images.sh 1.24
work="$S/img"; rm -rf "$work"; mkdir -p "$work" "$S/images"

# pause
mkdir -p "$work/pause"
(cd "$HERE" && CGO_ENABLED=0 "$GO" build -trimpath -ldflags='-s -w' -o "$work/pause/pause" ./pause)
"$HERE/make-image.sh" "$work/pause" registry.k8s.io/pause:3.10 "$S/images/pause.tar" '["/pause"]'

# busybox as alpine:3.22
bb="$work/busybox"
mkdir -p "$bb/bin" "$bb/etc" "$bb/tmp"
busybox_static="${BUSYBOX_STATIC:-${TRITON_JETSON_CACHE:-$HOME/.cache/cdk8s-triton-jetson}/busybox-static/bin/busybox}"
[ -x "$busybox_static" ] || { echo "images.sh: no static busybox at $busybox_static (run scripts/real-pods-deps.sh)" >&2; exit 1; }
cp "$busybox_static" "$bb/bin/busybox"
for a in $("$busybox_static" --list-full); do
  [ "$a" = bin/busybox ] && continue
  mkdir -p "$bb/$(dirname "$a")"; ln -sf /bin/busybox "$bb/$a"
done
chmod 1777 "$bb/tmp"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$bb/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$bb/etc/group"
"$HERE/make-image.sh" "$bb" docker.io/library/alpine:3.22 "$S/images/alpine.tar" null '["/bin/sh"]'

# Triton stand-in: this machine's node binary with the shared libraries it links, and the
# stand-in bundled into one file by esbuild.
t="$work/triton"
node_bin="$(command -v node)"
mkdir -p "$t/usr/local/bin" "$t/tmp" "$t/etc"
cp "$node_bin" "$t/usr/local/bin/node"
for lib in $(ldd "$node_bin" | grep -oE '/[^ ]+'); do mkdir -p "$t$(dirname "$lib")"; cp -L "$lib" "$t$lib"; done
chmod 1777 "$t/tmp"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$t/etc/passwd"
"$REPO/node_modules/.bin/esbuild" --bundle --platform=node --target=node20 --log-level=warning \
  --outfile="$t/opt/standin/triton-standin.js" "$HERE/triton-standin.ts"
"$HERE/make-image.sh" "$t" docker.io/janakiramm/triton-jetson:latest "$S/images/triton-standin.tar" '["/usr/local/bin/node","/opt/standin/triton-standin.js"]'
ls -la "$S/images"
