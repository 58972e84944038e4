"""azure-native-containerservice-managedcluster-required-tags

Applies to: ``azure-native:containerservice:ManagedCluster``.

Enforces: every tag key in the ``requiredTags`` setting is present with a non-blank value.

Missing: no ``tags`` means every required tag is missing. A blank value counts as missing.
Unknown: an unknown tag map skips the check; a tag whose value is unknown counts as present.
"""

from __future__ import annotations

from .._azure import MANAGED_CLUSTER_TYPE
from .._tags import required_tags_policy

# The stack-file keys whose values can cause this verdict (the fix line names them).
STACK_KEYS: tuple[str, ...] = ("tags",)

POLICY = required_tags_policy(
    name="azure-native-containerservice-managedcluster-required-tags",
    description="AKS clusters carry the required tags.",
    resource_type=MANAGED_CLUSTER_TYPE,
    kind="ManagedCluster",
    name_property="resourceName",
    noun="AKS cluster",
    tags=["azure", "aks", "governance"],
)
