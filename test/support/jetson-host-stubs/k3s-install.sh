#!/bin/sh
# Stub of https://get.k3s.io (the K3s install script) for the fake Jetson hosts.
# The host's host.env adds a delay (JH_INSTALLER_DELAY_MS) and a failure (JH_INSTALLER_FAIL).
#
# Behaves like the real script where the bootstrapper depends on it. Checked line by line
# against k3s-io/k3s install.sh at commit 0136cf258954a458da1404858396342724b93d24 (our
# own code; what matches):
# - arguments: INSTALL_K3S_EXEC is split on blanks after backslash-escaping the
#   punctuation []!#$%&()*;<=>?\_`{|} (quotes, "/" and spaces stay active), then the
#   script's own arguments follow, each kept whole ("eval set -- $(escape EXEC) $(quote
#   "$@")"); a first word starting with "-" (or none) means server, or agent when K3S_URL
#   is set (then K3S_TOKEN or K3S_TOKEN_FILE is required: same fatal message);
#   K3S_URL must be https:// (verify_k3s_url);
# - PRE_INSTALL_HASHES: `sha256sum $BIN_DIR/k3s <unit> <unit>.env 2>&1 || true`, taken
#   before anything is written (setup_env -> get_installed_hashes);
# - INSTALL_K3S_SKIP_DOWNLOAD=true|binary: no download, fatal "Executable k3s binary not
#   found at $BIN_DIR/k3s" unless it is executable; otherwise the binary is replaced only
#   when its hash differs (installed_hash_matches; here the stub binary plus a
#   "# release <version>" line, so another version is another hash, as with real binaries);
# - kubectl/crictl/ctr symlinks only when missing, killall + uninstall scripts;
# - systemd_disable: `systemctl disable <name>`, the unit and its .env removed, then
#   create_env_file: the .env made with mode 0600 and filled with every K3S_* and
#   CONTAINERD_* variable as NAME='value' (the form `sh -c export` gives), then
#   NO_PROXY/HTTP_PROXY/HTTPS_PROXY (any case);
# - the unit: EnvironmentFile=-<unit>.env and ExecStart=$BIN_DIR/k3s \ then the command and
#   each argument single-quoted on its own line (quote_indent);
# - service_enable_and_start: INSTALL_K3S_SKIP_ENABLE=true -> neither enabled nor started;
#   `systemctl enable <unit file>` + daemon-reload; INSTALL_K3S_SKIP_START=true -> not
#   started; POST_INSTALL_HASHES equal to PRE_INSTALL_HASHES and INSTALL_K3S_FORCE_RESTART
#   not "true" -> "[INFO]  No change detected so skipping service start" and the service
#   is NOT started (a stopped service stays stopped); else `systemctl restart <name>`.
# Not modelled: openrc, SELinux, INSTALL_K3S_NAME/TYPE/SYMLINK/BIN_DIR_READ_ONLY,
# channels (the release is JH_K3S_DEFAULT_VERSION), PR/commit builds, xtables cleanup.
set -e
# shellcheck disable=SC1091
. /run/jetson-host/lib.sh
info() { echo "[INFO]  $*"; }
fatal() { echo "[ERROR]  $*" >&2; exit 1; }

if [ -z "${JH_INSTALL_RECORDED:-}" ]; then jh_record k3s-install "$@"; fi
if ! jh_is_root; then
  # The real script prefixes each privileged command with sudo; running the rest under
  # sudo has the same outcome (and fails the same way when sudo needs a password).
  JH_INSTALL_RECORDED=1 exec sudo -E JH_INSTALL_RECORDED=1 sh "$JH_STUBS/k3s-install.sh" "$@"
fi

# INSTALL_K3S_EXEC: punctuation backslash-escaped, then split by eval; "$@" kept whole.
exec_words=$(printf '%s' "${INSTALL_K3S_EXEC:-}" | sed -e 's/\([][!#$%&()*;<=>?\_`{|}]\)/\\\1/g')
quoted_args=""
for arg in "$@"; do
  quoted_args="$quoted_args '$(printf '%s' "$arg" | sed "s/'/'\\\\''/g")'"
done
eval "set -- $exec_words $quoted_args"
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
case "${K3S_URL:-}" in ""|https://*) ;; *) fatal "Only https:// URLs are supported for K3S_URL (have $K3S_URL)" ;; esac
case "$CMD_K3S" in
  server) SYSTEM_NAME=k3s; UNINSTALL=k3s-uninstall.sh ;;
  *) SYSTEM_NAME=k3s-$CMD_K3S; UNINSTALL=$SYSTEM_NAME-uninstall.sh ;;
