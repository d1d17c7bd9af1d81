#!/bin/sh
# Seeds Triton's model repository on the shared claim (see docs/seeding.md).
#
# For each model of $SEED_SPEC/models.list that is not already published with its
# seed key, it downloads and unpacks the files into a staging folder on the same volume
# but outside the repository, verifies them, then publishes the whole model folder with
# one rename(2). Triton (polling the repository) only ever sees complete models; a
# failed or killed run leaves the repository as it was, and the next run completes it.
#
# models.list, one entry per line (space-separated; names and paths have no spaces):
#   model    <name> <seed key> <files key>
#   download <name> <index> <tar.gz|file> <sha256|-> <url>
#   file     <name> <index> <archive member|-> <path in the model folder>
# and $SEED_SPEC/<name>.config.pbtxt is the model's configuration.
#
# Needs only POSIX sh, mkdir, mv -T, rm, cp, ln, grep, chmod, touch, date, sed, hostname, id, tar -z,
# sha256sum, timeout, and curl or wget: busybox (Alpine) has them all.
set -eu
umask 022

root=${SEED_ROOT:-/models}
spec=${SEED_SPEC:-/etc/model-seed}
repo=$root/${SEED_REPOSITORY_SUBPATH:-repository}
staging=$root/${SEED_STAGING_SUBPATH:-.staging}
list=$spec/models.list
download_timeout=${SEED_DOWNLOAD_TIMEOUT:-900}
stale_seconds=${SEED_STALE_SECONDS:-3600}
manifest_name=.seed-manifest
started=$(date +%s)
host=$(hostname 2>/dev/null) || host=seed
# run.<start epoch>.<pod>.<pid>: unique per run; the epoch tells stale runs apart.
run=$staging/run.$started.$host.$$
run_created=
child=

log() {
  printf '%s model-seed: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2
}

die() {
  log "ERROR: $*"
  exit 1
}

# Removes this run's staging folder whatever the way out (error, TERM from the kubelet).
cleanup() {
  status=$?
  trap - EXIT
  if [ -n "$child" ]; then kill "$child" 2>/dev/null || :; fi
  if [ -n "$run_created" ]; then rm -rf "$run"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# Runs a command in the background and waits for it, so that a TERM is handled at once
# (a shell defers traps until its foreground command ends).
run_child() {
  "$@" &
  child=$!
  if wait "$child"; then
    child=
    return 0
  else
    status=$?
    child=
    return "$status"
  fi
}

fetch() {
  url=$1
  dest=$2
  if command -v curl >/dev/null 2>&1; then
    run_child timeout "$download_timeout" curl -fsSL --proto '=http,https' -o "$dest" "$url"
  else
    run_child timeout "$download_timeout" wget -q -O "$dest" "$url"
  fi
}

# True when model $1 is published with seed key $2 and every file its manifest lists.
is_current() {
  manifest=$repo/$1/$manifest_name
  [ -f "$manifest" ] || return 1
  first=
  IFS= read -r first <"$manifest" || :
  [ "$first" = "key $2" ] || return 1
  while read -r kind path; do
    if [ "$kind" = file ] && [ ! -f "$repo/$1/$path" ]; then return 1; fi
  done <"$manifest"
  return 0
}

# Removes staging runs older than $stale_seconds: their pods are gone (the Job's
# activeDeadlineSeconds bounds a run), while younger ones may belong to a live run.
clean_stale_runs() {
  [ -d "$staging" ] || return 0
  for old in "$staging"/run.*; do
    [ -e "$old" ] || continue
    old_started=${old##*/run.}
    old_started=${old_started%%.*}
    case $old_started in '' | *[!0-9]*) continue ;; esac
    if [ $((started - old_started)) -ge "$stale_seconds" ]; then
      log "removing stale staging folder ${old##*/}"
      rm -rf "$old"
    fi
  done
}

# Downloads download $2 of model $1 and puts its files into the staged model folder $3.
stage_download() {
  name=$1
  index=$2
  stage=$3
  archive=
  sum=
  url=
  while read -r kind model i a s u <&4; do
    if [ "$kind" = download ] && [ "$model" = "$name" ] && [ "$i" = "$index" ]; then
      archive=$a sum=$s url=$u
    fi
  done 4<"$list"
  [ -n "$url" ] || die "$list: no download $index for $name"

  dl=$run/download.$name.$index
  log "$name: downloading $url"
  fetch "$url" "$dl" || die "$name: download of $url failed (is the URL or seeding.mirror reachable from the cluster?)"
  [ -s "$dl" ] || die "$name: download of $url is empty"
  if [ "$sum" != - ]; then
    actual=$(sha256sum "$dl")
    actual=${actual%% *}
    [ "$actual" = "$sum" ] || die "$name: sha256 of $url is $actual, expected $sum; nothing published"
    log "$name: sha256 verified"
  fi

  case $archive in
    file)
      while read -r kind model i from to <&4; do
        if [ "$kind" = file ] && [ "$model" = "$name" ] && [ "$i" = "$index" ]; then
          if ! { mkdir -p "$(dirname "$stage/$to")" && mv -f "$dl" "$stage/$to"; }; then die "$name: cannot stage $to"; fi
        fi
      done 4<"$list"
      ;;
    tar.gz)
      unpacked=$run/unpacked.$name.$index
      mkdir -p "$unpacked" || die "cannot create $unpacked"
      set --
      while read -r kind model i from to <&4; do
        if [ "$kind" = file ] && [ "$model" = "$name" ] && [ "$i" = "$index" ]; then set -- "$@" "$from"; fi
      done 4<"$list"
      run_child tar -xzf "$dl" -C "$unpacked" "$@" || die "$name: cannot unpack $* from $url (truncated download or wrong member names?)"
      while read -r kind model i from to <&4; do
        if [ "$kind" = file ] && [ "$model" = "$name" ] && [ "$i" = "$index" ]; then
          [ -f "$unpacked/$from" ] || die "$name: $url has no file $from"
          if ! { mkdir -p "$(dirname "$stage/$to")" && mv -f "$unpacked/$from" "$stage/$to"; }; then die "$name: cannot stage $to"; fi
        fi
      done 4<"$list"
      rm -rf "$unpacked" "$dl"
      ;;
    *) die "$list: unknown archive type $archive for $name" ;;
  esac
}

