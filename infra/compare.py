"""`infra diff`: the desired-state diff of a change, computed offline.

Both revisions are previewed with the mock runtime (the base from a temporary git
worktree) and compared resource by resource, and their stack config key by key (a config
key that no resource reads, such as `smokeTest.image` read by `infra smoke`, still changes
what runs). Changes that would replace or delete a stateful resource are flagged: they are
how training data gets lost by a merge. Rendering lives in `infra.render.diff`.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from infra.engine.arm import (
    ARM_PATHS,
    create_only,
    kubernetes_force_new,
    path_parameters,
    spec_create_only,
    tracked,
)
from infra.engine.model import Resource, Secret, StackPlan, Violation
from infra.engine.project import SECRET_PLACEHOLDER
from infra.engine.values import masked, plan_secret_strings, unwrap

# What replaces a resource is data (infra/engine/arm_types.json, scripts/gen_arm_types.py):
# - azure-native: the inputs its ARM path is built from (resource group, own name, a parent's
#   name, the scope), since another value is another resource; `location` on a tracked
#   resource (ARM RPC-Put-V1-14); the input paths the type's REST API spec marks create-only
#   (infra/engine/create_only.json, scripts/gen_create_only.py), for the types whose spec files
#   were at hand; and the property names azure-native forces a replacement on at any depth
#   (its forceNewMap, and SPEC_CREATE_ONLY of gen_arm_types.py for the types the spec data
#   does not cover yet);
# - Kubernetes: the fields pulumi-kubernetes replaces an object on (its forceNew, with
#   `.metadata.name`/`.namespace` for every kind), and those the API refuses to change.
# Below is only what none of them says, each with its reason (tests/infra/test_create_only.py
# fails when the spec data of a type says it too).
_HAND_REPLACE_ON_CHANGE: dict[str, tuple[str, ...]] = {
    # AKS cannot turn a public cluster private, or a private one public, in place: "You can't
    # convert an existing AKS cluster to a private cluster" (learn.microsoft.com/azure/aks/
    # private-clusters); azure-native's forceNewMap does not list it.
    "azure-native:containerservice:ManagedCluster": (
        "apiServerAccessProfile.enablePrivateCluster",
    ),
    # Azure changes an account's kind only from general-purpose v1 or BlobStorage to StorageV2
    # (learn.microsoft.com/azure/storage/common/storage-account-upgrade); FileStorage, the kind
    # of provisioned file shares, converts to nothing else.
    "azure-native:storage:StorageAccount": ("kind",),
    # pulumi-kubernetes replaces its provider, and with it every object it manages, when the
    # kubeconfig points at another cluster (DiffConfig; pulumi/pulumi-kubernetes#577).
    "pulumi:providers:kubernetes": ("kubeconfig",),
}
# Resources of the classic azure provider: what its bridged azurerm schema marks ForceNew.
# A share's protected item: azurerm_backup_protected_file_share (hashicorp/
# terraform-provider-azurerm, internal/services/recoveryservices/
# backup_protected_file_share_resource.go) forces a new item on another resource group, vault,
# account or share; only the backup policy changes in place.
PROTECTED_SHARE_TYPE = "azure:backup/protectedFileShare:ProtectedFileShare"
_CLASSIC_REPLACE_ON_CHANGE: dict[str, tuple[str, ...]] = {
    PROTECTED_SHARE_TYPE: (
        "resourceGroupName",
        "recoveryVaultName",
        "sourceStorageAccountId",
        "sourceFileShareName",
    ),
}
AZURE_NATIVE_PREFIX = "azure-native:"
KUBERNETES_PREFIX = "kubernetes:"
_SEGMENT = re.compile(r"[.\[\]]+")


@cache
def replace_rules(type_token: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """The input paths whose change (or change under them) replaces a resource of this type,
    and the property names that replace it wherever they occur in its inputs."""
    paths: list[str] = [
        *_HAND_REPLACE_ON_CHANGE.get(type_token, ()),
        *_CLASSIC_REPLACE_ON_CHANGE.get(type_token, ()),
    ]
    names: frozenset[str] = frozenset()
    if type_token.startswith(AZURE_NATIVE_PREFIX):
        if type_token in ARM_PATHS:
            paths += [p for p in path_parameters(ARM_PATHS[type_token]) if p != "subscriptionId"]
        else:
            # Unknown path: every ARM resource but a resource group's children is named by
            # its group, and no resource moves in place.
            paths.append("resourceGroupName")
        if tracked(type_token) or type_token not in ARM_PATHS:
            paths.append("location")
        paths += spec_create_only(type_token) or ()
        names = frozenset(create_only(type_token))
    elif type_token.startswith(KUBERNETES_PREFIX):
        paths += [p.lstrip(".") for p in kubernetes_force_new(type_token)]
    return tuple(paths), names


def _replaces(path: str, type_token: str) -> bool:
    paths, names = replace_rules(type_token)
    if names and names & set(_SEGMENT.split(path)):
        return True
    return any(
        path == p or path.startswith((p + ".", p + "[")) or _wildcard(p).fullmatch(path)
        for p in paths
    )


@cache
def _wildcard(path: str) -> re.Pattern[str]:
    """`spec.containers[*].image` -> matches `spec.containers[0].image` and what is under it."""
    return re.compile(re.escape(path).replace(r"\[\*\]", r"\[\d+\]") + r"(?:[.\[].*)?")


def _sku_family(name: Any) -> Any:
    """``PremiumV2_ZRS`` -> ``PremiumV2``: the billing model part of a storage account SKU."""
    return name.rsplit("_", 1)[0] if isinstance(name, str) else name


# Input paths whose change replaces the resource only when the key of the value changes.
# Azure converts a storage account between redundancies in place (LRS <-> GRS and ZRS <-> GZRS
# by a SKU update, LRS <-> ZRS by a conversion: "Replication change table" of "Change how a
# storage account is replicated",
# https://learn.microsoft.com/azure/storage/common/redundancy-migration), but not between
# billing models (the SKU family: Standard
# pay-as-you-go, Premium provisioned v1, PremiumV2/StandardV2 provisioned v2): it documents
# only moving the data to shares in another account ("Provisioned v2 migrations",
# https://learn.microsoft.com/azure/storage/files/understanding-billing, and
# https://learn.microsoft.com/azure/storage/files/migrate-files-between-shares). The runbook is
# docs/migrate-billing-model.md.
REPLACE_ON_KEY_CHANGE: dict[str, dict[str, Callable[[Any], Any]]] = {
    "azure-native:storage:StorageAccount": {"sku.name": _sku_family},
}
# What holds data: deleting or replacing one of these loses it. A resource group holds
# everything in it; a Namespace holds its claims (Kubernetes deletes every PVC in a deleted
# namespace), so it is stateful exactly when the stack puts a claim in it. Azure Backup's
# vault, policy, registered account (container) and protected items hold the recovery points:
# removing one stops the backups and, with its delete, drops the points.
STATEFUL_TYPES = frozenset(
    {
        "azure-native:recoveryservices:Vault",
        "azure-native:recoveryservices:ProtectionPolicy",
        "azure-native:recoveryservices:ProtectionContainer",
        PROTECTED_SHARE_TYPE,
        "azure-native:resources:ResourceGroup",
        "azure-native:storage:StorageAccount",
        "azure-native:storage:FileServiceProperties",
        "azure-native:storage:FileShare",
        "azure-native:containerservice:ManagedCluster",
        "kubernetes:core/v1:PersistentVolume",
        "kubernetes:core/v1:PersistentVolumeClaim",
    }
)
# Retention an update can shorten: every `retentionDuration` ({count, durationType}) under these
# input paths. Azure Backup applies a shorter retention to the existing recovery points too and
# deletes those past it at its next clean-up
# (https://learn.microsoft.com/azure/backup/backup-azure-files-faq), so shortening one is a
# deletion of backups.
RETENTION_INPUTS: dict[str, tuple[str, ...]] = {
    "azure-native:recoveryservices:ProtectionPolicy": ("properties",),
}
RETENTION_DURATION = "retentionDuration"


@dataclass(frozen=True)
class Weakening:
    """An input whose change one way loses data or a protection of it: a stateful risk."""

    type: str
    path: str
    # The values from weakest to strongest (compared case-insensitively); empty for a number
    # of days, where fewer keeps less. A value dropped or unknown counts as the weakest.
    order: tuple[Any, ...]
    reason: str


_ENABLED = (False, True)
_LOCK_LEVELS = ("CanNotDelete", "ReadOnly")
_LOCK_REASON = (
    "a ReadOnly lock also refuses updates, CanNotDelete only deletes "
    "(learn.microsoft.com/azure/azure-resource-manager/management/lock-resources)"
)
_SHARE_SOFT_DELETE = (
    "a deleted share is kept, restorable, for these days; shortening or disabling it applies "
    "to shares already deleted (learn.microsoft.com/azure/storage/files/"
    "storage-files-prevent-file-share-deletion)"
)
_BLOB_SOFT_DELETE = (
    "deleted blobs and containers are kept, restorable, for these days; a shorter period "
    "applies to those already deleted (learn.microsoft.com/azure/storage/blobs/"
    "soft-delete-blob-overview, soft-delete-container-overview)"
)
# Losses an update makes without deleting anything: retentions shortened, protections
# weakened. Backup retention durations are RETENTION_INPUTS' (above).
LOSS_RULES: tuple[Weakening, ...] = (
    Weakening(
        "azure-native:operationalinsights:Workspace",
        "retentionInDays",
        (),
        "Azure Monitor removes the logs older than a shortened retention 30 days after the "
        "change (learn.microsoft.com/azure/azure-monitor/logs/data-retention-configure, "
        "read 2026-12-06)",
    ),
    Weakening(
        "azure-native:storage:FileServiceProperties",
        "shareDeleteRetentionPolicy.days",
        (),
        _SHARE_SOFT_DELETE,
    ),
    Weakening(
        "azure-native:storage:FileServiceProperties",
        "shareDeleteRetentionPolicy.enabled",
        _ENABLED,
        _SHARE_SOFT_DELETE,
    ),
    *(
        Weakening("azure-native:storage:BlobServiceProperties", f"{policy}.{key}", order, why)
        for policy in ("deleteRetentionPolicy", "containerDeleteRetentionPolicy")
        for key, order, why in (
            ("days", (), _BLOB_SOFT_DELETE),
            ("enabled", _ENABLED, _BLOB_SOFT_DELETE),
        )
    ),
    Weakening(
        "azure-native:recoveryservices:Vault",
        "properties.securitySettings.immutabilitySettings.state",
        ("Disabled", "Unlocked", "Locked"),
        "an immutable vault refuses the operations that lose recovery points (shorter "
        "retention, stopping protection with delete); Disabled allows them "
        "(learn.microsoft.com/azure/backup/backup-azure-immutable-vault-concept)",
    ),
    Weakening(
        "azure-native:recoveryservices:Vault",
        "properties.securitySettings.softDeleteSettings.softDeleteState",
        ("Disabled", "Enabled", "AlwaysON"),
        "soft delete keeps deleted backup data restorable; AlwaysON cannot be turned off "
        "(learn.microsoft.com/azure/backup/backup-azure-enhanced-soft-delete-about)",
    ),
    Weakening(
        "azure-native:recoveryservices:Vault",
        "properties.securitySettings.softDeleteSettings.softDeleteRetentionPeriodInDays",
        (),
        "deleted backup data stays restorable for these days "
        "(learn.microsoft.com/azure/backup/backup-azure-enhanced-soft-delete-about)",
    ),
    *(
        Weakening(f"azure-native:authorization:{lock}", "level", _LOCK_LEVELS, _LOCK_REASON)
        for lock in (
            "ManagementLockByScope",
            "ManagementLockAtResourceLevel",
            "ManagementLockAtResourceGroupLevel",
            "ManagementLockAtSubscriptionLevel",
        )
    ),
)
# Removing a lock lets anyone with delete rights delete what it protected; dropping
# `protect` lets a deploy delete the resource (Pulumi refuses to while it is set).
LOCK_TYPES = frozenset(r.type for r in LOSS_RULES if r.path == "level")
LOCK_REMOVED = "[lock removed]"
PROTECT_DROPPED = "[protect]"
DURATION_DAYS = {"Days": 1, "Weeks": 7, "Months": 30, "Years": 365}
NAMESPACE_TYPE = "kubernetes:core/v1:Namespace"
CLAIM_TYPE = "kubernetes:core/v1:PersistentVolumeClaim"
PROVIDER_PREFIX = "pulumi:providers:"
# The reason shown for a resource replaced because the provider that manages it is.
PROVIDER_REPLACED = "[provider replaced]"
# Pulumi refuses to delete a resource its state marks `protect`, for a replacement too, so the
# deploy fails until it is unprotected; the runbook says when and how.
UNPROTECT_RUNBOOK = "docs/migrate-billing-model.md#the-runbook"


@dataclass
class PropertyChange:
    path: str
    old: Any
    new: Any

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "old": masked(self.old), "new": masked(self.new)}


@dataclass
class ResourceChange:
    action: str  # "add" | "remove" | "update" | "replace"
    urn: str
    type: str
    name: str
    old_urn: str | None = None
    changes: list[PropertyChange] = field(default_factory=list)
    replace_reasons: list[str] = field(default_factory=list)
    stateful: bool = False
    # Input paths of the retentions an update shortens (RETENTION_INPUTS).
    shortened_retention: list[str] = field(default_factory=list)
    # Input paths an update weakens (LOSS_RULES), PROTECT_DROPPED, or LOCK_REMOVED.
    weakened: list[str] = field(default_factory=list)
    # The deployed resource (the base's) has `protect`.
    protected: bool = False

    @property
    def blocked_by_protect(self) -> bool:
        return self.protected and self.action in ("remove", "replace")

    @property
    def protect_note(self) -> str:
        """Why the deploy of this change fails, or "" when it does not."""
        if not self.blocked_by_protect:
            return ""
        urn = self.old_urn or self.urn
        return (
            f"blocked by protect: the deploy will fail until `pulumi state unprotect '{urn}'` "
            f"(runbook: {UNPROTECT_RUNBOOK})"
        )

    @property
    def stateful_risk(self) -> bool:
        return bool(self.weakened) or (
            self.stateful
            and (self.action in ("remove", "replace") or bool(self.shortened_retention))
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "urn": self.urn,
            "oldUrn": self.old_urn,
            "type": self.type,
            "name": self.name,
            "stateful": self.stateful,
            "replaceReasons": self.replace_reasons,
            "shortenedRetention": self.shortened_retention,
            "weakened": self.weakened,
            "blockedByProtect": self.blocked_by_protect,
            "changes": [c.as_json() for c in self.changes],
        }


@dataclass
class StackDiff:
    project: str
    stack: str
    changes: list[ResourceChange]
    violations_added: list[Violation]
    violations_removed: list[Violation]
    head_violations: list[Violation]
    # Stack config keys (without the project prefix) whose value differs, secrets masked.
    config_changes: list[PropertyChange] = field(default_factory=list)
    # Why the base revision could not be previewed; the head is then shown as all-creates.
    base_error: str | None = None
    # The base did not preview, and this says why and which earlier revision (on its
    # first-parent history) the head is compared with instead.
    compared_with: str | None = None
    # The head revision has no such stack: nothing is deployed or deleted by the merge.
    removed: bool = False
    # Upgrades Azure refuses, one line each naming the file and key that set the version.
    refusals: list[str] = field(default_factory=list)
    # How this stack differs in kind from the stack it rehearses ([tool.infra.same-kinds]).
    kind_differences: list[str] = field(default_factory=list)
    # The plans compared, for readers of the change (its cost); not part of the JSON.
    base_plan: StackPlan | None = field(default=None, repr=False)
    head_plan: StackPlan | None = field(default=None, repr=False)

    @property
    def stateful_risks(self) -> list[ResourceChange]:
        if self.base_error:
            # Without a base, what the merge replaces or deletes is unknown: every stateful
            # resource of the head counts as at risk, never none (issue 26.6), so a maintainer
            # acknowledges them by name before a broken base lets the change through.
            return [c for c in self.changes if c.stateful]
        return [c for c in self.changes if c.stateful_risk]

    @property
    def mandatory_violations(self) -> list[Violation]:
        return [v for v in self.head_violations if v.enforcement_level == "mandatory"]

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)

    def as_json(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "stack": self.stack,
            "removed": self.removed,
            "baseError": self.base_error,
            "comparedWith": self.compared_with,
            "refusals": self.refusals,
            "kindDifferences": self.kind_differences,
            "summary": {a: self.count(a) for a in ("add", "update", "replace", "remove")},
            "changes": [c.as_json() for c in self.changes],
            "configChanges": [c.as_json() for c in self.config_changes],
            "statefulRisks": [c.urn for c in self.stateful_risks],
            "violationsAdded": [v.as_json() for v in self.violations_added],
            "violationsRemoved": [v.as_json() for v in self.violations_removed],
            "mandatoryViolations": len(self.mandatory_violations),
        }


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict) and value:
        flat: dict[str, Any] = {}
        for key, child in value.items():
            flat.update(_flatten(child, f"{prefix}.{key}" if prefix else key))
        return flat
    if isinstance(value, Secret):
        return {prefix: value}
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        flat = {}
        for i, child in enumerate(value):
            flat.update(_flatten(child, f"{prefix}[{i}]"))
        return flat or {prefix: []}
    return {prefix: value}


def _same(old: Any, new: Any) -> bool:
    return unwrap(old) == unwrap(new) and isinstance(old, Secret) == isinstance(new, Secret)


def property_changes(old: dict[str, Any], new: dict[str, Any]) -> list[PropertyChange]:
    flat_old, flat_new = _flatten(old), _flatten(new)
    changes = []
    for path in sorted(set(flat_old) | set(flat_new)):
        before, after = flat_old.get(path), flat_new.get(path)
        if not _same(before, after):
            changes.append(PropertyChange(path, before, after))
    return changes


def _matches(path: str, prefixes: Sequence[str]) -> bool:
    return any(path == p or path.startswith((p + ".", p + "[")) for p in prefixes)


def _options_changes(old: Resource, new: Resource) -> list[PropertyChange]:
    changes = []
    for label, attr in (
        ("[protect]", "protect"),
        ("[retainOnDelete]", "retain_on_delete"),
        ("[deleteBeforeReplace]", "delete_before_replace"),
    ):
        if getattr(old, attr) != getattr(new, attr):
            changes.append(PropertyChange(label, getattr(old, attr), getattr(new, attr)))
    return changes


def _retention_days(inputs: dict[str, Any], type_: str) -> dict[str, float]:
    """`path -> days` of every retention duration under the type's RETENTION_INPUTS."""
    flat = _flatten({key: inputs.get(key) for key in RETENTION_INPUTS.get(type_, ())})
    days: dict[str, float] = {}
    suffix = f"{RETENTION_DURATION}.count"
    for path, count in flat.items():
        if not path.endswith(suffix):
            continue
        duration = path.removesuffix(".count")
        count, unit = unwrap(count), unwrap(flat.get(f"{duration}.durationType"))
        if isinstance(count, (int, float)) and not isinstance(count, bool):
            days[duration] = count * DURATION_DAYS.get(unit, 1) if isinstance(unit, str) else count
    return days


