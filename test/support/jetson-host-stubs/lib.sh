# Shared helpers of the fake-Jetson stubs (POSIX sh, sourced). Each host's namespace
# mounts its own state folder at /run/jetson-host (host.env, calls.log, service and
# package state) and the fixture-wide folder at /run/jetson-fixture (the join registry).
JH_STATE=/run/jetson-host
JH_REGISTRY=/run/jetson-fixture/registry
# shellcheck disable=SC1091
. "$JH_STATE/host.env"

# Prints its arguments as one JSON array (jq 1.6's --args would parse "-x" as options).
jh_json_array() {
  _n=$#; _i=0; _prog=""
  for _a do set -- "$@" --arg "a$_i" "$_a"; _prog="$_prog${_prog:+,}\$a$_i"; _i=$((_i + 1)); done
  shift "$_n"
  jq -cn "$@" "[$_prog]"
}

# sha256 of a secret, so logs can compare tokens without holding them.
jh_sha256() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }

# Appends one call record (JSON line) to the host's calls.log, with one jq run:
# argv, uid, user, and the K3s-related environment (K3S_TOKEN only as K3S_TOKEN_SHA256).
# Usage: jh_record <program> "$@"
jh_record() {
  _prog=$1; shift
  _n=$#; _i=0; _argv=""; _env=""
  for _a do set -- "$@" --arg "a$_i" "$_a"; _argv="$_argv${_argv:+,}\$a$_i"; _i=$((_i + 1)); done
  for _v in INSTALL_K3S_EXEC K3S_URL INSTALL_K3S_VERSION INSTALL_K3S_SKIP_DOWNLOAD \
    INSTALL_K3S_SKIP_START INSTALL_K3S_CHANNEL K3S_KUBECONFIG_MODE K3S_KUBECONFIG_OUTPUT \
    K3S_NODE_NAME K3S_TOKEN_FILE INSTALL_K3S_BIN_DIR SUDO_USER; do
    eval "_set=\${$_v+x} _val=\${$_v-}"
    if [ -n "$_set" ]; then set -- "$@" --arg "$_v" "$_val"; _env="$_env${_env:+,}$_v:\$$_v"; fi
  done
  if [ -n "${K3S_TOKEN+x}" ]; then
    set -- "$@" --arg K3S_TOKEN_SHA256 "$(jh_sha256 "$K3S_TOKEN")"
    _env="$_env${_env:+,}K3S_TOKEN_SHA256:\$K3S_TOKEN_SHA256"
  fi
  shift "$_n"
  jq -cn "$@" --arg prog "$_prog" --argjson uid "$(id -u)" --arg user "$(id -un)" --argjson t "$(date +%s%3N)" \
    "{t:\$t,program:\$prog,argv:[$_argv],uid:\$uid,user:\$user,env:{$_env}}" >>"$JH_STATE/calls.log"
}

jh_is_root() { [ "$(id -u)" -eq 0 ]; }

# Service state: active | inactive | failed (files under $JH_STATE/services).
jh_service_state() { cat "$JH_STATE/services/$1" 2>/dev/null || echo inactive; }
jh_set_service_state() { mkdir -p "$JH_STATE/services" && echo "$2" >"$JH_STATE/services/$1"; }
