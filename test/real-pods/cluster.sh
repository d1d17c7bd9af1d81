#!/usr/bin/env bash
# Real-pods harness: a Kubernetes 1.34 control plane plus ONE real worker node (kubelet,
# containerd, runc, CNI bridge, kube-proxy) in a network namespace of its own. See docs/real-pods.md.
#
#   cluster.sh up     start everything (idempotent only after `down`)
#   cluster.sh down   stop everything this script started, remove the netns, veth, cgroups, mounts
#   cluster.sh env    print the exports (KUBECONFIG, CTR address) for a shell
#
# Layout: host side veth rp0h = 10.201.0.1 (etcd, kube-apiserver, scheduler, controller-manager
# bind here); netns tjrp holds rp0 = 10.201.0.2 (the node IP), containerd, kubelet, kube-proxy,
# the CNI bridge cni0 (10.244.0.1/24) and the pods. Nothing binds to the host's other addresses.
set -eEuo pipefail

K8S_VERSION="${K8S_VERSION:-1.34.4}"
CACHE_ROOT="${TRITON_JETSON_CACHE:-$HOME/.cache/cdk8s-triton-jetson}"
CP_BIN="${TRITON_JETSON_K8S_BIN:-$CACHE_ROOT/k8s-$K8S_VERSION}"
NODE_BIN="${TRITON_JETSON_NODE_BIN:-$CACHE_ROOT/k8s-$K8S_VERSION-node}"
S="${REALPODS_STATE:-/var/lib/triton-jetson-realpods}"   # persistent state (containerd root, kubelet root, images)
R="${REALPODS_RUN:-/run/triton-jetson-realpods}"          # sockets, pids
NS=tjrp
HOST_IP=10.201.0.1
NODE_IP=10.201.0.2
NODE_NAME="${REALPODS_NODE_NAME:-jetson-real-0}"
CGROUP_ROOT=/tjrp
IN_NS=(nsenter "--net=/run/netns/$NS")

log() { echo "real-pods: $*"; }

launch() { # launch <name> <cmd...>: background, log to $S/logs/<name>.log, pid to $R/<name>.pid
  local name=$1; shift
  nohup "$@" >"$S/logs/$name.log" 2>&1 &
  echo $! >"$R/$name.pid"
}

wait_for() { # wait_for <what> <seconds> <cmd...>
  local what=$1 secs=$2; shift 2
  local t0; t0=$(date +%s)
  until "$@" >/dev/null 2>&1; do
    if [ $(( $(date +%s) - t0 )) -ge "$secs" ]; then log "timed out after ${secs}s waiting for $what"; return 1; fi
    sleep 1
  done
  log "$what ($(( $(date +%s) - t0 )) s)"
}

certs() {
  local d=$S/pki
  mkdir -p "$d"; cd "$d"
  local ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
  openssl req -x509 "${ec[@]}" -keyout ca.key -out ca.crt -days 2 -subj /CN=realpods-ca 2>/dev/null
  openssl req "${ec[@]}" -keyout apiserver.key -out apiserver.csr -subj /CN=kube-apiserver 2>/dev/null
  printf 'subjectAltName=IP:%s,IP:127.0.0.1,IP:10.96.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\nextendedKeyUsage=serverAuth\n' "$HOST_IP" >apiserver.ext
  openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out apiserver.crt -days 2 -extfile apiserver.ext 2>/dev/null
  # kube-apiserver's client certificate for the kubelet API (logs, exec).
  openssl req "${ec[@]}" -keyout kubelet-client.key -out kubelet-client.csr -subj "/O=system:masters/CN=kube-apiserver-kubelet-client" 2>/dev/null
  printf 'extendedKeyUsage=clientAuth\n' >client.ext
  openssl x509 -req -in kubelet-client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out kubelet-client.crt -days 2 -extfile client.ext 2>/dev/null
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out sa.key 2>/dev/null
  openssl pkey -in sa.key -pubout -out sa.pub 2>/dev/null
  local admin node proxy
  admin=$(openssl rand -hex 32); node=$(openssl rand -hex 32); proxy=$(openssl rand -hex 32)
  umask 077
  {
    echo "$admin,admin,admin-uid,\"system:masters\""
    echo "$node,system:node:$NODE_NAME,node-uid,\"system:nodes\""
    echo "$proxy,system:kube-proxy,proxy-uid,\"system:node-proxier\""
  } >tokens.csv
  kubeconfig "$admin" >"$S/admin.kubeconfig"
  kubeconfig "$node" >"$S/kubelet.kubeconfig"
  kubeconfig "$proxy" >"$S/kube-proxy.kubeconfig"
  umask 022
  cd - >/dev/null
}

