#!/usr/bin/env bash
# Tear down one environment, in an order that never deploys a config a mandatory policy fails.
#
# usage: scripts/runbook-teardown.sh STACK --confirm STACK [--dry-run]
#
# Lowering protectData/lockStorage and deploying (the old procedure) fails four mandatory
# policies of staging and prod. So nothing is deployed: the policy pack judges what a deploy
# leaves, and this leaves nothing. In order:
#   1. with backup.enabled: the vault's immutability disabled, every share's protection
#      stopped with its backups deleted, the account unregistered and Azure Backup's
#      AzureBackupProtectionLock deleted (no stack declares it, so no destroy removes it);
#   2. `pulumi state unprotect --all` (protect lives in the state; no deploy needed);
#   3. `pulumi destroy --refresh` (the refresh drops what step 1 removed); retainOnDelete
#      resources (account, shares, vault) stay in Azure, the program's lock goes;
#   4. the storage account deleted. The vault keeps the deleted backups in soft delete for
#      14 days and can be deleted only after (printed).
# The resource group is bootstrap's and stays. env: PYTHON; az, pulumi (operators group).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/runbook-lib.sh
source scripts/runbook-lib.sh

usage="usage: scripts/runbook-teardown.sh STACK --confirm STACK [--dry-run]"
args=() confirm=""
while (($#)); do
  case $1 in
    --dry-run) DRY_RUN=1; shift ;;
    --confirm) confirm=${2:-}; shift $(($# >= 2 ? 2 : 1)) ;;
    -*) echo "$usage" >&2; exit 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
((${#args[@]} == 1)) || { echo "$usage" >&2; exit 2; }
stack=${args[0]}
[[ $confirm == "$stack" ]] || { echo "$SCRIPT: --confirm $stack is required: this deletes $stack and its data" >&2; exit 2; }
rg=$(stack_value "$stack" resourceGroupName)
account=$(stack_value "$stack" storageAccountName)
backup=$(stack_value "$stack" backup)
backup_enabled=$("$PYTHON" -c 'import json, sys; print(str(json.loads(sys.argv[1]).get("enabled", True)).lower())' "$backup")

if [[ $backup_enabled == true ]]; then
  step "stop backup"
  retire_backup "$rg" "$account"
fi

step "lift protection in the state"
run pulumi state unprotect --all --stack "$stack" --yes

step "destroy"
run pulumi destroy --stack "$stack" --refresh --yes

step "delete the retained storage account"
left=""
query left az storage account list -g "$rg" --query "[?name=='$account'].name" -o tsv
if ((DRY_RUN)) || [[ -n $left ]]; then
  run az storage account delete -g "$rg" -n "$account" --yes
fi
if [[ $backup_enabled == true ]]; then
  echo "$SCRIPT: after 14 days (backup soft delete): az backup vault delete -g $rg -n $(backup_vault "$account") --yes"
fi