def shortened_retention(old: Resource, new: Resource) -> list[str]:
    """The retention durations ``new`` keeps for less time than ``old`` (or drops)."""
    before, after = _retention_days(old.inputs, old.type), _retention_days(new.inputs, new.type)
    return sorted(path for path, days in before.items() if after.get(path, 0) < days)


def _weaker(before: Any, after: Any, order: tuple[Any, ...]) -> bool:
    if not order:
        number = (int, float)
        return (
            isinstance(before, number)
            and not isinstance(before, bool)
            and not (isinstance(after, number) and not isinstance(after, bool) and after >= before)
        )
    ranks = [str(v).lower() for v in order]

    def rank(value: Any) -> int:
        text = str(value).lower()
        return ranks.index(text) if value is not None and text in ranks else -1

    return rank(before) >= 0 and rank(after) < rank(before)


def weakened(old: Resource, new: Resource) -> list[str]:
    """What ``new`` keeps for less time, or protects less, than ``old`` (LOSS_RULES), and
    ``protect`` dropped."""
    before, after = _flatten(old.inputs), _flatten(new.inputs)
    found = [
        rule.path
        for rule in LOSS_RULES
        if rule.type == new.type
        and _weaker(unwrap(before.get(rule.path)), unwrap(after.get(rule.path)), rule.order)
    ]
    if old.protect and not new.protect:
        found.append(PROTECT_DROPPED)
    return found


