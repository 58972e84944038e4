"""Filters for the runbooks (scripts/runbook-*.sh): JSON from `pulumi stack export` or
`kubectl get -o json` on stdin, one name per line on stdout.

usage: python scripts/runbook_data.py protected-urns   < pulumi stack export
       python scripts/runbook_data.py writers CLAIM    < kubectl get jobs,deployments,... -o json
       python scripts/runbook_data.py users CLAIM      < kubectl get jobs,deployments,... -o json
       python scripts/runbook_data.py writer-pods CLAIM < kubectl get pods -o json
       python scripts/runbook_data.py pods CLAIM       < kubectl get pods -o json

protected-urns: the protected resources that hold data and go with the storage account
(infra.compare.STATEFUL_TYPES, the set `infra diff` warns about, without the resource group and
the cluster): what a billing-model migration replaces and must unprotect first.
writers: `job/NAME`, `deployment/NAME` or `statefulset/NAME` for each object whose pod template
mounts CLAIM without readOnly; users: each one that mounts CLAIM at all. writer-pods: each pod
that mounts CLAIM without readOnly; pods: each pod that mounts CLAIM.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from infra.compare import STATEFUL_TYPES

# Stateful, but a migration keeps them: the group and the cluster do not depend on the account.
KEPT = {"azure-native:resources:ResourceGroup", "azure-native:containerservice:ManagedCluster"}


def _mounts(pod_spec: dict[str, Any], claim: str, writable_only: bool) -> bool:
    for volume in pod_spec.get("volumes") or []:
        source = volume.get("persistentVolumeClaim") or {}
        if source.get("claimName") != claim:
            continue
        if not writable_only or not source.get("readOnly"):
            return True
    return False


def main(argv: list[str]) -> int:
    try:
        doc = json.load(sys.stdin)
        match argv:
            case ["protected-urns"]:
                for r in doc["deployment"].get("resources") or []:
                    if r.get("protect") and r["type"] in STATEFUL_TYPES - KEPT:
                        print(r["urn"])
            case ["writers" | "users" as which, claim]:
                for item in doc.get("items") or []:
                    kind = item["kind"].lower()
                    spec = item["spec"]["template"]["spec"]
                    if _mounts(spec, claim, writable_only=which == "writers"):
                        print(f"{kind}/{item['metadata']['name']}")
            case ["writer-pods" | "pods" as which, claim]:
                for item in doc.get("items") or []:
                    if _mounts(item["spec"], claim, writable_only=which == "writer-pods"):
                        print(item["metadata"]["name"])
            case _:
                print(__doc__.split("\n\n")[1], file=sys.stderr)
                return 2
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        print(f"runbook_data: unexpected input: {type(e).__name__}: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
