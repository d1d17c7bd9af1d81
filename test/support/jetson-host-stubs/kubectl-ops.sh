# Day-two kubectl verbs of the k3s stub (sourced by it; POSIX sh): cordon, uncordon,
# annotate node, drain, get pods / secret / node --ignore-not-found, delete node / secret.
# They act on the fixture-wide registry of the local server
# (/run/jetson-fixture/registry/servers/<address>): nodes/<name>.json (unschedulable,
# annotations), passwords/<name> (what K3s keeps in the Secret
# kube-system/<name>.node-password.k3s) and pods/<namespace>/<name>.json ({name, namespace,
# node, labels, daemonSet, readyAt}: Ready once the node is Ready and the clock passed
# readyAt, which a node's (re)registration pushes JH_POD_READY_DELAY_MS ahead, like a
# Triton pod loading its models again after its node restarted). Every call is recorded in
# calls.log by the k3s stub (argv and time), which is what the tests read back.
# Not modelled: PodDisruptionBudgets, grace periods, evictions that wait. Deleting a node
# keeps its password secret, as K3s did before its node-password controller put an owner
# reference on it (k3s-io/k3s pkg/nodepassword/controller.go): the bootstrapper deletes both.
# shellcheck disable=SC2016 # $k, $v, $u, $at are jq variables, not shell ones

ops_dir=$SERVERS/$JH_ADDRESS
now_ms() { date +%s%3N; }

ops_node_file() { # ops_node_file <name>: the node's JSON, or NotFound and exit 1
  f=$ops_dir/nodes/$1.json
  [ -f "$f" ] || { echo "Error from server (NotFound): nodes \"$1\" not found" >&2; exit 1; }
  printf '%s' "$f"
}

ops_jq_in_place() { # ops_jq_in_place <file> <jq args...>
  file=$1; shift
  jq "$@" "$file" >"$file.tmp" && mv "$file.tmp" "$file"
}

ops_cordon() { # ops_cordon <true|false> <node>
  f=$(ops_node_file "$2")
  ops_jq_in_place "$f" --argjson u "$1" '.unschedulable = $u'
  if [ "$1" = true ]; then echo "node/$2 cordoned"; else echo "node/$2 uncordoned"; fi
}

ops_annotate() { # annotate node <name> [--overwrite] key=value | key-
  name=""; overwrite=false; pairs=""
  for a do
    case "$a" in
      node|nodes|no) ;; --overwrite|--overwrite=true) overwrite=true ;; -*) ;;
      *=*|*-) pairs="$pairs $a" ;; *) [ -z "$name" ] && name=$a ;;
    esac
  done
  f=$(ops_node_file "$name")
  for p in $pairs; do
    case "$p" in
      *=*) key=${p%%=*}
        if [ -n "$(jq -r --arg k "$key" '.annotations[$k] // empty' "$f")" ] && ! $overwrite; then
          echo "error: --overwrite is false but found the following declared annotation(s): '$key' already has a value" >&2; exit 1
        fi
        ops_jq_in_place "$f" --arg k "$key" --arg v "${p#*=}" '.annotations[$k] = $v' ;;
      *-) ops_jq_in_place "$f" --arg k "${p%-}" 'del(.annotations[$k])' ;;
    esac
  done
  echo "node/$name annotated"
}

ops_drain() { # drain <node> [--ignore-daemonsets] [--delete-emptydir-data] [--timeout=Ns]
  name=""; daemonsets=false
  for a do
    case "$a" in --ignore-daemonsets|--ignore-daemonsets=true) daemonsets=true ;; -*) ;; *) [ -z "$name" ] && name=$a ;; esac
  done
  ops_cordon true "$name" >/dev/null
  echo "node/$name cordoned"
  for f in "$ops_dir"/pods/*/*.json; do
    [ -f "$f" ] || continue
    [ "$(jq -r .node "$f")" = "$name" ] || continue
    if [ "$(jq -r .daemonSet "$f")" = true ]; then
      $daemonsets || { echo "error: cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): $(jq -r '.namespace + "/" + .name' "$f")" >&2; exit 1; }
      continue
    fi
    echo "evicting pod $(jq -r '.namespace + "/" + .name' "$f")"
    rm -f "$f"
  done
  echo "node/$name drained"
}

ops_get_pods() { # get pods -n <ns> [-l app=x] [--field-selector spec.nodeName=n] -o json
  ns=default; selector=""; node=""
  while [ $# -gt 0 ]; do
    case "$1" in
      -n|--namespace) ns=$2; shift ;; -l|--selector) selector=$2; shift ;; --field-selector) node=${2#spec.nodeName=}; shift ;;
    esac
    shift
  done
  if ls "$ops_dir/pods/$ns"/*.json >/dev/null 2>&1; then set -- "$ops_dir/pods/$ns"/*.json; else set -- /dev/null; fi
  ready_nodes=$(jq -r 'select(.ready) | .name' "$ops_dir"/nodes/*.json 2>/dev/null | tr '\n' ' ')
  jq -s --arg sel "$selector" --arg node "$node" --arg ready " $ready_nodes" --argjson now "$(now_ms)" '{
    apiVersion: "v1", kind: "List", metadata: {resourceVersion: ""},
    items: [.[] | select(($node == "" or .node == $node)
      and ($sel == "" or (($sel | split("=")) as [$k, $v] | .labels[$k] == $v)))
      | .node as $n
      | {apiVersion: "v1", kind: "Pod", metadata: {name, namespace, labels}, spec: {nodeName: $n},
         status: {conditions: [{type: "Ready", status: (if ($ready | contains(" " + $n + " ")) and $now >= (.readyAt // 0) then "True" else "False" end)}]}}]
  }' "$@"
}

ops_secret_name() { # <name>.node-password.k3s -> <name>, or empty for any other secret
  case "$1" in *.node-password.k3s) printf '%s' "${1%.node-password.k3s}" ;; esac
}

ops_get_or_delete() { # get|delete node|secret <name> [-n kube-system] [--ignore-not-found] [-o name]
  verb=$1; kind=$2; shift 2
  name=""; ignore=false
  while [ $# -gt 0 ]; do
    case "$1" in
      --ignore-not-found|--ignore-not-found=true) ignore=true ;;
      -n|--namespace|-o|--output) shift ;;
      -*) ;;
      *) [ -z "$name" ] && name=$1 ;;
    esac
    shift
  done
  case "$kind" in
    node|nodes|no) file=$ops_dir/nodes/$name.json; shown="node/$name"; gone="node \"$name\" deleted" ;;
    secret|secrets) node=$(ops_secret_name "$name"); file=$ops_dir/passwords/${node:-/nonexistent}; shown="secret/$name"; gone="secret \"$name\" deleted" ;;
    *) echo "error: the server doesn't have a resource type \"$kind\"" >&2; exit 1 ;;
  esac
  if [ ! -f "$file" ]; then
    $ignore && return 0
    echo "Error from server (NotFound): ${kind%s}s \"$name\" not found" >&2; exit 1
  fi
  if [ "$verb" = get ]; then echo "$shown"; else rm -f "$file"; echo "$gone"; fi
}

# Called by register_node (on the joining host): the node's pods load again after its (re)start.
ops_pods_restart_on() { # <server registry dir> <node>
  [ -d "$1/pods" ] || return 0
  at=$(( $(now_ms) + ${JH_POD_READY_DELAY_MS:-1000} ))
  for f in "$1"/pods/*/*.json; do
    if [ -f "$f" ] && [ "$(jq -r .node "$f")" = "$2" ]; then ops_jq_in_place "$f" --argjson at "$at" '.readyAt = $at'; fi
  done
  return 0
}
