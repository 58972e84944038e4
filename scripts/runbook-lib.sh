#!/usr/bin/env bash
# Sourced by scripts/day0.sh and the runbooks (scripts/runbook-*.sh): every command they run
# goes through `run` (it changes something), `query` (it reads a value) or `check` (a
# prerequisite), so that
#   - each is printed before it runs (`+ cmd args`, SAS tokens redacted), and --dry-run
#     prints them all and runs none;
#   - a failing one stops the script with one line naming its step (`STEP` from `step`).
# Secrets are never arguments: they travel in the environment (PULUMI_CONFIG_PASSPHRASE) or
# in SAS query strings, which `show` redacts.

DRY_RUN=${DRY_RUN:-0}
STEP=""
SCRIPT=$(basename "$0" .sh)

die() {
  echo "$SCRIPT: $*" >&2
  exit 1
}

step() {
  STEP=$1
  echo "== $STEP"
}

# One argument, shell-quoted, with a SAS (a `sig=` query string) replaced by <sas>.
_quoted() {
  local arg=$1
  if [[ $arg == *\?*sig=* ]]; then
    arg="${arg%%\?*}?<sas>"
  fi
  if [[ $arg =~ ^[A-Za-z0-9_./:=@%+,-]+$ ]]; then
    printf ' %s' "$arg"
  else
    printf " '%s'" "${arg//\'/\'\\\'\'}"
  fi
}

show() {
  printf '+'
  local arg
  for arg in "$@"; do _quoted "$arg"; done
  printf '\n'
}

# The program a command line runs: past `env` and its NAME=value assignments.
_program() {
  local arg
  for arg in "$@"; do
    [[ $arg == env || $arg =~ ^[A-Z_]+= ]] || { echo "${arg##*/}"; return; }
  done
}

# run CMD ARGS...: a command that changes something.
run() {
  show "$@"
  ((DRY_RUN)) && return 0
  local rc=0
  "$@" || rc=$?
  ((rc == 0)) || die "step '$STEP' failed: $(_program "$@") exited $rc"
}

# query VAR CMD ARGS...: VAR := the command's stdout (trailing newline removed). Under
# --dry-run VAR is the placeholder <VAR>.
query() {
  local var=$1
  shift
  show "$@"
  if ((DRY_RUN)); then
    printf -v "$var" '<%s>' "$var"
    return 0
  fi
  local out rc=0
  out=$("$@") || rc=$?
  ((rc == 0)) || die "step '$STEP' failed: $(_program "$@") exited $rc"
  printf -v "$var" '%s' "$out"
}

# check 'WHAT IS MISSING' EXPECTED CMD ARGS...: the command must succeed and, unless
# EXPECTED is empty, print exactly EXPECTED; otherwise stop with one line naming WHAT.
check() {
  local missing=$1 expected=$2
  shift 2
  show "$@"
  ((DRY_RUN)) && return 0
  local out
  if ! out=$("$@" 2>/dev/null) || [[ -n $expected && $out != "$expected" ]]; then
    die "missing prerequisite: $missing"
  fi
}

# need TOOL 'HOW TO GET IT': the tool is on PATH.
need() {
  ((DRY_RUN)) && return 0
  command -v "$1" >/dev/null || die "missing prerequisite: $1 is not on PATH ($2)"
}

PYTHON=${PYTHON:-.venv/bin/python}

# filter VAR SUBCOMMAND ARGS... <<<JSON: VAR := scripts/runbook_data.py's lines (local, not
# printed); under --dry-run the placeholder <VAR>.
filter() {
  local var=$1
  shift
  if ((DRY_RUN)); then
    printf -v "$var" '<%s>' "$var"
    return 0
  fi
  local out
  out=$("$PYTHON" scripts/runbook_data.py "$@") || die "step '$STEP' failed: cannot read the JSON ($*)"
  printf -v "$var" '%s' "$out"
}

# stop_writers NAMESPACE CLAIM: every Job writing the claim suspended (its pods end), every
# Deployment or StatefulSet writing it scaled to zero, then wait for the claim's pods to go.
# With kubectl, at once: a config change would take a PR through all three stages.
stop_writers() {
  local namespace=$1 claim=$2 objects="" writers="" pods="" writer pod
  query objects kubectl -n "$namespace" get jobs,deployments,statefulsets -o json
  filter writers writers "$claim" <<<"$objects"
  while read -r writer; do
    [[ -n $writer ]] || continue
    case $writer in
      job/*) run kubectl -n "$namespace" patch "$writer" --type=merge -p '{"spec":{"suspend":true}}' ;;
      *) run kubectl -n "$namespace" scale "$writer" --replicas=0 ;;
    esac
  done <<<"$writers"
  query pods kubectl -n "$namespace" get pods -o json
  filter pods pods "$claim" <<<"$pods"
  while read -r pod; do
    [[ -n $pod ]] || continue
    run kubectl -n "$namespace" wait --for=delete "pod/$pod" --timeout=15m
  done <<<"$pods"
}