def _violation_key(v: Violation) -> tuple[str, str, str, str | None, str]:
    return (v.policy_pack, v.policy, v.enforcement_level, v.urn, v.message)


def _provider_urn(resource: Resource) -> str | None:
    # A provider reference is "<provider urn>::<provider id>".
    return resource.provider.rsplit("::", 1)[0] if resource.provider else None


def _namespaces_holding_claims(plan: StackPlan | None) -> tuple[set[str], set[str]]:
    """The namespace names the plan's claims live in, and the URNs the claims depend on."""
    names: set[str] = set()
    urns: set[str] = set()
    for r in plan.resources if plan else []:
        if r.type != CLAIM_TYPE:
            continue
        metadata = r.inputs.get("metadata")
        namespace = unwrap(metadata.get("namespace")) if isinstance(metadata, dict) else None
        if isinstance(namespace, str):
            names.add(namespace)
        urns.update(r.dependencies)
    return names, urns


def _is_stateful(resource: Resource, claims: tuple[set[str], set[str]]) -> bool:
    if resource.type in STATEFUL_TYPES:
        return True
    if resource.type != NAMESPACE_TYPE:
        return False
    names, depended_on = claims
    metadata = resource.inputs.get("metadata")
    name = unwrap(metadata.get("name")) if isinstance(metadata, dict) else None
    outputs_meta = resource.outputs.get("metadata")
    output_name = unwrap(outputs_meta.get("name")) if isinstance(outputs_meta, dict) else None
    return resource.urn in depended_on or bool({name, output_name} & names)


