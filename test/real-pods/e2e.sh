#!/usr/bin/env bash
# End to end on a real node (docs/real-pods.md): dist/ applied with the documented substitutions,
# the seeding Job's real script publishes the model from a model server on the host side of the
# node's veth, Triton (stand-in) pods become Ready through their probes, then `triton-jetson verify`
# and `triton-jetson infer` through NodePort 30800. KEEP=1 leaves the cluster up.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
S="${REALPODS_STATE:-/var/lib/triton-jetson-realpods}"
R="${REALPODS_RUN:-/run/triton-jetson-realpods}"
CP_BIN="${TRITON_JETSON_K8S_BIN:-$HOME/.cache/cdk8s-triton-jetson/k8s-1.34.4}"
export KUBECONFIG="$S/admin.kubeconfig"
# One real-pods cluster per machine (fixed netns, addresses and state folder): a second run,
# e.g. from another checkout, waits here instead of rewriting the first one's certificates.
mkdir -p "$S"
exec 8>"$S/e2e.lock"
if ! flock -n 8; then
  echo "e2e: another real-pods run holds $S/e2e.lock; waiting (at most 600 s)"
  flock -w 600 8 || { echo "e2e: $S/e2e.lock still held after 600 s" >&2; exit 1; }
fi
k() { "$CP_BIN/kubectl" "$@"; }
log() { echo "e2e [$(( $(date +%s) - T0 ))s]: $*"; }
T0=$(date +%s)
www_pid=""
cleanup() {
  rc=$?
  if [ "$rc" != 0 ]; then
    log "FAILED (exit $rc); state:"
    k get pods,jobs,pvc,pv -o wide 2>&1 || true
    k get events --sort-by=.lastTimestamp 2>&1 | tail -20 || true
    for p in $(k get pods -o name 2>/dev/null); do echo "--- logs $p"; k logs "$p" --all-containers --tail=30 2>&1 || true; done
  fi
  [ -n "$www_pid" ] && kill "$www_pid" 2>/dev/null
  [ "${KEEP:-0}" = 1 ] || bash "$HERE/cluster.sh" down
  exit "$rc"
}
trap cleanup EXIT

bash "$HERE/images.sh" >/dev/null
log "images built"
bash "$HERE/cluster.sh" up
log "cluster up"

# The model server: the tutorial's archive name and member, small fake bytes (the stand-in only
# checks the file is there); busybox httpd on the host end of the node's veth.
www="$S/www"; rm -rf "$www"; mkdir -p "$www/src"
head -c 65536 /dev/urandom >"$www/src/inception_v3_2016_08_28_frozen.pb"
printf 'stand-in labels\n' >"$www/src/imagenet_slim_labels.txt"
tar -C "$www/src" -czf "$www/inception_v3_2016_08_28_frozen.pb.tar.gz" inception_v3_2016_08_28_frozen.pb imagenet_slim_labels.txt
node "$HERE/model-server.js" "$www" 10.201.0.1 8089 >"$S/logs/model-server.log" 2>&1 & www_pid=$!

mkdir -p "$S/pv"; chmod 0777 "$S/pv"
node "$HERE/substitute.js" "$REPO/dist/triton-jetson.k8s.yaml" "$S/pv" http://10.201.0.1:8089 >"$S/applied.yaml"
k apply -f "$S/applied.yaml" >/dev/null
log "applied dist/ (substituted) "

# 1. Triton starts unready: its readiness probe fails (400) while the repository is empty. The model
# server holds the seeding Job's download until the kubelet has reported that failure.
# The pod is found through its failed probe, not listed first: the DaemonSet controller may
# replace its first pod within seconds (seen under load), and the replaced pod never reports.
pod=""
for _ in $(seq 1 180); do
  pod=$(k get events --field-selector reason=Unhealthy -o jsonpath='{range .items[*]}{.involvedObject.name}{"\t"}{.message}{"\n"}{end}' \
    | awk -F'\t' '$1 ~ /^triton-/ && $2 ~ /Readiness probe failed: HTTP probe failed with statuscode: 400/ { name = $1 } END { print name }')
  if [ -n "$pod" ] && k get pod "$pod" >/dev/null 2>&1; then pod="pod/$pod"; break; fi
  pod=""
  sleep 1
