#!/usr/bin/env bash
# Does the repository stand on its own? Clones the current commit (HEAD) into a new folder
# whose path contains a space, with nothing beside it (no sibling folders), and runs the README's two
# commands there:
#
#   npm ci && npm run synth      then checks that dist/ is unchanged (git status --porcelain dist)
#   npx triton-jetson --help     the CLI's first run (it builds its cached bundle), then a warm one
#   the tests                    --unit (default): npx jest test/lib main.test.ts
#                                --full: npm run test:all (the README's command; installs the
#                                integration prerequisites, needs root and Go)
#
# then removes the folder (--keep leaves it). Prints the wall time of each command. It checks
# the committed HEAD, not uncommitted changes (it says so when there are any).
#
# Usage: bash scripts/fresh-clone-check.sh [--unit|--full] [--keep]
# Environment: TMPDIR (where the clone goes, default /tmp), npm_config_cache (point it at an
# empty folder to measure a cold npm cache).
set -euo pipefail

mode=unit
keep=false
for arg in "$@"; do
  case "$arg" in
    --unit) mode=unit ;;
    --full) mode=full ;;
    --keep) keep=true ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "fresh-clone-check: unknown argument $arg (try --help)" >&2; exit 2 ;;
  esac
done

repo="$(cd "$(dirname "$0")/.." && git rev-parse --show-toplevel)"
head="$(git -C "$repo" rev-parse HEAD)"
if [ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ]; then
  echo "fresh-clone-check: note: uncommitted changes in $repo are not part of the check (it clones HEAD $head)"
fi

parent="$(mktemp -d "${TMPDIR:-/tmp}/fresh clone.XXXXXX")"
dir="$parent/cdk8s triton jetson"
started=$(date +%s)
step="clone"
finish() {
  local rc=$?
  if [ "$keep" = true ]; then
    echo "fresh-clone-check: kept $dir"
  else
    rm -rf "$parent"
  fi
  if [ "$rc" -eq 0 ]; then
    echo "fresh-clone-check: passed ($mode) in $(( $(date +%s) - started )) s"
  else
    echo "fresh-clone-check: failed at $step (exit $rc) in $(( $(date +%s) - started )) s"
  fi
}
trap finish EXIT

echo "fresh-clone-check: cloning $head into \"$dir\""
git clone --quiet --no-checkout "$repo" "$dir"
git -C "$dir" checkout --quiet --detach "$head"
[ ! -e "$parent/shared" ] || { echo "fresh-clone-check: $parent/shared exists" >&2; exit 1; }

# Nothing may read from a folder beside the clone (the project once read ../<shared>/).
sibling='\.\./'"shared"
step="git grep $sibling"
if git -C "$dir" grep -n "$sibling"; then
  echo "fresh-clone-check: the files above refer to a folder beside the repository, which a clone does not have" >&2
  exit 1
fi

cd "$dir"
step="npm ci && npm run synth"
t0=$(date +%s)
bash -c 'npm ci --no-audit --no-fund && npm run synth'
synth_seconds=$(( $(date +%s) - t0 ))

step="dist/ unchanged"
if [ -n "$(git status --porcelain dist)" ]; then
  git status --porcelain dist >&2
  echo "fresh-clone-check: npm run synth changed dist/ in a fresh clone" >&2
  exit 1
fi
# The CLI's first run after npm ci builds the launcher's bundle (issue 23.1: at most 5 s).
step="npx triton-jetson --help (first run)"
ms() { echo $(( $(date +%s%N) / 1000000 )); }
t0=$(ms)
npx --no-install triton-jetson --help >/dev/null
first_cli_ms=$(( $(ms) - t0 ))
step="npx triton-jetson --help (warm)"
t0=$(ms)
npx --no-install triton-jetson --help >/dev/null
warm_cli_ms=$(( $(ms) - t0 ))
echo "fresh-clone-check: first 'npx triton-jetson --help' after npm ci took ${first_cli_ms} ms (the next one ${warm_cli_ms} ms; npm's start-up included)"

untracked="$(git status --porcelain --ignored=no | grep -v '^?? node_modules/' || true)"
[ -z "$untracked" ] || echo "fresh-clone-check: note: files the two commands left in the clone: $untracked"

if [ "$mode" = full ]; then
  step="npm run test:all"
  t0=$(date +%s)
  npm run test:all
else
  step="npx jest test/lib main.test.ts"
  t0=$(date +%s)
  npx jest --ci test/lib main.test.ts
fi
test_seconds=$(( $(date +%s) - t0 ))
echo "fresh-clone-check: 'npm ci && npm run synth' took ${synth_seconds} s; the first 'npx triton-jetson --help' ${first_cli_ms} ms; '$step' took ${test_seconds} s"