def _replaced_input(resource: Resource, replaced: set[str]) -> tuple[str, str] | None:
    """An input that names the resource (a path parameter, a create-only property) and comes
    from a replaced resource: (input, that resource's URN). Until the replacement runs the
    value is unknown, so the engine replaces this one too; in Azure a child (a share in a
    replaced account) goes with its parent anyway."""
    for key, urns in sorted(resource.property_dependencies.items()):
        cause = next((u for u in urns if u in replaced), None)
        if cause is not None and _replaces(key, resource.type):
            return key, cause
    return None


def _replace_with_providers(changes: list[ResourceChange], head: StackPlan) -> None:
    """A replaced provider replaces every resource it manages; a provider whose inputs come
    from a replaced resource (a cluster's kubeconfig) is conservatively replaced too, as
    pulumi-kubernetes does for a kubeconfig it cannot know yet (pulumi-kubernetes#577); and a
    resource named by a replaced one (`accountName` of a share) is replaced with it."""
    by_urn = {c.urn: c for c in changes if c.action != "remove"}
    resources = {r.urn: r for r in head.resources}
    replaced = {c.urn for c in changes if c.action == "replace"}
    grew = True
    while grew:
        grew = False
        for urn, resource in resources.items():
            if urn in replaced:
                continue
            named_by = None
            if resource.type.startswith(PROVIDER_PREFIX):
                cause = next((d for d in resource.dependencies if d in replaced), None)
            elif _provider_urn(resource) in replaced:
                cause = _provider_urn(resource)
            else:
                named_by = _replaced_input(resource, replaced)
                cause = named_by[1] if named_by else None
            if cause is None:
                continue
            change = by_urn[urn]
            if change.action == "add":
                continue
            change.action = "replace"
            if named_by is not None:
                cause_name = resources[cause].name if cause in resources else cause
                change.replace_reasons.append(f"[{named_by[0]} of replaced {cause_name}]")
            elif resource.type.startswith(PROVIDER_PREFIX):
                cause_name = resources[cause].name if cause in resources else cause
                change.replace_reasons.append(f"[depends on replaced {cause_name}]")
            else:
                change.replace_reasons.append(PROVIDER_REPLACED)
            replaced.add(urn)
            grew = True


