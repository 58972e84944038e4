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