esac
case "$CMD_K3S" in server|agent) ;; *) fatal "Unknown k3s command $CMD_K3S" ;; esac

BIN_DIR=${INSTALL_K3S_BIN_DIR:-/usr/local/bin}
UNIT=/etc/systemd/system/$SYSTEM_NAME.service
installed_hashes() { sha256sum "$BIN_DIR/k3s" "$UNIT" "$UNIT.env" 2>&1 || true; }
PRE_INSTALL_HASHES=$(installed_hashes)
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

case "${INSTALL_K3S_SKIP_DOWNLOAD:-}" in
  true|binary)
    info "Skipping k3s download and verify"
    [ -x "$BIN_DIR/k3s" ] || fatal "Executable k3s binary not found at $BIN_DIR/k3s" ;;
  *)
    info "Using $VERSION_K3S as release"
    info "Downloading hash https://github.com/k3s-io/k3s/releases/download/$VERSION_K3S/sha256sum-arm64.txt"
    release_binary=$(mktemp)
    { cat "$JH_STUBS/k3s"; echo "# release $VERSION_K3S"; } >"$release_binary"
    if [ -x "$BIN_DIR/k3s" ] && cmp -s "$release_binary" "$BIN_DIR/k3s"; then
      info "Skipping binary downloaded, installed k3s matches hash"
      rm -f "$release_binary"
    else
      info "Downloading binary https://github.com/k3s-io/k3s/releases/download/$VERSION_K3S/k3s${SUFFIX}"
      info "Verifying binary download"
      info "Installing k3s to $BIN_DIR/k3s"
      mkdir -p "$BIN_DIR"
      chmod 755 "$release_binary"
      mv -f "$release_binary" "$BIN_DIR/k3s"
    fi ;;
esac
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

# systemd_disable, then the env file and the unit, written anew.
systemctl disable "$SYSTEM_NAME" >/dev/null 2>&1 || true
rm -f "$UNIT" "$UNIT.env"
mkdir -p /etc/systemd/system
info "env: Creating environment file $UNIT.env"
touch "$UNIT.env"
chmod 0600 "$UNIT.env"
env_lines() { # NAME='value' for every variable whose name matches the ERE $1 (any case with $2 = -i), sorted
  # shellcheck disable=SC2086 # $2 is an optional grep flag
  env | sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p' | grep $2 -E "$1" | sort -u | while read -r name; do
    value=""
    eval "value=\${$name}"
    printf "%s='%s'\n" "$name" "$(printf '%s' "$value" | sed "s/'/'\\\\''/g")"
  done
}
{ env_lines '^(K3S|CONTAINERD)_'; env_lines '^(NO|HTTP|HTTPS)_PROXY$' -i; } >"$UNIT.env"
info "systemd: Creating service file $UNIT"
{
  echo "[Unit]"
  echo "Description=Lightweight Kubernetes"
  echo "Documentation=https://k3s.io"
  echo "Wants=network-online.target"
  echo "After=network-online.target"
  echo
  echo "[Install]"
  echo "WantedBy=multi-user.target"
  echo
  echo "[Service]"
  echo "Type=notify"
  echo "EnvironmentFile=-/etc/default/%N"
  echo "EnvironmentFile=-/etc/sysconfig/%N"
  echo "EnvironmentFile=-$UNIT.env"
  echo "KillMode=process"
  echo "Delegate=yes"
  echo "Restart=always"
  echo "RestartSec=5s"
  echo "ExecStart=$BIN_DIR/k3s \\"
  printf '    %s \\\n' "$CMD_K3S"
  for arg in "$@"; do printf "\t'%s' \\\\\n" "$(printf '%s' "$arg" | sed "s/'/'\\\\''/g")"; done
  echo
} >"$UNIT"
mkdir -p "$JH_STATE/services"
jh_json_array "$BIN_DIR/k3s" "$CMD_K3S" "$@" >"$JH_STATE/services/$SYSTEM_NAME.argv"

if [ "${INSTALL_K3S_SKIP_ENABLE:-}" = true ]; then exit 0; fi
info "systemd: Enabling $SYSTEM_NAME unit"
systemctl enable "$UNIT" >/dev/null
systemctl daemon-reload >/dev/null
if [ "${INSTALL_K3S_SKIP_START:-}" = true ]; then exit 0; fi
POST_INSTALL_HASHES=$(installed_hashes)
if [ "$PRE_INSTALL_HASHES" = "$POST_INSTALL_HASHES" ] && [ "${INSTALL_K3S_FORCE_RESTART:-}" != true ]; then
  info "No change detected so skipping service start"
  exit 0
fi
info "systemd: Starting $SYSTEM_NAME"
systemctl restart "$SYSTEM_NAME"
