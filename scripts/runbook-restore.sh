#!/usr/bin/env bash
# Restore a share, or a file or directory in it, from Azure Backup (docs/restore.md).
#
# usage: scripts/runbook-restore.sh points STACK VOLUME [--dry-run]
#        scripts/runbook-restore.sh restore STACK VOLUME RECOVERY_POINT [PATH] [--directory] [--dry-run]
#   points   the share's recovery points, newest first;
#   restore  the whole share (no PATH), or the file (or, with --directory, the directory) at
#            PATH, in place, overwriting what the point holds (newer files stay). The share's
#            writers are stopped first (kubectl), and so is everything that mounts a team's
#            read-only copy of it (teams.members[].sharedVolumes), which would otherwise read
#            a share half restored; then the restore job is followed to its end.
#
# The teams' copies need no re-bind: each is a PV of its own whose volume handle and
# shareName name this same share (components/volume.py, read_only), and the restore writes
# back into that share (OriginalLocation), so every copy sees the restored files once its
# readers start again. The runbook names them at the end.
# env:   PYTHON (default .venv/bin/python); az (Backup Operator on the vault or more),
#        kubectl (the stack's cluster)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/runbook-lib.sh
source scripts/runbook-lib.sh

usage="usage: scripts/runbook-restore.sh points STACK VOLUME | restore STACK VOLUME RECOVERY_POINT [PATH] [--directory] [--dry-run]"
args=() kind=File
for arg in "$@"; do
  case $arg in
    --dry-run) DRY_RUN=1 ;;
    --directory) kind=Directory ;;
    -*) echo "$usage" >&2; exit 2 ;;
    *) args+=("$arg") ;;
  esac
done
((${#args[@]} >= 3)) || { echo "$usage" >&2; exit 2; }
action=${args[0]} stack=${args[1]} volume=${args[2]}
case $action:${#args[@]} in
  points:3 | restore:4 | restore:5) ;;
  *) echo "$usage" >&2; exit 2 ;;
esac
rg=$(stack_value "$stack" resourceGroupName)
account=$(stack_value "$stack" storageAccountName)
namespace=$("$PYTHON" scripts/stack_facts.py volumes "$stack" | awk -v v="$volume" '$1 == v { print $2 }')
[[ -n $namespace ]] || { echo "$SCRIPT: stacks/Pulumi.$stack.yaml: volumes: no volume named '$volume'" >&2; exit 2; }
found=$(team_copies "$stack" "$volume" "$namespace") || exit 2
mapfile -t copies <<<"$found"
vault=$(backup_vault "$account")
container=$(backup_container "$rg" "$account")
backup=(--backup-management-type AzureStorage --workload-type AzureFileShare)

step "find the backup item of $volume"
item=""
# Azure Backup names the item after an internal name, not the share (docs/restore.md).
query item az backup item list -g "$rg" -v "$vault" "${backup[@]}" \
  --query "[?properties.friendlyName=='$volume'].name | [0]" -o tsv
((DRY_RUN)) || [[ -n $item ]] || die "step '$STEP' failed: $vault protects no share named $volume"

if [[ $action == points ]]; then
  run az backup recoverypoint list -g "$rg" -v "$vault" -c "$container" -i "$item" "${backup[@]}" \
    --query "reverse(sort_by([], &properties.recoveryPointTime))[].{rp:name, time:properties.recoveryPointTime}" \
    -o table
  exit 0
fi

point=${args[3]} path=${args[4]:-}
step "stop the writers of $namespace/$volume"
stop_writers "$namespace" "$volume"
for team in "${copies[@]}"; do
  [[ -n $team ]] || continue
  step "stop the readers of $team/$volume (read-only copy)"
  stop_users "$team" "$volume"
done

step "restore"
job=""
target=(--rp-name "$point" --restore-mode OriginalLocation --resolve-conflict Overwrite)
if [[ -n $path ]]; then
  query job az backup restore restore-azurefiles -g "$rg" -v "$vault" -c "$container" -i "$item" \
    "${target[@]}" --source-file-type "$kind" --source-file-path "$path" --query name -o tsv
else
  query job az backup restore restore-azurefileshare -g "$rg" -v "$vault" -c "$container" \
    -i "$item" "${target[@]}" --query name -o tsv
fi

step "follow the restore job"
status=""
run az backup job wait -g "$rg" -v "$vault" -n "$job"
query status az backup job show -g "$rg" -v "$vault" -n "$job" --query properties.status -o tsv
((DRY_RUN)) || [[ $status == Completed ]] || die "step '$STEP' failed: restore job $job ended $status"
echo "$SCRIPT: restored; resume the writers (kubectl patch ... suspend:false, or the next deploy)"
for team in "${copies[@]}"; do
  [[ -n $team ]] || continue
  echo "$SCRIPT: $team/$volume, team $team's read-only copy of the same share, sees the restored data (no re-bind); resume its readers the same way"
done
