#!/usr/bin/env bash
# Quarantine one share: stop whatever writes it, then mount it read-only for inspection.
#
# usage: scripts/runbook-quarantine.sh STACK VOLUME [--dry-run]
# env:   PYTHON (default .venv/bin/python); kubectl's context is the stack's cluster
#
# 1. writers stopped with kubectl (Jobs suspended, Deployments and StatefulSets scaled to
#    zero), not through a stack change, which would take a PR through all three stages;
# 2. the inspection pod of scripts/manifests/inspect-share.yaml (claim read-only) started.
# Then `kubectl -n NAMESPACE exec -it inspect-VOLUME -- sh` and look under /data; restore
# with scripts/runbook-restore.sh. The writers come back with the next deploy of the stack
# (it sets replicas and suspend as declared) or `kubectl patch/scale` by hand.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/runbook-lib.sh
source scripts/runbook-lib.sh

usage="usage: scripts/runbook-quarantine.sh STACK VOLUME [--dry-run]"
args=()
for arg in "$@"; do
  case $arg in
    --dry-run) DRY_RUN=1 ;;
    -*) echo "$usage" >&2; exit 2 ;;
    *) args+=("$arg") ;;
  esac
done
((${#args[@]} == 2)) || { echo "$usage" >&2; exit 2; }
stack=${args[0]} volume=${args[1]}
namespace=$("$PYTHON" scripts/stack_facts.py volumes "$stack" | awk -v v="$volume" '$1 == v { print $2 }')
[[ -n $namespace ]] || { echo "runbook-quarantine: stacks/Pulumi.$stack.yaml: volumes: no volume named '$volume'" >&2; exit 2; }

step "stop the writers of $namespace/$volume"
stop_writers "$namespace" "$volume"

step "read-only inspection pod"
manifest=$(mktemp)
trap 'rm -f "$manifest"' EXIT
sed -e "s/CLAIM/$volume/g" -e "s/NAMESPACE/$namespace/g" scripts/manifests/inspect-share.yaml >"$manifest"
run kubectl apply -f "$manifest"
run kubectl -n "$namespace" wait --for=condition=Ready "pod/inspect-$volume" --timeout=5m
echo "runbook-quarantine: inspect with: kubectl -n $namespace exec -it inspect-$volume -- sh (the share is /data, read-only)"
