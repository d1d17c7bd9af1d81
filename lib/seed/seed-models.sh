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
#   inline   <name> <index> <path in the model folder>
# and $SEED_SPEC/<name>.config.pbtxt is the model's configuration, $SEED_SPEC/<name>.inline.<index>
# the content of an inline file (shipped in the ConfigMap, e.g. a label file).
#
# Downloads and archives are untrusted: a download larger than $SEED_MAX_DOWNLOAD_BYTES, an
# archive that unpacks to more than $SEED_MAX_EXTRACT_BYTES, or holding anything but regular
# files and folders (links, devices, FIFOs, absolute or ../ names) is refused before anything
# is unpacked; only the listed members are unpacked, each checked to be a regular file with
# one link before it is staged.
#
# Needs only POSIX sh (with ulimit -f), mkdir, mv -T, rm, cp, ln, grep, chmod, touch, date, sed,
# hostname, id, gzip, tar, stat, sha256sum, timeout, and curl or wget: busybox (Alpine) has them all.
set -eu
umask 022

root=${SEED_ROOT:-/models}
spec=${SEED_SPEC:-/etc/model-seed}
repo=$root/${SEED_REPOSITORY_SUBPATH:-repository}
staging=$root/${SEED_STAGING_SUBPATH:-.staging}
list=$spec/models.list
download_timeout=${SEED_DOWNLOAD_TIMEOUT:-900}
max_download=${SEED_MAX_DOWNLOAD_BYTES:-4294967296}
max_extract=${SEED_MAX_EXTRACT_BYTES:-4294967296}
stale_seconds=${SEED_STALE_SECONDS:-3600}
manifest_name=.seed-manifest
started=$(date +%s)
host=$(hostname 2>/dev/null) || host=seed
# run.<start epoch>.<pod>.<pid>: unique per run; the epoch tells stale runs apart. Inside
# it, each kind of file has its own folder, named by the model alone: run/stage/<model> (the
# model being built), run/replaced/<model> (its previous folder, moved aside), run/work/<model>/
# (downloads, unpacked archives). A model name holds no "/", so no model (not even one named
# "replaced.x") can land in another model's staging.
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

# Runs "$@" (replacing this subshell) with every regular file it writes capped a little
# above $1 bytes (ulimit -f counts 512-byte blocks; pipes and sockets are not affected): a
# write past the cap kills it with SIGXFSZ, and the caller sees a file larger than $1.
capped() {
  ulimit -f "$(($1 / 512 + 1))" || exit 1
  shift
  exec "$@"
}

fetch() {
  url=$1
  dest=$2
  if command -v curl >/dev/null 2>&1; then
    run_child capped "$max_download" timeout "$download_timeout" curl -fsSL --proto '=http,https' --proto-redir '=http,https' -o "$dest" "$url"
  else
    run_child capped "$max_download" timeout "$download_timeout" wget -q -O "$dest" "$url"
  fi
}

# Size of file $1 in bytes.
size_of() {
  stat -c %s "$1"
}

# True for a relative path of plain segments, as the catalog's schema allows (defence in
# depth: the list comes from a ConfigMap anyone with edit rights on the namespace can change).
safe_path() {
  case /$1/ in
    *//* | */./* | */../* | */[!A-Za-z0-9_]*) return 1 ;;
  esac
  case $1 in
    *[!A-Za-z0-9_.+=@,/-]*) return 1 ;;
  esac
  return 0
}

