# Shared helpers of the fake-Jetson stubs (POSIX sh, sourced). Each host's namespace
# mounts its own state folder at /run/jetson-host (host.env, calls.log, service and
# package state) and the fixture-wide folder at /run/jetson-fixture (the join registry).
JH_STATE=/run/jetson-host
JH_REGISTRY=/run/jetson-fixture/registry
# shellcheck disable=SC1091
. "$JH_STATE/host.env"

# Who runs this stub, from one `id` run ("uid=1001(deploy) gid=..."): every stub sources
# this file, and process starts are most of the fake hosts' CPU in the 16-host benchmark.
JH_SELF_ID=$(id)
JH_SELF_UID=${JH_SELF_ID#uid=}; JH_SELF_UID=${JH_SELF_UID%%(*}
JH_SELF_USER=${JH_SELF_ID#*(}; JH_SELF_USER=${JH_SELF_USER%%)*}
case $JH_SELF_ID in "uid=$JH_SELF_UID("*) ;; *) JH_SELF_USER=$JH_SELF_UID ;; esac # no passwd entry

# JSON string escaping for the awk programs below (awk is far cheaper to start than jq,
# and every stub call records itself: on 16 hosts that dominated the benchmark's CPU).
JH_AWK_JSON='
function jstr(s) {
  gsub(/\\/, "&&", s); gsub(/"/, "\\\"", s); gsub(/\n/, "\\n", s)
  gsub(/\r/, "\\r", s); gsub(/\t/, "\\t", s); gsub(/[\001-\037]/, "", s)
  return "\"" s "\""
}
function jargv(  i, out) {
  out = ""
  for (i = 1; i < ARGC; i++) out = out (i > 1 ? "," : "") jstr(ARGV[i])
  return "[" out "]"
}'

# Prints its arguments as one JSON array.
jh_json_array() {
  awk "$JH_AWK_JSON"' BEGIN { print jargv(); exit }' "$@"
}

# sha256 of a secret, so logs can compare tokens without holding them.
jh_sha256() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }

# Appends one call record (JSON line) to the host's calls.log:
# argv, uid, user, and the K3s-related environment (K3S_TOKEN only as K3S_TOKEN_SHA256).
# Usage: jh_record <program> "$@"
jh_record() {
  _prog=$1; shift
  _env_names=""
  for _v in INSTALL_K3S_EXEC K3S_URL INSTALL_K3S_VERSION INSTALL_K3S_SKIP_DOWNLOAD \
    INSTALL_K3S_SKIP_START INSTALL_K3S_SKIP_ENABLE INSTALL_K3S_FORCE_RESTART INSTALL_K3S_CHANNEL K3S_KUBECONFIG_MODE K3S_KUBECONFIG_OUTPUT \
    K3S_NODE_NAME K3S_TOKEN_FILE INSTALL_K3S_BIN_DIR SUDO_USER; do
    eval "_set=\${$_v+x}"
    if [ -n "$_set" ]; then _env_names="$_env_names $_v"; fi
  done
  _token_sha=""
  if [ -n "${K3S_TOKEN+x}" ]; then _token_sha=$(jh_sha256 "$K3S_TOKEN"); fi
  # Values travel through the environment: awk -v would interpret backslashes.
  JH_PROG=$_prog JH_UID=$JH_SELF_UID JH_USER=$JH_SELF_USER JH_T=$(date +%s%3N) \
    JH_ENV_NAMES=$_env_names JH_TOKEN_SHA=$_token_sha \
    awk "$JH_AWK_JSON"' BEGIN {
      n = split(ENVIRON["JH_ENV_NAMES"], names, " "); env = ""
      for (i = 1; i <= n; i++) env = env (env == "" ? "" : ",") jstr(names[i]) ":" jstr(ENVIRON[names[i]])
      if (ENVIRON["JH_TOKEN_SHA"] != "") env = env (env == "" ? "" : ",") "\"K3S_TOKEN_SHA256\":" jstr(ENVIRON["JH_TOKEN_SHA"])
      printf "{\"t\":%s,\"program\":%s,\"argv\":%s,\"uid\":%s,\"user\":%s,\"env\":{%s}}\n",
        ENVIRON["JH_T"], jstr(ENVIRON["JH_PROG"]), jargv(), ENVIRON["JH_UID"], jstr(ENVIRON["JH_USER"]), env
      exit
    }' "$@" >>"$JH_STATE/calls.log"
}

jh_is_root() { [ "$JH_SELF_UID" -eq 0 ]; }

# Service state: active | inactive | failed (files under $JH_STATE/services).
jh_service_state() { cat "$JH_STATE/services/$1" 2>/dev/null || echo inactive; }
jh_set_service_state() { mkdir -p "$JH_STATE/services" && echo "$2" >"$JH_STATE/services/$1"; }
