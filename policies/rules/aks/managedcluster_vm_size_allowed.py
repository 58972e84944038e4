"""azure-native-containerservice-managedcluster-vm-size-allowed

Applies to: ``azure-native:containerservice:ManagedCluster`` (every ``agentPoolProfiles``
entry) and ``azure-native:containerservice:AgentPool``.

Enforces: each node pool's ``vmSize`` is in the ``allowedVmSizes`` setting (compared
case-insensitively, as Azure does).

Missing: a pool without ``vmSize`` is a violation (AKS would choose a size).
Unknown: an unknown pool list or size is skipped.
"""

from __future__ import annotations

from pulumi_policy import (
    PolicyComplianceFramework,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .._azure import (
    AZURE_POLICY,
    agent_pools,
    azure_policy_reference,
    azure_policy_url,
)
from .._config import schema, settings
from .._props import MISSING, UNKNOWN, get, plain

_DEFINITION = "cccc23c7-8427-4f53-ad12-b6a63eb452b3"

CONFIG_SCHEMA = schema(
    {
        "allowedVmSizes": {
            "type": "array",
            "items": {"type": "string", "pattern": "^Standard_[A-Za-z0-9_]+$"},
            "minItems": 1,
            "uniqueItems": True,
            "description": "Node pool VM sizes that may be used.",
            "default": [
                "Standard_D4ds_v5",
                "Standard_D8ds_v5",
                "Standard_NC24ads_A100_v4",
                "Standard_NC40ads_H100_v5",
            ],
        }
    }
)


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    props = plain(args.props)
    pools = agent_pools(args.resource_type, props, args.name)
    if pools is UNKNOWN or not pools:
        return
    allowed = settings(args.get_config(), CONFIG_SCHEMA)["allowedVmSizes"]
    allowed_lower = {size.lower() for size in allowed}
    for pool_label, pool, _ in pools:
        size = get(pool, "vmSize")
        if size is UNKNOWN or (isinstance(size, str) and size.lower() in allowed_lower):
            continue
        shown = "does not set vmSize" if size is MISSING else f"uses vmSize {size!r}"
        report_violation(
            f"{pool_label} {shown}; allowed sizes: {', '.join(allowed)}.",
            None,
        )


# The stack-file keys whose values can cause this verdict (the fix line names them).
STACK_KEYS: tuple[str, ...] = ("systemVmSize", "gpuPool.vmSize")

POLICY = ResourceValidationPolicy(
    name="azure-native-containerservice-managedcluster-vm-size-allowed",
    description="AKS node pools use allowed VM sizes.",
    validate=_validate,
    config_schema=CONFIG_SCHEMA,
    severity=Severity.MEDIUM,
    framework=PolicyComplianceFramework(
        name=AZURE_POLICY, reference=azure_policy_reference(_DEFINITION)
    ),
    remediation_steps=(
        "Give the pool a vmSize listed in this policy's allowedVmSizes setting (the fix line "
        "names the stack-file key); GPU sizes are costly."
    ),
    url=azure_policy_url(_DEFINITION),
    tags=["azure", "aks", "cost"],
)