# Refuses (dies) unless the plain tar $2 of model $1 (from $3) holds only regular files and
# folders with relative names inside the archive: a link, device or FIFO member, or an
# absolute or ../ name is a hostile or broken archive. GNU tar lists a hard link with type
# "h" ("name link to target"), busybox tar as a regular file "name -> target"; both report
# "removing leading" on stderr when they strip "/" or "../" from a name.
check_members() {
  listing=$2.list
  tar -tvf "$2" >"$listing" 2>"$listing.err" || die "$1: $3 is not a valid tar.gz archive ($(head -n 1 "$listing.err"))"
  while IFS= read -r line; do
    case $line in
      -*' -> '* | h*) die "$1: refusing $3: member is a hard link: $line; only regular files are published, nothing published" ;;
      l*) die "$1: refusing $3: member is a symbolic link: $line; only regular files are published, nothing published" ;;
      -* | d*) ;;
      *) die "$1: refusing $3: member is not a regular file or folder (device, FIFO...): $line; nothing published" ;;
    esac
  done <"$listing"
  if grep -qi 'removing leading' "$listing.err"; then
    die "$1: refusing $3: a member has an absolute or ../ name ($(head -n 1 "$listing.err")); nothing published"
  fi
  tar -tf "$2" >"$listing" 2>/dev/null || die "$1: $3 is not a valid tar.gz archive"
  while IFS= read -r member; do
    case /$member/ in
      //* | */../*) die "$1: refusing $3: member $member has an absolute or ../ name; nothing published" ;;
    esac
  done <"$listing"
  rm -f "$listing" "$listing.err"
}

# True when model $1 is published with seed key $2 and every file its manifest lists, as
# a regular file (a file replaced by a symbolic link on the share gets the model re-seeded).
is_current() {
  manifest=$repo/$1/$manifest_name
  [ -f "$manifest" ] || return 1
  first=
  IFS= read -r first <"$manifest" || :
  [ "$first" = "key $2" ] || return 1
  while read -r kind path; do
    if [ "$kind" = file ] && { [ ! -f "$repo/$1/$path" ] || [ -L "$repo/$1/$path" ]; }; then return 1; fi
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

  dl=$run/work/$name/download.$index
  log "$name: downloading $url"
  fetched=0
  fetch "$url" "$dl" || fetched=$?
  if [ -f "$dl" ] && [ "$(size_of "$dl")" -gt "$max_download" ]; then
    die "$name: refusing $url: larger than $max_download bytes (SEED_MAX_DOWNLOAD_BYTES, seeding.maxDownloadBytes); nothing published"
  fi
  [ "$fetched" -eq 0 ] || die "$name: download of $url failed (is the URL or seeding.mirror reachable from the cluster?)"
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
          safe_path "$to" || die "$list: unsafe path \"$to\" for $name"
          if ! { mkdir -p "$(dirname "$stage/$to")" && mv -f "$dl" "$stage/$to"; }; then die "$name: cannot stage $to"; fi
        fi
      done 4<"$list"
      ;;
    tar.gz)
      # Unpacked once into a plain tar capped at $max_extract bytes: a gzip bomb stops there.
      plain=$run/work/$name/archive.$index.tar
      unpacked=$run/work/$name/unpacked.$index
      mkdir "$unpacked" || die "cannot create $unpacked"
      gunzipped=0
      run_child capped "$max_extract" gzip -dc "$dl" >"$plain" || gunzipped=$?
      if [ "$(size_of "$plain")" -gt "$max_extract" ]; then
        die "$name: refusing $url: unpacks to more than $max_extract bytes (SEED_MAX_EXTRACT_BYTES, seeding.maxExtractBytes); nothing published"
      fi
      [ "$gunzipped" -eq 0 ] || die "$name: $url is not a valid gzip file (truncated download?)"
      rm -f "$dl"
      check_members "$name" "$plain" "$url"
      set --
      while read -r kind model i from to <&4; do
        if [ "$kind" = file ] && [ "$model" = "$name" ] && [ "$i" = "$index" ]; then
          safe_path "$from" || die "$list: unsafe archive member \"$from\" for $name"
          set -- "$@" "$from"
        fi
      done 4<"$list"
      run_child capped "$max_extract" tar -xf "$plain" -C "$unpacked" -- "$@" || die "$name: cannot unpack $* from $url (truncated download or wrong member names?)"
      rm -f "$plain"
      total=0
      while read -r kind model i from to <&4; do
        if [ "$kind" = file ] && [ "$model" = "$name" ] && [ "$i" = "$index" ]; then
          member=$unpacked/$from
          if [ -L "$member" ] || [ ! -f "$member" ]; then die "$name: refusing $url: $from is not a regular file; nothing published"; fi
          [ "$(stat -c %h "$member")" -eq 1 ] || die "$name: refusing $url: $from is a hard link; nothing published"
          total=$((total + $(size_of "$member")))
          [ "$total" -le "$max_extract" ] || die "$name: refusing $url: its files hold more than $max_extract bytes (SEED_MAX_EXTRACT_BYTES); nothing published"
          safe_path "$to" || die "$list: unsafe path \"$to\" for $name"
          # Checked above as a regular file with one link: this chmod touches nothing else.
          chmod 0644 "$member" || die "$name: cannot make $from readable"
          if ! { mkdir -p "$(dirname "$stage/$to")" && mv -f "$member" "$stage/$to"; }; then die "$name: cannot stage $to"; fi
        fi
      done 4<"$list"
      rm -rf "$unpacked"
      ;;
    *) die "$list: unknown archive type $archive for $name" ;;
  esac
}