kubeconfig() {
  cat <<KC
apiVersion: v1
kind: Config
clusters: [{name: realpods, cluster: {server: "https://$HOST_IP:6443", certificate-authority: "$S/pki/ca.crt"}}]
users: [{name: u, user: {token: "$1"}}]
contexts: [{name: realpods, context: {cluster: realpods, user: u, namespace: default}}]
current-context: realpods
KC
}

network() {
  ip netns add "$NS"
  ip -n "$NS" link set lo up
  ip link add rp0h type veth peer name rp0 netns "$NS"
  ip addr add "$HOST_IP/24" dev rp0h
  ip link set rp0h up
  ip -n "$NS" addr add "$NODE_IP/24" dev rp0
  ip -n "$NS" link set rp0 up
  ip -n "$NS" route add default via "$HOST_IP"
  # Pods (10.244.0.0/24, behind the node's bridge) reach servers on $HOST_IP (the harness's model
  # server) and get answers back through this route; it exists only while rp0h does.
  ip route add 10.244.0.0/24 via "$NODE_IP" dev rp0h
  # kube-proxy (iptables mode) needs bridged pod traffic to traverse iptables.
  "${IN_NS[@]}" sysctl -qw net.bridge.bridge-nf-call-iptables=1 || true
  "${IN_NS[@]}" sysctl -qw net.ipv4.ip_forward=1
  "${IN_NS[@]}" sysctl -qw net.ipv4.conf.all.route_localnet=1
}