# `plan -> key -> effective value` (defaults applied, the stack file's spelling), or None
# when the program's model does not read the plan's config (infra.repo.effective_config).
EffectiveConfig = Callable[[StackPlan], dict[str, Any] | None]


def diff_plans(
    base: StackPlan | None, head: StackPlan, effective: EffectiveConfig | None = None
) -> StackDiff:
    base_resources = {r.urn: r for r in (base.resources if base else [])}
    claims = _namespaces_holding_claims(base), _namespaces_holding_claims(head)
    matched: set[str] = set()
    changes: list[ResourceChange] = []
    for resource in head.resources:
        old_urn = resource.urn if resource.urn in base_resources else None
        if old_urn is None:
            old_urn = next((a for a in resource.aliases if a in base_resources), None)
        stateful = _is_stateful(resource, claims[1])
        if old_urn is None:
            changes.append(
                ResourceChange("add", resource.urn, resource.type, resource.name, stateful=stateful)
            )
            continue
        matched.add(old_urn)
        old = base_resources[old_urn]
        if old.type != resource.type:
            changes.append(
                ResourceChange(
                    "remove",
                    old.urn,
                    old.type,
                    old.name,
                    stateful=_is_stateful(old, claims[0]),
                    weakened=[LOCK_REMOVED] if old.type in LOCK_TYPES else [],
                    protected=old.protect,
                )
            )
            changes.append(
                ResourceChange("add", resource.urn, resource.type, resource.name, stateful=stateful)
            )
            continue
        props = [
            c
            for c in property_changes(old.inputs, resource.inputs)
            if not _matches(c.path, resource.ignore_changes)
        ]
        keyed = REPLACE_ON_KEY_CHANGE.get(resource.type, {})
        reasons = [
            c.path
            for c in props
            if _replaces(c.path, resource.type)
            or (c.path in keyed and keyed[c.path](unwrap(c.old)) != keyed[c.path](unwrap(c.new)))
        ]
        props += _options_changes(old, resource)
        stateful = stateful or _is_stateful(old, claims[0])
        if not props and old_urn == resource.urn:
            # Unchanged so far; a replaced provider may still replace it below.
            changes.append(
                ResourceChange(
                    "none",
                    resource.urn,
                    resource.type,
                    resource.name,
                    stateful=stateful,
                    protected=old.protect,
                )
            )
            continue
        changes.append(
            ResourceChange(
                "replace" if reasons else "update",
                resource.urn,
                resource.type,
                resource.name,
                old_urn=old_urn if old_urn != resource.urn else None,
                changes=props,
                replace_reasons=reasons,
                stateful=stateful,
                shortened_retention=shortened_retention(old, resource),
                weakened=weakened(old, resource),
                protected=old.protect,
            )
        )
    _replace_with_providers(changes, head)
    changes = [c for c in changes if c.action != "none"]
    for urn, old in base_resources.items():
        if urn not in matched:
            changes.append(
                ResourceChange(
                    "remove",
                    urn,
                    old.type,
                    old.name,
                    stateful=_is_stateful(old, claims[0]),
                    weakened=[LOCK_REMOVED] if old.type in LOCK_TYPES else [],
                    protected=old.protect,
                )
            )
    base_violations = {_violation_key(v) for v in (base.violations if base else [])}
    head_violations = {_violation_key(v) for v in head.violations}
    return StackDiff(
        project=head.project,
        stack=head.stack,
        changes=changes,
        violations_added=[v for v in head.violations if _violation_key(v) not in base_violations],
        violations_removed=[
            v for v in (base.violations if base else []) if _violation_key(v) not in head_violations
        ],
        head_violations=head.violations,
        config_changes=config_changes(base, head, effective),
        base_plan=base,
        head_plan=head,
    )


