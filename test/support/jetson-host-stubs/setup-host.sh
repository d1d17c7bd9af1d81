#!/bin/sh
# Runs as the first process of one fake Jetson host, inside its own mount and UTS
# namespaces (started by jetson-hosts.ts through `unshare --mount --uts`), then becomes
# its sshd. Everything it mounts is private to the namespace: the machine's own /etc,
# /var, /root, /home, /usr/local/bin, /run and /tmp are never written.
#   $1  the host's folder (state/, etc/ + etc-work/ and var/ + var-work/ overlay layers,
#       root/, home/, bin/, tmp/), prepared by jetson-hosts.ts
#   $2  the fixture-wide shared folder (registry/), seen by every host
#   $3  the fixture's copy of these stubs, mounted read-only at /run/jetson-host-stubs
#       (JH_STUBS): the hosts never read the checkout, which may live under a folder
#       mounted over below (/tmp, /root, /home, /run)
set -eu
host_dir=$1
shared_dir=$2
stubs_dir=$3
name=$(cat "$host_dir/state/hostname")

mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /run/sshd /run/jetson-host /run/jetson-fixture /run/jetson-host-stubs
mount --bind "$host_dir/state" /run/jetson-host
mount --bind "$shared_dir" /run/jetson-fixture
mount --bind "$stubs_dir" /run/jetson-host-stubs
mount -o remount,bind,ro /run/jetson-host-stubs
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$host_dir/etc,workdir=$host_dir/etc-work" /etc
mount -t overlay overlay -o "lowerdir=/var,upperdir=$host_dir/var,workdir=$host_dir/var-work" /var
mount --bind "$host_dir/root" /root
mount --bind "$host_dir/home" /home
mount --bind "$host_dir/bin" /usr/local/bin
if [ -f "$host_dir/state/proc-cgroups" ]; then
  mount --bind "$host_dir/state/proc-cgroups" /proc/cgroups
fi
if [ -f "$host_dir/state/meminfo" ]; then
  mount --bind "$host_dir/state/meminfo" /proc/meminfo
fi
if [ -f "$host_dir/state/no-memory-cgroup" ]; then
  # Like a kernel booted with cgroup_disable=memory: the other v1 hierarchies exist
  # (as empty folders here), memory does not.
  controllers=$(ls /sys/fs/cgroup)
  mount -t tmpfs -o mode=755 tmpfs /sys/fs/cgroup
  for controller in $controllers; do
    [ "$controller" = memory ] || mkdir -p "/sys/fs/cgroup/$controller"
  done
fi
# Last: hides the fixture's own folder under /tmp from the host's processes.
mount --bind "$host_dir/tmp" /tmp
hostname "$name"
exec /usr/sbin/sshd -D -e -f /run/jetson-host/sshd_config
