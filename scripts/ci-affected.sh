#!/usr/bin/env bash
# Which stacks a CI run works on, as a validated JSON list (one line on stdout).
#
# usage: ci-affected.sh --head REF [--base REF]... [--require-ancestor] [--only STACK|all]
#   --base REF          candidate bases, best first; the first usable one is diffed against
#                       --head with `infra affected`. Empty and all-zero refs (a new branch's
#                       "before") are skipped, as are refs missing from the clone.
#   --require-ancestor  a usable base must also be an ancestor of --head (deploys: after a
#                       force push the old "before" is not, and diffing it would be wrong)
#   --only STACK|all    no diff: every existing stack, or just STACK (must exist)
#   --with-removed      also list stacks whose file the change deletes (pull requests only:
#                       their diff says the resources stay; a deploy must never get them)
# No usable base: every existing stack (fail safe).
# env: INFRA (default .venv/bin/infra), PYTHON (default .venv/bin/python)
set -euo pipefail

infra=${INFRA:-.venv/bin/infra}
python=${PYTHON:-.venv/bin/python}
head=''
only=''
require_ancestor=false
affected_flags=()
bases=()
while (($#)); do
  case $1 in
    --head) head=${2:?--head needs a value}; shift 2 ;;
    --base) bases+=("${2-}"); shift 2 ;;
    --only) only=${2:?--only needs a value}; shift 2 ;;
    --require-ancestor) require_ancestor=true; shift ;;
    --with-removed) affected_flags+=(--with-removed); shift ;;
    *) echo "ci-affected: unknown argument: $1" >&2; exit 2 ;;
  esac
done

validate() {
  # `infra affected --json` ({"version": 1, "stacks": [...]}): its list of valid stack names,
  # printed compactly; anything else is an error.
  jq --compact-output --exit-status \
    'if type == "object" and .version == 1 and (.stacks | type == "array")
        and all(.stacks[]; type == "string" and test("^[A-Za-z0-9][A-Za-z0-9_.-]*$"))
     then .stacks else error("not infra affected --json output") end'
}

all_stacks() {
  "$python" -m infra affected --all --json | validate
}

if [[ -n $only ]]; then
  if [[ $only == all ]]; then
    all_stacks
  else
    all_stacks | jq --compact-output --exit-status --arg s "$only" \
      'if index([$s]) then [$s] else error("no such stack: " + $s) end'
  fi
  exit 0
fi

[[ -n $head ]] || { echo "ci-affected: --head is required" >&2; exit 2; }
for base in "${bases[@]}"; do
  if [[ -z $base || $base =~ ^0+$ ]]; then
    continue
  fi
  if ! git rev-parse --verify --quiet "$base^{commit}" >/dev/null; then
    echo "ci-affected: base $base is not in the clone; trying the next one" >&2
    continue
  fi
  if $require_ancestor && ! git merge-base --is-ancestor "$base" "$head"; then
    echo "ci-affected: base $base is not an ancestor of $head; trying the next one" >&2
    continue
  fi
  echo "ci-affected: stacks changed between $base and $head" >&2
  "$infra" affected --base "$base" --head "$head" --json "${affected_flags[@]}" | validate
  exit 0
done
echo "ci-affected: no usable base: every stack" >&2
all_stacks
