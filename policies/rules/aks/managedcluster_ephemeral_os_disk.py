"""azure-native-containerservice-managedcluster-ephemeral-os-disk

Applies to: ``azure-native:containerservice:ManagedCluster`` (every ``agentPoolProfiles``
entry) and ``azure-native:containerservice:AgentPool``.

Enforces: every node pool sets ``osDiskType`` to ``Ephemeral``: the OS disk lives on the
VM's local disk and is never persisted to Azure Storage, and nodes reimage and scale faster
(Checkov CKV_AZURE_226 reads the first pool only; this checks them all).

Exempt: a pool on a VM size in the ``managedOsDiskVmSizes`` setting may set ``Managed``:
its cache or temp disk cannot hold the node's OS and the training images it pulls (the 64 GiB
temp disk of Standard_NC24ads_A100_v4, for instance), or it has none. The program decides
from the sizes table in components/node_disks.py, and a test keeps each environment's list
equal to that decision.

Missing: a pool without ``osDiskType`` is a violation (AKS picks Managed whenever the default
OS disk size does not fit the VM's cache or temp disk).
Unknown: an unknown pool list or value is skipped.
"""

from __future__ import annotations

from pulumi_policy import (
    PolicyComplianceFramework,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .._azure import CHECKOV, agent_pools
from .._config import schema, settings
from .._props import MISSING, UNKNOWN, describe, get, plain

CONFIG_SCHEMA = schema(
    {
        "managedOsDiskVmSizes": {
            "type": "array",
            "items": {"type": "string", "pattern": "^Standard_[A-Za-z0-9_]+$"},
            "uniqueItems": True,
            "description": (
                "VM sizes whose pools may boot from a managed OS disk: their cache or temp "
                "disk cannot hold the OS and the training images (components/node_disks.py)."
            ),
            "default": [],
        }
    }
)


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    pools = agent_pools(args.resource_type, plain(args.props), args.name)
    if pools is UNKNOWN:
        return
    exempt = {
        size.lower() for size in settings(args.get_config(), CONFIG_SCHEMA)["managedOsDiskVmSizes"]
    }
    for pool_label, pool, _ in pools:
        disk = get(pool, "osDiskType")
        if disk is UNKNOWN or disk == "Ephemeral":
            continue
        size = get(pool, "vmSize")
        if disk == "Managed" and isinstance(size, str) and size.lower() in exempt:
            continue
        shown = "does not set osDiskType" if disk is MISSING else f"has osDiskType {describe(disk)}"
        report_violation(
            f"{pool_label} {shown}; use 'Ephemeral' with an osDiskSizeGB that fits the VM "
            "size's cache or temp disk.",
            None,
        )


# The stack-file keys whose values can cause this verdict (the fix line names them).
STACK_KEYS: tuple[str, ...] = ("systemVmSize", "gpuPool.vmSize")

POLICY = ResourceValidationPolicy(
    name="azure-native-containerservice-managedcluster-ephemeral-os-disk",
    description="AKS node pools boot from ephemeral OS disks.",
    validate=_validate,
    config_schema=CONFIG_SCHEMA,
    severity=Severity.LOW,
    framework=PolicyComplianceFramework(name=CHECKOV, reference="CKV_AZURE_226"),
    remediation_steps=(
        "Use a VM size listed in azure_facts/vm_sizes.py VM_SIZES (add one with its "
        "documented cache or temp disk size); components/cluster.py then sets osDiskType "
        "Ephemeral and an osDiskSizeGB that fits."
    ),
    url="https://learn.microsoft.com/azure/aks/concepts-storage#ephemeral-os-disk",
    tags=["azure", "aks", "reliability"],
)