# True when the published model $1 holds the files of files key $2 (only its config
# differs), so they can be reused instead of downloaded again.
has_files() {
  manifest=$repo/$1/$manifest_name
  [ -f "$manifest" ] || return 1
  grep -qx "files $2" "$manifest" || return 1
  while read -r kind path; do
    if [ "$kind" = file ] && [ ! -f "$repo/$1/$path" ]; then return 1; fi
  done <"$manifest"
  return 0
}

# Hard-links (or copies) the published files of model $1 into the staged folder $2.
reuse_files() {
  while read -r kind model i from to <&4; do
    if [ "$kind" = file ] && [ "$model" = "$1" ]; then
      mkdir -p "$(dirname "$2/$to")" || die "cannot create a folder in $2"
      ln "$repo/$1/$to" "$2/$to" 2>/dev/null || cp "$repo/$1/$to" "$2/$to" || die "$1: cannot reuse $to"
    fi
  done 4<"$list"
}

# Builds model $1 (seed key $2, files key $3) in staging, then renames it into the repository.
seed_model() {
  name=$1
  key=$2
  files_key=$3
  # This runs in a background subshell: pass a TERM on to the download in progress.
  trap '[ -z "$child" ] || kill "$child" 2>/dev/null; exit 143' TERM
  stage=$run/$name
  mkdir -p "$stage" || die "cannot create $stage"
  [ -f "$spec/$name.config.pbtxt" ] || die "$spec/$name.config.pbtxt is missing"
  cp "$spec/$name.config.pbtxt" "$stage/config.pbtxt" || die "$name: cannot stage config.pbtxt"

  if has_files "$name" "$files_key"; then
    log "$name: only config.pbtxt changed; reusing the published files"
    reuse_files "$name" "$stage"
  else
    indexes=
    while read -r kind model i rest <&4; do
      if [ "$kind" = download ] && [ "$model" = "$name" ] && [ -n "$rest" ]; then indexes="$indexes $i"; fi
    done 4<"$list"
    for index in $indexes; do
      stage_download "$name" "$index" "$stage"
    done
  fi

  {
    printf 'key %s\n' "$key"
    printf 'files %s\n' "$files_key"
    printf 'file config.pbtxt\n'
    while read -r kind model i from to <&4; do
      if [ "$kind" = file ] && [ "$model" = "$name" ]; then
        [ -f "$stage/$to" ] || die "$name: $to was not produced"
        printf 'file %s\n' "$to"
      fi
    done 4<"$list"
  } >"$stage/$manifest_name" || die "$name: cannot write its manifest"
  # Triton may run as another user (NFS root_squash maps root to nobody): world-readable.
  chmod -R a+rX "$stage" || die "$name: cannot make $stage readable"
  # Fresh mtimes, so Triton's poll sees a replaced model as modified.
  touch "$stage" "$stage/config.pbtxt" || die "$name: cannot touch $stage"

  final=$repo/$name
  if is_current "$name" "$key"; then
    log "$name: published meanwhile by another seeding run"
    return 0
  fi
  if [ -e "$final" ] || [ -L "$final" ]; then
    log "$name: replacing the outdated or incomplete published folder"
    mv -T "$final" "$run/replaced.$name" || die "$name: cannot move the old $final aside"
  fi
  if mv -T "$stage" "$final" 2>/dev/null; then
    log "$name: published"
  elif is_current "$name" "$key"; then
    log "$name: published meanwhile by another seeding run"
  else
    # Put the previous folder back rather than leave the model missing.
    if [ -e "$run/replaced.$name" ] && [ ! -e "$final" ]; then mv -T "$run/replaced.$name" "$final" || :; fi
    die "$name: cannot rename $stage to $final"
  fi
}

[ -d "$root" ] || die "the model volume is not mounted at $root"
[ -r "$list" ] || die "model list $list is missing"
for tool in tar sha256sum timeout; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is missing from the image"
done
if ! command -v curl >/dev/null 2>&1 && ! command -v wget >/dev/null 2>&1; then
  die "neither curl nor wget is in the image"
fi
mkdir -p "$repo" || die "cannot create $repo"
[ -w "$repo" ] || die "$repo is not writable by uid $(id -u); see docs/seeding.md (NFS root_squash)"

models=$(sed -n 's/^model \([^ ][^ ]*\) \([^ ][^ ]*\) \([^ ][^ ]*\)$/\1:\2:\3/p' "$list")
failed=
for entry in $models; do
  name=${entry%%:*}
  keys=${entry#*:}
  key=${keys%%:*}
  files_key=${keys#*:}
  if is_current "$name" "$key"; then
    log "$name: up to date"
    continue
  fi
  if [ -z "$run_created" ]; then
    mkdir -p "$staging" || die "cannot create $staging"
    clean_stale_runs
    mkdir "$run" || die "cannot create $run"
    run_created=1
  fi
  # A subshell per model: one model's failure leaves the others to be seeded.
  if run_child seed_model "$name" "$key" "$files_key"; then :; else
    failed="$failed $name"
  fi
done

if [ -n "$failed" ]; then
  die "not seeded:$failed (the Job retries; the previous state of these models is untouched)"
fi
log "repository $repo is complete"
