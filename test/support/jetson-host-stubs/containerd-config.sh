#!/bin/sh
# Writes K3s' containerd config.toml as K3s does at every start of a containerd node
# (k3s-io/k3s pkg/agent/containerd: config_linux.go puts /usr/local/nvidia/toolkit and
# /opt/kwasm/bin before the service's PATH, runtimes.go looks the runtimes up there): each
# runtime found becomes a table. Config version 3 (containerd 2.0) from K3s v1.31.6 and
# v1.32.2 on, else version 2. Nothing with --docker. Usage: containerd-config.sh <version> <k3s args>
version=$1; shift
for a do [ "$a" = --docker ] && exit 0; done
cfg=/var/lib/rancher/k3s/agent/etc/containerd/config.toml
mkdir -p "${cfg%/*}"
minor=$(echo "$version" | sed -n 's/^v1\.\([0-9]*\)\..*/\1/p'); patch=$(echo "$version" | sed -n 's/^v1\.[0-9]*\.\([0-9]*\).*/\1/p')
if [ "${minor:-0}" -ge 32 ] || { [ "${minor:-0}" -eq 31 ] && [ "${patch:-0}" -ge 6 ]; }; then
  head='version = 3'; plugin="'io.containerd.cri.v1.runtime'"; q="'"
else
  head='version = 2'; plugin='"io.containerd.grpc.v1.cri"'; q='"'
fi
PATH="/usr/local/nvidia/toolkit:/opt/kwasm/bin:$PATH"
{
  echo "$head"
  echo "[plugins.$plugin.containerd.runtimes.${q}runc${q}]"
  echo '  runtime_type = "io.containerd.runc.v2"'
  for pair in nvidia:nvidia-container-runtime nvidia-experimental:nvidia-container-runtime-experimental nvidia-cdi:nvidia-container-runtime.cdi; do
    if found=$(command -v "${pair#*:}"); then
      echo "[plugins.$plugin.containerd.runtimes.${q}${pair%%:*}${q}]"
      echo '  runtime_type = "io.containerd.runc.v2"'
      echo "[plugins.$plugin.containerd.runtimes.${q}${pair%%:*}${q}.options]"
      echo "  BinaryName = \"$found\""
    fi
  done
} >"$cfg.tmp"
mv "$cfg.tmp" "$cfg"
