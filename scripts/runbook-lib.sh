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

# parse_args USAGE COUNT "$@": the words into the array `args` and --dry-run into DRY_RUN; any
# other flag, or not exactly COUNT words, prints USAGE and exits 2.
parse_args() {
  local usage=$1 count=$2 arg
  shift 2
  args=()
  for arg in "$@"; do
    case $arg in
      --dry-run) DRY_RUN=1 ;;
      -*) echo "$usage" >&2; exit 2 ;;
      *) args+=("$arg") ;;
    esac
  done
  ((${#args[@]} == count)) || { echo "$usage" >&2; exit 2; }
}

# stop_writers NAMESPACE CLAIM: every Job writing the claim suspended (its pods end), every
# Deployment or StatefulSet writing it scaled to zero, then wait for the pods that write it to
# go; what only reads it (readOnly) keeps running. With kubectl, at once: a config change would
# take a PR through all three stages.
stop_writers() { _stop_mounts "$1" "$2" writers writer-pods; }

# stop_users NAMESPACE CLAIM: the same for everything that mounts the claim, reading or
# writing (a team's read-only copy, whose PV is csi.readOnly: every user only reads).
stop_users() { _stop_mounts "$1" "$2" users pods; }

_stop_mounts() {
  local namespace=$1 claim=$2 which=$3 which_pods=$4 objects="" found="" pods="" object pod
  query objects kubectl -n "$namespace" get jobs,deployments,statefulsets -o json
  filter found "$which" "$claim" <<<"$objects"
  while read -r object; do
    [[ -n $object ]] || continue
    case $object in
      job/*) run kubectl -n "$namespace" patch "$object" --type=merge -p '{"spec":{"suspend":true}}' ;;
      *) run kubectl -n "$namespace" scale "$object" --replicas=0 ;;
    esac
  done <<<"$found"
  query pods kubectl -n "$namespace" get pods -o json
  filter pods "$which_pods" "$claim" <<<"$pods"
  while read -r pod; do
    [[ -n $pod ]] || continue
    run kubectl -n "$namespace" wait --for=delete "pod/$pod" --timeout=15m
  done <<<"$pods"
}

# team_copies STACK VOLUME NAMESPACE: the namespaces of the teams' read-only copies of VOLUME
# (teams.members[].sharedVolumes: a claim named VOLUME in the team's namespace, on a PV of its
# own that names the same share), one per line; exit 2 with stack_facts' line on a bad file.
team_copies() {
  local claims
  claims=$("$PYTHON" scripts/stack_facts.py claims "$1") || exit 2
  awk -v v="$2" -v ns="$3" '$1 == v && $2 != ns { print $2 }' <<<"$claims"
}

# stack_value STACK KEY: a stack setting (scripts/stack_facts.py); exit 2 with its line if unset.
stack_value() {
  "$PYTHON" scripts/stack_facts.py get "$1" "$2" || exit 2
}

# Azure Backup's names for a registered storage account (docs/restore.md): the vault the
# program names after the account (components/backup.py) and the protection container.
backup_vault() { echo "rsv-$1"; }
backup_container() { echo "StorageContainer;Storage;$1;$2"; }

# retire_backup RG ACCOUNT: stop protecting the account's shares (deleting their backups),
# unregister it, and remove the AzureBackupProtectionLock Azure Backup puts on it. Immutability
# is disabled first: an immutable vault refuses to stop protection with deletion of data
# (learn.microsoft.com/azure/backup/backup-azure-immutable-vault-concept; a Locked vault
# cannot be disabled, and the update then fails naming this step).
retire_backup() {
  local rg=$1 account=$2 items="" item vault container
  vault=$(backup_vault "$account")
  container=$(backup_container "$rg" "$account")
  run az backup vault update -g "$rg" -n "$vault" --immutability-state Disabled
  query items az backup item list -g "$rg" -v "$vault" --backup-management-type AzureStorage \
    --workload-type AzureFileShare --query "[].name" -o tsv
  while read -r item; do
    [[ -n $item ]] || continue
    run az backup protection disable -g "$rg" -v "$vault" -c "$container" -i "$item" \
      --backup-management-type AzureStorage --workload-type AzureFileShare \
      --delete-backup-data true --yes
  done <<<"$items"
  run az backup container unregister -g "$rg" -v "$vault" -c "$container" \
    --backup-management-type AzureStorage --yes
  delete_lock "$rg" "$account" AzureBackupProtectionLock
}

# delete_lock RG ACCOUNT LOCK: delete the account's lock LOCK if it is there.
delete_lock() {
  local rg=$1 account=$2 lock=$3 locks=""
  query locks az lock list -g "$rg" --resource-name "$account" \
    --resource-type Microsoft.Storage/storageAccounts --query "[].name" -o tsv
  if ((DRY_RUN)) || grep -qx -- "$lock" <<<"$locks"; then
    run az lock delete -g "$rg" -n "$lock" --resource-name "$account" \
      --resource-type Microsoft.Storage/storageAccounts
  fi
}
