#!/usr/bin/env bash
# Fails fast, in one line, when a job would run a stack whose private API server the runner
# cannot reach: a private cluster's API server has a private address only (a public FQDN,
# when enabled, still resolves to it), so GitHub-hosted runners never reach it.
# See docs/delivery.md, "Runner networking".
#
# usage: ci-runner-reach.sh STACK
# env: INFRA_RUNNER (the repository variable; empty means GitHub-hosted runners),
#      INFRA (default .venv/bin/infra), PYTHON (default .venv/bin/python)
# The stack's clusters are read from the program's plan (`infra preview`), not from YAML;
# Python rather than jq reads it, as a self-hosted runner may have no jq.
set -euo pipefail

infra=${INFRA:-.venv/bin/infra}
python=${PYTHON:-.venv/bin/python}
stack=${1:?usage: ci-runner-reach.sh STACK}

private=$("$infra" preview -s "$stack" --no-policy --json | "$python" -c '
import json, sys
names = [
    r["inputs"].get("resourceName") or r["name"]
    for s in json.load(sys.stdin)["stacks"]
    for r in s["resources"]
    if r["type"] == "azure-native:containerservice:ManagedCluster"
    and (r["inputs"].get("apiServerAccessProfile") or {}).get("enablePrivateCluster") is True
]
print(", ".join(names))
')

if [[ -z $private ]]; then
  echo "ci-runner-reach: $stack has no private API server" >&2
  exit 0
fi
if [[ -z ${INFRA_RUNNER:-} ]]; then
  echo "::error::ci-runner-reach: $stack has a private API server ($private) that GitHub-hosted runners cannot reach; set the repository variable INFRA_RUNNER to a self-hosted runner with a network path to it (docs/delivery.md, Runner networking)"
  exit 1
fi
echo "ci-runner-reach: $stack has a private API server ($private); running on INFRA_RUNNER" >&2
