#!/bin/sh
# Downloads NVIDIA's Triton release tarball for Jetson, verifies it and lays it out at DEST
# (bin/, lib/, backends/, models/). Runs in the image's download stage under POSIX sh
# (dash or busybox); the tests run it against a tarball served on loopback.
#
# Usage: fetch-triton.sh DEST
# Environment (the Dockerfile's build args):
#   TRITON_URL           release tarball URL (required)
#   TRITON_SHA256        expected sha256 of the tarball; empty skips the check
#   TRITON_TARBALL_ROOT  folder inside the tarball holding bin/, lib/ and backends/:
#                        "." for the JetPack 4.6 tarballs, "tritonserver" from 2.35 on
set -eu

fail() {
  echo "fetch-triton: $*" >&2
  exit 1
}

dest=${1:-}
[ -n "$dest" ] || fail "usage: fetch-triton.sh DEST (for example /opt/triton)"
url=${TRITON_URL:-}
[ -n "$url" ] || fail "TRITON_URL is empty: pass the release tarball URL (build arg TRITON_URL)"
sha256=${TRITON_SHA256:-}
root=${TRITON_TARBALL_ROOT:-.}

# The download tool must exist before the first download (the tutorial's recipe used curl without installing it).
command -v curl >/dev/null 2>&1 || fail "curl is not installed: install curl and ca-certificates before running this script"

if [ -e "$dest" ]; then
  rmdir "$dest" 2>/dev/null || fail "DEST $dest already exists and is not empty"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "fetch-triton: downloading $url"
curl -fsSL --retry 3 --retry-delay 2 -o "$work/triton.tgz" "$url" \
  || fail "download failed: $url (check TRITON_VERSION and TRITON_TARBALL against the release's assets)"

if [ -n "$sha256" ]; then
  actual=$(sha256sum "$work/triton.tgz" | cut -d ' ' -f 1)
  [ "$actual" = "$sha256" ] || fail "sha256 mismatch for $url: expected $sha256, got $actual (fix TRITON_SHA256 or the URL)"
  echo "fetch-triton: sha256 verified ($actual)"
else
  echo "fetch-triton: no TRITON_SHA256 given; tarball not verified (sha256 $(sha256sum "$work/triton.tgz" | cut -d ' ' -f 1))"
fi

mkdir "$work/unpacked"
tar -xzf "$work/triton.tgz" -C "$work/unpacked" || fail "cannot unpack $url as a gzip tarball"

if [ ! -f "$work/unpacked/$root/bin/tritonserver" ]; then
  found=$(cd "$work/unpacked" && find . -maxdepth 3 -path '*/bin/tritonserver' | head -n 1)
  if [ -n "$found" ]; then
    suggested=${found%/bin/tritonserver}
    suggested=${suggested#./}
    [ -n "$suggested" ] && [ "$suggested" != "." ] || suggested=.
    fail "no bin/tritonserver under \"$root\" in the tarball; it is under \"$suggested\": set TRITON_TARBALL_ROOT=$suggested"
  fi
  fail "the tarball has no bin/tritonserver at all: is $url a Triton Jetson release?"
fi
for folder in lib backends; do
  [ -d "$work/unpacked/$root/$folder" ] || fail "the tarball has no $folder/ beside bin/ under \"$root\""
done
src=$(cd "$work/unpacked/$root" && pwd)

# The JetPack 5.1.2 "update" tarballs ship libboost_filesystem beside lib/ instead of in it:
# merge it so that one LD_LIBRARY_PATH entry (lib/) serves every release.
if [ -d "$src/boost_filesystem" ]; then
  cp -a "$src/boost_filesystem/." "$src/lib/"
  rm -rf "$src/boost_filesystem"
fi

mkdir -p "$(dirname "$dest")"
mv "$src" "$dest"
# Mount point of the model repository volume.
mkdir -p "$dest/models"
# Readable by any user, so that a non-root securityContext also works.
chmod -R a+rX "$dest"
echo "fetch-triton: Triton laid out at $dest"
