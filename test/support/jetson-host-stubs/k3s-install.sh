#!/bin/sh
# Stub of https://get.k3s.io (the K3s install script) for the fake Jetson hosts. Honours
# INSTALL_K3S_EXEC, K3S_URL, K3S_TOKEN(_FILE), INSTALL_K3S_VERSION, INSTALL_K3S_SKIP_DOWNLOAD,
# INSTALL_K3S_SKIP_START and passes every K3S_* variable to the service like the real
# one (K3S_KUBECONFIG_MODE, K3S_KUBECONFIG_OUTPUT are read by the server at start-up).
# The host's host.env adds a delay (JH_INSTALLER_DELAY_MS) and a failure (JH_INSTALLER_FAIL).
set -e
. /run/jetson-host/lib.sh
info() { echo "[INFO]  $*"; }
fatal() { echo "[ERROR]  $*" >&2; exit 1; }

if [ -z "${JH_INSTALL_RECORDED:-}" ]; then jh_record k3s-install "$@"; fi
if ! jh_is_root; then
  # The real script prefixes each privileged command with sudo; running the rest under
  # sudo has the same outcome (and fails the same way when sudo needs a password).
  JH_INSTALL_RECORDED=1 exec sudo -E JH_INSTALL_RECORDED=1 sh "$JH_STUBS/k3s-install.sh" "$@"
fi

eval "set -- ${INSTALL_K3S_EXEC:-} \"\$@\""
case "${1:-}" in
  -*|"")
    if [ -z "${K3S_URL:-}" ]; then
      CMD_K3S=server
    else
      if [ -z "${K3S_TOKEN:-}" ] && [ -z "${K3S_TOKEN_FILE:-}" ]; then
        fatal "Defaulted k3s exec command to 'agent' because K3S_URL is defined, but K3S_TOKEN or K3S_TOKEN_FILE is not defined."
      fi
      CMD_K3S=agent
    fi ;;
  *) CMD_K3S=$1; shift ;;
esac
case "$CMD_K3S" in
  server) SYSTEM_NAME=k3s; UNINSTALL=k3s-uninstall.sh ;;
  agent) SYSTEM_NAME=k3s-agent; UNINSTALL=k3s-agent-uninstall.sh ;;
  *) fatal "Unknown k3s command $CMD_K3S" ;;
esac
if [ -n "${K3S_URL:-}" ] && [ "$CMD_K3S" = agent ]; then
  case "$K3S_URL" in https://*) ;; *) fatal "Only https:// URLs are supported for K3S_URL (have $K3S_URL)" ;; esac
fi

BIN_DIR=${INSTALL_K3S_BIN_DIR:-/usr/local/bin}
case "$(uname -m)" in
  amd64|x86_64) SUFFIX= ;;
  arm64|aarch64) SUFFIX=-arm64 ;;
  arm*) SUFFIX=-armhf ;;
  *) fatal "Unsupported architecture $(uname -m)" ;;
esac

if [ -n "${INSTALL_K3S_VERSION:-}" ]; then
  VERSION_K3S=$INSTALL_K3S_VERSION
else
  info "Finding release for channel ${INSTALL_K3S_CHANNEL:-stable}"
  VERSION_K3S=$JH_K3S_DEFAULT_VERSION
fi

if [ "${JH_INSTALLER_DELAY_MS:-0}" -gt 0 ]; then
  sleep "$(awk -v ms="$JH_INSTALLER_DELAY_MS" 'BEGIN { printf "%.3f", ms / 1000 }')"
fi
if [ -n "${JH_INSTALLER_FAIL:-}" ]; then fatal "$JH_INSTALLER_FAIL"; fi

if [ "${INSTALL_K3S_SKIP_DOWNLOAD:-}" = true ]; then
  [ -x "$BIN_DIR/k3s" ] || fatal "Executable k3s binary not found at $BIN_DIR/k3s"
  info "Skipping k3s download and verify"
else
  info "Using $VERSION_K3S as release"
  info "Downloading hash https://github.com/k3s-io/k3s/releases/download/$VERSION_K3S/sha256sum${SUFFIX}.txt"
  info "Downloading binary https://github.com/k3s-io/k3s/releases/download/$VERSION_K3S/k3s${SUFFIX}"
  info "Verifying binary download"
  info "Installing k3s to $BIN_DIR/k3s"
  mkdir -p "$BIN_DIR"
  cp "$JH_STUBS/k3s" "$BIN_DIR/k3s"
  chmod 755 "$BIN_DIR/k3s"
fi
echo "$VERSION_K3S" >"$JH_STATE/k3s-version"

for cmd in kubectl crictl ctr; do
  if [ ! -e "$BIN_DIR/$cmd" ]; then
    info "Creating $BIN_DIR/$cmd symlink to k3s"
    ln -sf k3s "$BIN_DIR/$cmd"
  else
    info "Skipping $BIN_DIR/$cmd symlink to k3s, already exists"
  fi
done

info "Creating killall script $BIN_DIR/k3s-killall.sh"
cp "$JH_STUBS/k3s-uninstall" "$BIN_DIR/k3s-killall.sh"
info "Creating uninstall script $BIN_DIR/$UNINSTALL"
cp "$JH_STUBS/k3s-uninstall" "$BIN_DIR/$UNINSTALL"
chmod 755 "$BIN_DIR/k3s-killall.sh" "$BIN_DIR/$UNINSTALL"

UNIT=/etc/systemd/system/$SYSTEM_NAME.service
mkdir -p /etc/systemd/system
info "env: Creating environment file $UNIT.env"
: >"$UNIT.env"
chmod 0600 "$UNIT.env"
env | grep -E '^(K3S|CONTAINERD)_[A-Z_]*=' | while IFS='=' read -r name value; do
  eval "value=\$$name"
  printf "%s='%s'\n" "$name" "$(printf '%s' "$value" | sed "s/'/'\\\\''/g")" >>"$UNIT.env"
done
info "systemd: Creating service file $UNIT"
{
  echo "[Unit]"
  echo "Description=Lightweight Kubernetes"
  echo "Documentation=https://k3s.io"
  echo "Wants=network-online.target"
  echo "After=network-online.target"
  echo
  echo "[Service]"
  echo "Type=$([ "$CMD_K3S" = server ] && echo notify || echo exec)"
  echo "EnvironmentFile=-$UNIT.env"
  echo "ExecStart=$BIN_DIR/k3s $CMD_K3S $*"
  echo
  echo "[Install]"
  echo "WantedBy=multi-user.target"
} >"$UNIT"
mkdir -p "$JH_STATE/services"
jh_json_array "$BIN_DIR/k3s" "$CMD_K3S" "$@" >"$JH_STATE/services/$SYSTEM_NAME.argv"

info "systemd: Enabling $SYSTEM_NAME unit"
systemctl daemon-reload
systemctl enable "$SYSTEM_NAME" >/dev/null
if [ "${INSTALL_K3S_SKIP_START:-}" = true ]; then exit 0; fi
info "systemd: Starting $SYSTEM_NAME"
systemctl restart "$SYSTEM_NAME"