done
[ -n "$pod" ] || { log "no failed readiness probe seen"; exit 1; }
[ "$(k get "$pod" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = False ] || { log "$pod Ready before the model exists"; exit 1; }
log "$pod running and unready (readiness probe: 400, no model yet); releasing the model server"
touch "$www/.release"

job=$(k get job -l app.kubernetes.io/name=model-seed -o name)
k wait --for=condition=Complete "$job" --timeout=300s
log "$job Complete"
k logs "$job" | tail -5
ls -la "$S/pv/repository/inception_graphdef" "$S/pv/repository/inception_graphdef/1"
log "waiting for $pod Ready"
k wait --for=condition=Ready "$pod" --timeout=180s
log "$pod Ready"
k get "$pod" -o wide
k logs "$pod" | head -5

# As synthesized, enforced by the real runtime: the Job published as uid 65534; Triton sees only
# the repository subPath, read-only.
owner=$(stat -c %u:%g "$S/pv/repository/inception_graphdef/config.pbtxt")
[ "$owner" = 65534:65534 ] || { log "published files owned by $owner, not 65534:65534"; exit 1; }
seen=$(k exec "$pod" -- /usr/local/bin/node -e "console.log(require('fs').readdirSync('/opt/triton/models').join(','))")
[ "$seen" = inception_graphdef ] || { log "Triton's /opt/triton/models holds '$seen'"; exit 1; }
if k exec "$pod" -- /usr/local/bin/node -e "require('fs').writeFileSync('/opt/triton/models/x', '')" 2>"$S/logs/rofs.txt"; then
  log "Triton could write to its model repository"; exit 1
fi
grep -q EROFS "$S/logs/rofs.txt" || { cat "$S/logs/rofs.txt"; exit 1; }
log "published files owned by 65534:65534; Triton sees only the repository subPath ($seen), read-only (EROFS)"

node "$REPO/bin/triton-jetson.js" verify -u 10.201.0.2:30800 -m inception_graphdef
log "verify passed"
node -e "require('sharp')({create:{width:640,height:480,channels:3,background:{r:200,g:40,b:90}}}).jpeg().toFile('$S/car.jpg').then(()=>{})"
node "$REPO/bin/triton-jetson.js" infer -u 10.201.0.2:30800 -m inception_graphdef -s INCEPTION -x 1 --classes 3 "$S/car.jpg"
log "infer passed"

# 2. Negative control: the model leaves the repository -> the stand-in unloads it on its next poll,
# the readiness probe fails, the endpoint is withdrawn and the NodePort refuses: verify must fail.
mv "$S/pv/repository/inception_graphdef" "$S/pv/held-out"
k wait --for=condition=Ready=false "$pod" --timeout=180s
log "$pod NotReady after the model was removed"
if node "$REPO/bin/triton-jetson.js" verify -u 10.201.0.2:30800 -m inception_graphdef --timeout 3 >"$S/logs/verify-negative.txt" 2>&1; then
  log "verify passed with no ready Triton"; exit 1
fi
grep -q ECONNREFUSED "$S/logs/verify-negative.txt" || { cat "$S/logs/verify-negative.txt"; exit 1; }
log "verify fails as it should (connection refused through the NodePort)"
mv "$S/pv/held-out" "$S/pv/repository/inception_graphdef"
k wait --for=condition=Ready "$pod" --timeout=180s
node "$REPO/bin/triton-jetson.js" infer -u 10.201.0.2:30800 -m inception_graphdef -s INCEPTION -x 1 --classes 3 "$S/car.jpg"
log "model restored: Ready again and infer PASS"

# 3. Triton rollout (docs/operations.md): an image change in the cluster description goes
# synth -> kubectl diff -> apply -> verify --wait. The new image is the stand-in under a second
# name (a pod template change all the same); verify reads the DaemonSet through the API with
# $KUBECONFIG (context: the file's current one) and checks the node through NodePort 30800.
ctr -a "$R/containerd.sock" -n k8s.io images tag docker.io/janakiramm/triton-jetson:latest docker.io/janakiramm/triton-jetson:rollout-2 >/dev/null
ro="$S/rollout"; rm -rf "$ro"; mkdir -p "$ro"
describe() { # describe <file> <image> [imagePullPolicy]; the retagged stand-in's tag tells no Triton release: declared
  printf 'nodes:\n  server: { name: jetson-real-0, address: 10.201.0.2 }\ntriton:\n  image: %s\n  imagePullPolicy: %s\n  minReadySeconds: 20\n  tritonVersions: { jetpack4: "2.17.0" }\n' "$2" "${3:-IfNotPresent}" >"$1"
}
rollout_to() { # rollout_to <name> <image> [imagePullPolicy]: cluster description, synth, substitution
  describe "$ro/$1.yaml" "$2" "${3:-}"
  node "$REPO/bin/synth.js" --config "$ro/$1.yaml" --out "$ro/$1-dist" >/dev/null
  node "$HERE/substitute.js" "$ro/$1-dist/triton-jetson.k8s.yaml" "$S/pv" http://10.201.0.1:8089 >"$ro/$1-applied.yaml" 2>/dev/null
}
old_pod=$(k get pods -l app=triton -o jsonpath='{.items[0].metadata.name}')
rollout_to v2 janakiramm/triton-jetson:rollout-2
diff_rc=0; k diff -f "$ro/v2-applied.yaml" >"$ro/diff.txt" 2>&1 || diff_rc=$?
[ "$diff_rc" = 1 ] || { cat "$ro/diff.txt"; log "kubectl diff exited $diff_rc, expected 1 (differences)"; exit 1; }
if ! grep -q '^+ *image: janakiramm/triton-jetson:rollout-2$' "$ro/diff.txt" || ! grep -q '^+ *minReadySeconds: 20$' "$ro/diff.txt"; then
  cat "$ro/diff.txt"; log "kubectl diff does not show the new image and minReadySeconds"; exit 1
fi
log "kubectl diff shows the DaemonSet's new image and minReadySeconds"
k apply -f "$ro/v2-applied.yaml" >/dev/null
node "$REPO/bin/triton-jetson.js" verify --wait -c "$ro/v2.yaml" --wait-timeout 300 | tee "$S/logs/verify-wait.txt"
done_at=$(date +%s)
new_pod=$(k get pods -l app=triton -o jsonpath='{.items[0].metadata.name}')
new_image=$(k get pod "$new_pod" -o jsonpath='{.spec.containers[0].image}')
ready_at=$(date -d "$(k get pod "$new_pod" -o jsonpath='{.status.conditions[?(@.type=="Ready")].lastTransitionTime}')" +%s)
if [ "$new_pod" = "$old_pod" ] || [ "$new_image" != janakiramm/triton-jetson:rollout-2 ]; then log "pod $new_pod ($new_image) was not replaced"; exit 1; fi
grep -q 'rollout: Waiting for daemon set "triton" rollout to finish' "$S/logs/verify-wait.txt" || { log "verify --wait never waited"; exit 1; }
[ $(( done_at - ready_at )) -ge 20 ] || { log "verify --wait returned $(( done_at - ready_at )) s after $new_pod turned Ready, before minReadySeconds (20)"; exit 1; }
log "rollout: $old_pod replaced by $new_pod (janakiramm/triton-jetson:rollout-2); verify --wait returned $(( done_at - ready_at )) s after it turned Ready (minReadySeconds 20)"

# Negative control: an image the node does not have (imagePullPolicy Never) never becomes
# available; verify --wait gives up at its deadline naming the node and the reason.
rollout_to bad janakiramm/triton-jetson:not-loaded Never
k apply -f "$ro/bad-applied.yaml" >/dev/null
if node "$REPO/bin/triton-jetson.js" verify --wait -c "$ro/bad.yaml" --wait-timeout 45 >"$S/logs/verify-wait-bad.txt" 2>&1; then
  cat "$S/logs/verify-wait-bad.txt"; log "verify --wait passed with an image that cannot run"; exit 1
fi
grep -q 'did not finish within 45 s.*jetson-real-0: pod triton-[a-z0-9]* runs janakiramm/triton-jetson:not-loaded, not ready (ErrImageNeverPull)' "$S/logs/verify-wait-bad.txt" \
  || { cat "$S/logs/verify-wait-bad.txt"; exit 1; }
log "verify --wait fails as it should (rollout did not finish: jetson-real-0 ErrImageNeverPull)"
k apply -f "$ro/v2-applied.yaml" >/dev/null
node "$REPO/bin/triton-jetson.js" verify --wait -c "$ro/v2.yaml" --wait-timeout 300 >"$S/logs/verify-wait-back.txt"
grep -q 'All 4 checks passed on 1 node(s).' "$S/logs/verify-wait-back.txt" || { cat "$S/logs/verify-wait-back.txt"; exit 1; }
log "rolled back to rollout-2: verify --wait passed again"
log "ALL PASSED"
