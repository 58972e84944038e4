#!/usr/bin/env bash
# Move a stack's shares to a storage account of another billing model (docs/migrate-billing-model.md).
#
# usage: scripts/runbook-migrate-billing-model.sh PHASE STACK OLD_ACCOUNT [--dry-run]
#   prepare  after the PR (new fileBillingModel and storageAccountName) has its acknowledging
#            review, before it merges: stop what mounts the claims, unprotect every
#            protected resource the new account replaces (account, file service, shares, PVs,
#            claims, and the backup vault, policy, container and protected items), release the
#            claims (the volumes' and the teams' read-only copies);
#   copy     after the deploy created the new account: copy every share server to server
#            with AzCopy and short-lived SAS tokens (never printed), then compare usage. Run it
#            where both accounts' private endpoints are reachable (the runner's VNet): the
#            program refuses allowedIpRanges while the private endpoint is on;
#   retire   after a full training cycle on the new shares: stop the old account's backup
#            (its backups deleted), unregister it, delete the AzureBackupProtectionLock and
#            the program's <account>-cannot-delete lock, delete the old account.
# env:   PYTHON (default .venv/bin/python); az, pulumi (logged in to the backend, a member
#        of the operators group), kubectl (the stack's cluster), azcopy.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/runbook-lib.sh
source scripts/runbook-lib.sh

usage="usage: scripts/runbook-migrate-billing-model.sh prepare|copy|retire STACK OLD_ACCOUNT [--dry-run]"
parse_args "$usage" 3 "$@"
phase=${args[0]} stack=${args[1]} old=${args[2]}
[[ $phase =~ ^(prepare|copy|retire)$ ]] || { echo "$usage" >&2; exit 2; }
[[ $old =~ ^[a-z0-9]{3,24}$ ]] || { echo "$SCRIPT: OLD_ACCOUNT: 3-24 lowercase letters and digits" >&2; exit 2; }
rg=$(stack_value "$stack" resourceGroupName)
new=$(stack_value "$stack" storageAccountName)
protocol=$(stack_value "$stack" fileProtocol)
mapfile -t volumes < <("$PYTHON" scripts/stack_facts.py volumes "$stack")
# The volumes' claims and the teams' read-only copies (sharedVolumes): each is bound to the old
# account's share, keeps its name, and so must be released before the deploy.
mapfile -t claims < <("$PYTHON" scripts/stack_facts.py claims "$stack")
if [[ $new == "$old" ]]; then
  echo "$SCRIPT: stacks/Pulumi.$stack.yaml: storageAccountName is still $old: the change must name a new account" >&2
  exit 2
fi

prepare() {
  local entry name namespace state="" urns="" urn
  # Readers too: a claim still mounted by a running pod is not deleted (its
  # kubernetes.io/pvc-protection finalizer waits for the pod), so `release the claims` would hang.
  step "stop everything that mounts the claims"
  for entry in "${claims[@]}"; do
    read -r name namespace <<<"$entry"
    stop_users "$namespace" "$name"
  done
  # Everything the new account name replaces: with retainOnDelete, Pulumi then only forgets
  # the old resources; the locks keep the old account and vault in Azure until `retire`.
  step "unprotect what the new account replaces"
  query state pulumi stack export --stack "$stack"
  filter urns protected-urns <<<"$state"
  while read -r urn; do
    [[ -n $urn ]] || continue
    run pulumi state unprotect --stack "$stack" --yes "$urn"
  done <<<"$urns"
  # Each PV and claim keeps its name, so the old objects must go first; reclaim policy Retain
  # leaves the old share's data alone.
  step "release the claims"
  for entry in "${claims[@]}"; do
    read -r name namespace <<<"$entry"
    run kubectl -n "$namespace" delete pvc "$name" --wait=true
    run kubectl delete pv "$namespace-$name" --wait=true
  done
  echo "$SCRIPT: merge the pull request; after its deploy run: $0 copy $stack $old"
}

copy() {
  local entry name namespace expiry from_to=() source_sas="" target_sas="" old_bytes="" new_bytes=""
  expiry=$(date -u -d '+8 hours' '+%Y-%m-%dT%H:%MZ')
  [[ ${protocol,,} == nfs ]] && from_to=(--from-to=FileNFSFileNFS)
  for entry in "${volumes[@]}"; do
    read -r name namespace <<<"$entry"
    step "copy $name"
    query source_sas az storage share generate-sas --account-name "$old" --name "$name" \
      --permissions rl --expiry "$expiry" --https-only -o tsv
    query target_sas az storage share generate-sas --account-name "$new" --name "$name" \
      --permissions rwdlc --expiry "$expiry" --https-only -o tsv
    local source="https://$old.file.core.windows.net/$name?$source_sas"
    local target="https://$new.file.core.windows.net/$name?$target_sas"
    run azcopy copy "$source" "$target" --recursive --preserve-info=true \
      --preserve-permissions=true "${from_to[@]}"
    run azcopy sync "$source" "$target" --recursive "${from_to[@]}"
    step "compare $name"
    query old_bytes az storage share-rm show -g "$rg" --storage-account "$old" -n "$name" \
      --expand stats --query shareUsageBytes -o tsv
    query new_bytes az storage share-rm show -g "$rg" --storage-account "$new" -n "$name" \
      --expand stats --query shareUsageBytes -o tsv
    ((DRY_RUN)) || [[ $old_bytes == "$new_bytes" ]] ||
      die "step '$STEP' failed: $old holds $old_bytes bytes of $name, $new $new_bytes: run copy again"
  done
  echo "$SCRIPT: resume the Jobs (kubectl patch ... suspend:false, or the next deploy) and run: infra smoke --stack $stack"
}

retire() {
  step "stop the old account's backup"
  retire_backup "$rg" "$old"
  step "delete the old account"
  delete_lock "$rg" "$old" "$old-cannot-delete"
  run az storage account delete -g "$rg" -n "$old" --yes
  echo "$SCRIPT: $(backup_vault "$old") keeps the deleted backups in soft delete for 14 days; delete it after: az backup vault delete -g $rg -n $(backup_vault "$old") --yes"
}

"$phase"