containerd_up() {
  mkdir -p "$S/cni"
  cat >"$S/containerd.toml" <<TOML
version = 2
root = "$S/containerd"
state = "$R/containerd"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.devmapper"]
[grpc]
  address = "$R/containerd.sock"
[ttrpc]
  address = "$R/containerd.sock.ttrpc"
[debug]
  address = "$R/containerd-debug.sock"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:3.10"
  # This machine refuses negative oom_score_adj even to root (runc: "failed to update
  # /proc/self/oom_score_adj: Permission denied"): clamp the kubelet's values to containerd's own.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$R/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$S/cni"
TOML
  cat >"$S/cni/10-realpods.conflist" <<CNI
{"cniVersion":"0.4.0","name":"realpods","plugins":[
 {"type":"bridge","bridge":"cni0","isGateway":true,"ipMasq":false,"hairpinMode":true,
  "ipam":{"type":"host-local","ranges":[[{"subnet":"10.244.0.0/24","gateway":"10.244.0.1"}]],"routes":[{"dst":"0.0.0.0/0"}],"dataDir":"$S/cni-ipam"}},
 {"type":"portmap","capabilities":{"portMappings":true}},
 {"type":"loopback"}]}
CNI
  launch containerd "${IN_NS[@]}" containerd --config "$S/containerd.toml"
  wait_for "containerd" 30 ctr -a "$R/containerd.sock" version
  local img
  for img in "$S"/images/*.tar; do
    [ -e "$img" ] || continue
    ctr -a "$R/containerd.sock" -n k8s.io images import --no-unpack=false "$img" >/dev/null
  done
  log "images: $(ctr -a "$R/containerd.sock" -n k8s.io images ls -q | grep -v '^sha256:' | tr '\n' ' ')"
}

control_plane_up() {
  local etcd_url="http://$HOST_IP:2379"
  launch etcd "$CP_BIN/etcd" --name=realpods --data-dir="$S/etcd" \
    --listen-client-urls="$etcd_url" --advertise-client-urls="$etcd_url" \
    --listen-peer-urls="http://$HOST_IP:2380" --initial-advertise-peer-urls="http://$HOST_IP:2380" \
    --initial-cluster="realpods=http://$HOST_IP:2380" --unsafe-no-fsync --log-level=warn
  local p=$S/pki
  launch kube-apiserver "$CP_BIN/kube-apiserver" --etcd-servers="$etcd_url" \
    --bind-address="$HOST_IP" --advertise-address="$HOST_IP" --secure-port=6443 \
    --tls-cert-file="$p/apiserver.crt" --tls-private-key-file="$p/apiserver.key" --client-ca-file="$p/ca.crt" \
    --token-auth-file="$p/tokens.csv" --authorization-mode=Node,RBAC \
    --enable-admission-plugins=NodeRestriction \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$p/sa.pub" --service-account-signing-key-file="$p/sa.key" \
    --service-cluster-ip-range=10.96.0.0/16 --service-node-port-range=30000-32767 \
    --allow-privileged=true --profiling=false --kubelet-preferred-address-types=InternalIP \
    --kubelet-client-certificate="$p/kubelet-client.crt" --kubelet-client-key="$p/kubelet-client.key"
  wait_for "kube-apiserver /readyz" 120 "$CP_BIN/kubectl" --kubeconfig "$S/admin.kubeconfig" get --raw /readyz
  launch kube-controller-manager "$CP_BIN/kube-controller-manager" --kubeconfig="$S/admin.kubeconfig" \
    --bind-address="$HOST_IP" --secure-port=10257 --cert-dir="$S/kcm-certs" --leader-elect=false \
    --service-account-private-key-file="$p/sa.key" --root-ca-file="$p/ca.crt" \
    --use-service-account-credentials=false \
    --pvclaimbinder-sync-period=2s --profiling=false \
    --node-monitor-grace-period=60s
  launch kube-scheduler "$CP_BIN/kube-scheduler" --kubeconfig="$S/admin.kubeconfig" \
    --bind-address="$HOST_IP" --secure-port=10259 --cert-dir="$S/scheduler-certs" --leader-elect=false --profiling=false
  wait_for "default ServiceAccount" 120 "$CP_BIN/kubectl" --kubeconfig "$S/admin.kubeconfig" get sa default
}

node_up() {
  mkdir -p "$S/kubelet"
  # cgroup v1: kubelet's --cgroup-root must exist in every controller (cpuset needs cpus/mems).
  local ctl
  for ctl in /sys/fs/cgroup/*/; do
    case "$ctl" in */unified/) continue ;; esac
    mkdir -p "$ctl${CGROUP_ROOT#/}"
  done
  cat /sys/fs/cgroup/cpuset/cpuset.cpus >"/sys/fs/cgroup/cpuset${CGROUP_ROOT}/cpuset.cpus"
  cat /sys/fs/cgroup/cpuset/cpuset.mems >"/sys/fs/cgroup/cpuset${CGROUP_ROOT}/cpuset.mems"
  echo "nameserver 127.0.0.1" >"$S/resolv.conf"
  cat >"$S/kubelet.yaml" <<KY
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
healthzBindAddress: 127.0.0.1
readOnlyPort: 0
authentication: {anonymous: {enabled: false}, webhook: {enabled: false}, x509: {clientCAFile: "$S/pki/ca.crt"}}
authorization: {mode: AlwaysAllow}
cgroupDriver: cgroupfs
cgroupRoot: $CGROUP_ROOT
cgroupsPerQOS: true
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: unix://$R/containerd.sock
clusterDomain: cluster.local
clusterDNS: [10.96.0.10]
resolvConf: $S/resolv.conf
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: "1Mi", nodefs.available: "1%", imagefs.available: "1%", nodefs.inodesFree: "1%"}
serializeImagePulls: false
syncFrequency: 5s
fileCheckFrequency: 5s
nodeStatusUpdateFrequency: 5s
protectKernelDefaults: false
KY
  # kubernetes.io/arch cannot be faked on a real node: kubelet 1.34 resets it to its GOARCH (amd64)
  # on every status update (kubelet_node_status.go), so the DaemonSet's arm64 affinity is
  # substituted at apply time instead (test/real-pods/substitute.js). Jetson-like labels only:
  launch kubelet "${IN_NS[@]}" "$NODE_BIN/kubelet" --config="$S/kubelet.yaml" --kubeconfig="$S/kubelet.kubeconfig" \
    --root-dir="$S/kubelet" --cert-dir="$S/kubelet/pki" --hostname-override="$NODE_NAME" --node-ip="$NODE_IP" \
    --node-labels="triton-jetson.dev/real-node=true" --v=1
  wait_for "node $NODE_NAME Ready" 180 "$CP_BIN/kubectl" --kubeconfig "$S/admin.kubeconfig" wait --for=condition=Ready "node/$NODE_NAME" --timeout=1s
  cat >"$S/kube-proxy.yaml" <<KP
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clientConnection: {kubeconfig: "$S/kube-proxy.kubeconfig"}
bindAddress: $NODE_IP
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
clusterCIDR: 10.244.0.0/24
hostnameOverride: $NODE_NAME
nodePortAddresses: ["$NODE_IP/32"]
conntrack: {maxPerCore: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
KP
  launch kube-proxy "${IN_NS[@]}" "$NODE_BIN/kube-proxy" --config="$S/kube-proxy.yaml" --v=1
  wait_for "kube-proxy /healthz" 60 "${IN_NS[@]}" wget -q -O- http://127.0.0.1:10256/healthz
}