# Copies the inline files of model $1 (shipped in the ConfigMap) into the staged folder $2.
stage_inline() {
  while read -r kind model i to <&4; do
    if [ "$kind" = inline ] && [ "$model" = "$1" ]; then
      safe_path "$to" || die "$list: unsafe path \"$to\" for $1"
      [ -f "$spec/$1.inline.$i" ] || die "$spec/$1.inline.$i is missing"
      mkdir -p "$(dirname "$2/$to")" || die "cannot create a folder in $2"
      cp "$spec/$1.inline.$i" "$2/$to" || die "$1: cannot stage $to"
    fi
  done 4<"$list"
}

# True when the published model $1 holds the files of files key $2 (only its config
# differs), so they can be reused instead of downloaded again.
has_files() {
  manifest=$repo/$1/$manifest_name
  [ -f "$manifest" ] || return 1
  grep -qx "files $2" "$manifest" || return 1
  while read -r kind path; do
    if [ "$kind" = file ] && { [ ! -f "$repo/$1/$path" ] || [ -L "$repo/$1/$path" ]; }; then return 1; fi
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
  stage=$run/stage/$name
  aside=$run/replaced/$name
  mkdir -p "$run/stage" "$run/replaced" "$run/work/$name" || die "cannot create the staging folders in $run"
  mkdir "$stage" || die "cannot create $stage"
  [ -f "$spec/$name.config.pbtxt" ] || die "$spec/$name.config.pbtxt is missing"
  cp "$spec/$name.config.pbtxt" "$stage/config.pbtxt" || die "$name: cannot stage config.pbtxt"
  stage_inline "$name" "$stage"

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
      if [ "$kind" = inline ] && [ "$model" = "$name" ]; then to=$from; fi
      if { [ "$kind" = file ] || [ "$kind" = inline ]; } && [ "$model" = "$name" ]; then
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
    mv -T "$final" "$aside" || die "$name: cannot move the old $final aside"
  fi
  if mv -T "$stage" "$final" 2>/dev/null; then
    log "$name: published"
  elif is_current "$name" "$key"; then
    log "$name: published meanwhile by another seeding run"
  else
    # Put the previous folder back rather than leave the model missing.
    if [ -e "$aside" ] && [ ! -e "$final" ]; then mv -T "$aside" "$final" || :; fi
    die "$name: cannot rename $stage to $final"
  fi
}

[ -d "$root" ] || die "the model volume is not mounted at $root"
[ -r "$list" ] || die "model list $list is missing"
for tool in tar gzip stat head sha256sum timeout; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is missing from the image"
done
for cap in "$max_download" "$max_extract"; do
  case $cap in '' | *[!0-9]*) die "SEED_MAX_DOWNLOAD_BYTES and SEED_MAX_EXTRACT_BYTES must be byte counts, got \"$cap\"" ;; esac
done
(ulimit -f 1) 2>/dev/null || die "this shell cannot cap file sizes (ulimit -f); use an image whose /bin/sh is busybox or dash"
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
  case $name in
    '' | config.pbtxt | [!A-Za-z0-9_]* | *[!A-Za-z0-9_.-]*) die "$list: unsafe model name \"$name\"" ;;
  esac
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
