#!/usr/bin/env bash
# Quarantine one share: stop whatever writes it and whatever reads it through a team's copy,
# then mount it read-only for inspection.
#
# usage: scripts/runbook-quarantine.sh STACK VOLUME [--dry-run]
# env:   PYTHON (default .venv/bin/python); kubectl's context is the stack's cluster
#
# 1. the writers of the volume's own claim stopped with kubectl (Jobs suspended, Deployments
#    and StatefulSets scaled to zero), not through a stack change, which would take a PR
#    through all three stages; what only reads that claim (the owner's own tools) runs on;
# 2. everything that mounts a team's read-only copy of it (teams.members[].sharedVolumes: a
#    claim of the same name in the team's namespace, on its own csi.readOnly PV of the same
#    share) stopped the same way: those are other teams' jobs taking the share as input, and
#    suspect data must not feed them while it is inspected;
# 3. the inspection pod of scripts/manifests/inspect-share.yaml (claim read-only) started.
# Then `kubectl -n NAMESPACE exec -it inspect-VOLUME -- sh` and look under /data; restore
# with scripts/runbook-restore.sh. Everything stopped comes back with the next deploy of the
# stack (it sets replicas and suspend as declared) or `kubectl patch/scale` by hand.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/runbook-lib.sh
source scripts/runbook-lib.sh

parse_args "usage: scripts/runbook-quarantine.sh STACK VOLUME [--dry-run]" 2 "$@"
stack=${args[0]} volume=${args[1]}
namespace=$("$PYTHON" scripts/stack_facts.py volumes "$stack" | awk -v v="$volume" '$1 == v { print $2 }')
[[ -n $namespace ]] || { echo "runbook-quarantine: stacks/Pulumi.$stack.yaml: volumes: no volume named '$volume'" >&2; exit 2; }
found=$(team_copies "$stack" "$volume" "$namespace") || exit 2
mapfile -t copies <<<"$found"

step "stop the writers of $namespace/$volume"
stop_writers "$namespace" "$volume"
for team in "${copies[@]}"; do
  [[ -n $team ]] || continue
  step "stop the readers of $team/$volume (read-only copy)"
  stop_users "$team" "$volume"
done

step "read-only inspection pod"
manifest=$(mktemp)
trap 'rm -f "$manifest"' EXIT
sed -e "s/CLAIM/$volume/g" -e "s/NAMESPACE/$namespace/g" scripts/manifests/inspect-share.yaml >"$manifest"
run kubectl apply -f "$manifest"
run kubectl -n "$namespace" wait --for=condition=Ready "pod/inspect-$volume" --timeout=5m
echo "runbook-quarantine: inspect with: kubectl -n $namespace exec -it inspect-$volume -- sh (the share is /data, read-only)"