down() {
  set +eE; trap - ERR
  local n pid
  for n in kube-proxy kubelet kube-scheduler kube-controller-manager kube-apiserver etcd; do
    [ -f "$R/$n.pid" ] || continue
    pid=$(cat "$R/$n.pid"); kill "$pid" 2>/dev/null || true
  done
  sleep 1
  # Pods: note the network namespaces of this containerd's pod sandboxes (CRI makes them under
  # /run/netns/cni-*; only ours are removed), stop every container it runs, then containerd.
  local pod_netns=""
  if [ -S "$R/containerd.sock" ]; then
    local c
    for c in $(ctr -a "$R/containerd.sock" -n k8s.io containers ls -q 2>/dev/null); do
      pod_netns="$pod_netns $(ctr -a "$R/containerd.sock" -n k8s.io containers info "$c" 2>/dev/null | grep -o '/var/run/netns/cni-[0-9a-f-]*' | head -n 1)"
    done
    for c in $(ctr -a "$R/containerd.sock" -n k8s.io tasks ls -q 2>/dev/null); do
      ctr -a "$R/containerd.sock" -n k8s.io tasks kill -s KILL "$c" >/dev/null 2>&1 || true
    done
    sleep 1
  fi
  [ -f "$R/containerd.pid" ] && kill "$(cat "$R/containerd.pid")" 2>/dev/null || true
  for n in kube-proxy kubelet kube-scheduler kube-controller-manager kube-apiserver etcd containerd; do
    [ -f "$R/$n.pid" ] || continue
    pid=$(cat "$R/$n.pid")
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$R/$n.pid"
  done
  # Leftover shims (one per pod sandbox) belong to our containerd's namespace directory.
  for pid in $(pgrep -f "containerd-shim-runc-v2 .*-address $R/containerd.sock" || true); do kill -9 "$pid" 2>/dev/null || true; done
  # Mounts under our state dirs (kubelet volumes, overlay rootfs, netns handles).
  grep -E " ($S|$R)/" /proc/self/mounts | awk '{print $2}' | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  for n in $pod_netns; do ip netns del "$(basename "$n")" 2>/dev/null || true; done
  ip netns del "$NS" 2>/dev/null || true
  ip link del rp0h 2>/dev/null || true
  # cgroups under our root, deepest first.
  local ctl
  for ctl in /sys/fs/cgroup/*/; do
    [ -d "$ctl${CGROUP_ROOT#/}" ] && find "$ctl${CGROUP_ROOT#/}" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
  rm -rf "$R" "$S/etcd" "$S/kubelet" "$S/containerd" "$S/cni-ipam" "$S/pki" "$S"/*.kubeconfig "$S/pv" "$S/www" "$S/rollout"
  log "down"
}

case "${1:-}" in
  up)
    [ ! -e "/run/netns/$NS" ] || { log "netns $NS exists: run '$0 down' first"; exit 1; }
    for b in "$CP_BIN/etcd" "$CP_BIN/kube-apiserver" "$CP_BIN/kubectl" "$NODE_BIN/kubelet" "$NODE_BIN/kube-proxy"; do
      [ -x "$b" ] || { log "missing $b (bash scripts/real-pods-deps.sh)"; exit 1; }
    done
    rm -rf "$S/logs"; mkdir -p "$S/logs" "$R"
    t0=$(date +%s)
    trap 'log "up failed; logs in $S/logs; tearing down"; down' ERR
    certs; network; containerd_up; control_plane_up; node_up
    log "up in $(( $(date +%s) - t0 )) s: KUBECONFIG=$S/admin.kubeconfig, node $NODE_NAME at $NODE_IP"
    ;;
  down) down ;;
  env) echo "export KUBECONFIG=$S/admin.kubeconfig PATH=$CP_BIN:\$PATH" ;;
  *) echo "usage: $0 up|down|env" >&2; exit 2 ;;
esac