def _config_value(raw: str, secrets: set[str]) -> Any:
    # A secure key, or a plain key whose value the program keeps secret, prints masked.
    if SECRET_PLACEHOLDER in raw or any(secret in raw for secret in secrets):
        return Secret(raw)
    # The engine hands structured values over as JSON text; compare them as structures so
    # a changed `smokeTest.image` shows as that one path, not the whole object.
    if raw[:1] in ("{", "["):
        with contextlib.suppress(ValueError):
            return json.loads(raw)
    return raw


def config_changes(
    base: StackPlan | None, head: StackPlan, effective: EffectiveConfig | None = None
) -> list[PropertyChange]:
    """Every config key whose value differs, named without the project's own prefix. With
    ``effective``, a key the program's model reads is compared by its effective value: a key
    moving from an explicit value to the same default, or an object that leaves a field to
    its default, is no change."""
    prefix = f"{head.project}:"
    secrets = plan_secret_strings(head) | (plan_secret_strings(base) if base else set())

    def tree(config: dict[str, str]) -> dict[str, Any]:
        return {k.removeprefix(prefix): _config_value(v, secrets) for k, v in config.items()}

    old, new = tree(base.config if base else {}), tree(head.config)
    read = (effective(base) if base else {}, effective(head)) if effective else (None, None)
    if read[0] is not None and read[1] is not None:
        old, new = _effective(old, read[0]), _effective(new, read[1])
    return property_changes(old, new)


def _effective(values: dict[str, Any], effective: dict[str, Any]) -> dict[str, Any]:
    """``values`` with each key the model reads at its effective value; a secret stays one."""
    merged = dict(values)
    for key, value in effective.items():
        merged[key] = Secret(value) if isinstance(values.get(key), Secret) else value
    return merged
