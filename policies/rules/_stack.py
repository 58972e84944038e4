"""Cross-resource matching for stack policies.

Stack policies see every resource's *outputs* (``PolicyResource.props``). Outputs are not
always a superset of inputs: azure-native does not echo path parameters such as a
FileShare's ``accountName`` or a lock's ``scope`` into outputs, and during a preview the
outputs of resources that do not exist yet are mostly unknown. Matching therefore tries,
in order:

1. **property dependencies** - if the program wired ``share.accountName`` from
   ``account.name`` (or ``lock.scope`` from ``account.id``), the engine records the account
   in ``property_dependencies["accountName"]`` (``["scope"]``); this works even while the
   values are unknown (the same holds for a FileServiceProperties' ``accountName``);
2. **values** - the property itself in the outputs, else in the ``__inputs`` bag some
   providers keep in their state, compared with the other resource's ``name``/``id``;
3. **ARM ids** - a share's ``id`` (``.../storageAccounts/<account>/fileServices/default/
   shares/<share>``), a file service's ``id`` (``.../storageAccounts/<account>/fileServices/
   default``) and a lock's ``id`` (``<scope>/providers/Microsoft.Authorization/locks/
   <name>``) all embed their parent.

Azure storage account and share names are case-insensitive and ARM ids are compared
case-insensitively. Whenever a match cannot be decided because a value is unknown, the
helpers return :data:`UNKNOWN` and callers skip that item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Final

from pulumi_policy import PolicyResource, StackValidationArgs

from azure_facts.files import model_for_sku

from ._azure import FILE_SERVICE_TYPE, FILE_SHARE_TYPE, STORAGE_ACCOUNT_TYPE
from ._k8s import object_name, object_namespace, volume_attribute
from ._props import MISSING, UNKNOWN, get, is_known, plain

_SHARE_ID_RE: Final = re.compile(
    r"/storageAccounts/(?P<account>[^/]+)/fileServices/[^/]+/shares/(?P<share>[^/]+)/?$",
    re.IGNORECASE,
)
_FILE_SERVICE_ID_RE: Final = re.compile(
    r"/storageAccounts/(?P<account>[^/]+)/fileServices/[^/]+/?$", re.IGNORECASE
)


@dataclass(eq=False)
class Res:
    """A stack resource with its properties flattened to plain data."""

    resource: PolicyResource
    props: dict[str, Any] = field(repr=False)

    @property
    def type(self) -> str:
        return self.resource.resource_type

    @property
    def urn(self) -> str:
        return self.resource.urn

    @property
    def name(self) -> str:
        return self.resource.name

    def get(self, *path: str | int) -> Any:
        return get(self.props, *path)

    def depends_on(self, prop: str) -> list[PolicyResource]:
        """Resources the property ``prop`` was computed from (engine property dependencies)."""
        deps = self.resource.property_dependencies or {}
        return list(deps.get(prop, []))


def merged_props(resource: PolicyResource) -> dict[str, Any]:
    """Outputs, falling back to ``__inputs`` (if the provider keeps them) per top-level key."""
    outputs = plain(resource.props)
    if not isinstance(outputs, dict):
        return {}
    inputs = outputs.pop("__inputs", MISSING)
    if not isinstance(inputs, dict):
        return outputs
    merged = dict(inputs)
    for key, value in outputs.items():
        if value is UNKNOWN and is_known(merged.get(key, MISSING)):
            continue
        merged[key] = value
    return merged


def resources(args: StackValidationArgs, *types: str) -> list[Res]:
    return [
        Res(resource, merged_props(resource))
        for resource in args.resources
        if not types or resource.resource_type in types
    ]


def _same(a: Any, b: Any) -> Any:
    """Case-insensitive equality of two names; UNKNOWN if either side is unknown."""
    if a is UNKNOWN or b is UNKNOWN:
        return UNKNOWN
    if not isinstance(a, str) or not isinstance(b, str):
        return False
    return a.lower() == b.lower()


# --- storage accounts and file shares -------------------------------------------------------


def account_name(account: Res) -> Any:
    """A StorageAccount's Azure name (``name`` output, else ``accountName`` input)."""
    name = account.get("name")
    if isinstance(name, str):
        return name
    fallback = account.get("accountName")
    if isinstance(fallback, str):
        return fallback
    return UNKNOWN if UNKNOWN in (name, fallback) else MISSING


def account_label(account: Res) -> str:
    name = account_name(account)
    return name if isinstance(name, str) else account.name


def sku_of(account: Res) -> Any:
    """A StorageAccount's ``sku.name`` (str), UNKNOWN, or None when absent."""
    sku = account.get("sku", "name")
    if sku is UNKNOWN:
        return UNKNOWN
    return sku if isinstance(sku, str) else None


def model_of(sku: Any) -> Any:
    """The Azure Files billing model a SKU name selects: BillingModel, None (another SKU, or
    none) or UNKNOWN."""
    if sku is UNKNOWN:
        return UNKNOWN
    return model_for_sku(sku) if isinstance(sku, str) else None


def _share_id_parts(share: Res) -> tuple[str, str] | None:
    share_id = share.get("id")
    if not isinstance(share_id, str):
        return None
    match = _SHARE_ID_RE.search(share_id)
    return (match["account"], match["share"]) if match else None


def share_name(share: Res) -> Any:
    """A FileShare's Azure name (``name`` output, ``shareName`` input or from its id)."""
    for key in ("name", "shareName"):
        value = share.get(key)
        if isinstance(value, str):
            return value
    parts = _share_id_parts(share)
    if parts:
        return parts[1]
    if UNKNOWN in (share.get("name"), share.get("shareName")):
        return UNKNOWN
    return MISSING


def share_label(share: Res) -> str:
    name = share_name(share)
    return name if isinstance(name, str) else share.name


def share_account_name(share: Res) -> Any:
    """The account name a FileShare belongs to, from ``accountName`` or its ARM id."""
    value = share.get("accountName")
    if isinstance(value, str):
        return value
    parts = _share_id_parts(share)
    if parts:
        return parts[0]
    return UNKNOWN if value is UNKNOWN or share.get("id") is UNKNOWN else MISSING


def file_service_account_name(service: Res) -> Any:
    """The account name a FileServiceProperties belongs to, from ``accountName`` or its id."""
    value = service.get("accountName")
    if isinstance(value, str):
        return value
    service_id = service.get("id")
    if isinstance(service_id, str):
        match = _FILE_SERVICE_ID_RE.search(service_id)
        if match:
            return match["account"]
    return UNKNOWN if UNKNOWN in (value, service_id) else MISSING


def account_for_share(share: Res, accounts: list[Res]) -> Any:
    """The stack's StorageAccount holding ``share``: a Res, ``None`` (not in stack) or UNKNOWN."""
    return _owner_account(share, share_account_name(share), accounts)


def account_for_file_service(service: Res, accounts: list[Res]) -> Any:
    """The stack's StorageAccount a FileServiceProperties configures: Res, None or UNKNOWN."""
    return _owner_account(service, file_service_account_name(service), accounts)


def _owner_account(child: Res, wanted: Any, accounts: list[Res]) -> Any:
    """The account ``child`` (wired through ``accountName``) belongs to: dependency first,
    then the account name ``wanted`` (from values or the ARM id)."""
    dep_urns = {r.urn for r in child.depends_on("accountName")}
    by_dep = [a for a in accounts if a.urn in dep_urns]
    if len(by_dep) == 1:
        return by_dep[0]
    if wanted is MISSING:
        return None
    if wanted is UNKNOWN:
        return UNKNOWN
    undecided = False
    for account in accounts:
        same = _same(wanted, account_name(account))
        if same is True:
            return account
        if same is UNKNOWN:
            undecided = True
    return UNKNOWN if undecided else None


def shares_of_account(account: Res, shares: list[Res], accounts: list[Res]) -> Any:
    """All FileShares of ``account`` in the stack, or UNKNOWN if any share is undecidable."""
    found = []
    for share in shares:
        owner = account_for_share(share, accounts)
        if owner is UNKNOWN:
            return UNKNOWN
        if owner is account:
            found.append(share)
    return found


def find_share(account: Any, share: Any, shares: list[Res], accounts: list[Res]) -> Any:
    """The FileShare named ``share`` in account ``account``: Res, None or UNKNOWN."""
    if account is UNKNOWN or share is UNKNOWN:
        return UNKNOWN
    undecided = False
    for candidate in shares:
        same_share = _same(share, share_name(candidate))
        if same_share is False:
            continue
        owner_name = share_account_name(candidate)
        if not isinstance(owner_name, str):
            owner = account_for_share(candidate, accounts)
            owner_name = account_name(owner) if isinstance(owner, Res) else owner
        same_account = _same(account, owner_name) if owner_name is not None else False
        if same_share is True and same_account is True:
            return candidate
        if UNKNOWN in (same_share, same_account):
            undecided = True
    return UNKNOWN if undecided else None


def share_of_pv(pv: Res, shares: list[Res], accounts: list[Res]) -> Any:
    """The FileShare an Azure Files CSI PV mounts: Res, None (not in stack) or UNKNOWN.

    Uses ``volumeAttributes.storageAccount``/``shareName``, else the CSI ``volumeHandle``
    (``<resource-group>#<account>#<share>#...``), else a single FileShare among the PV's
    ``spec`` property dependencies.
    """
    account = volume_attribute(pv.props, "storageAccount")
    share = volume_attribute(pv.props, "shareName")
    handle = pv.get("spec", "csi", "volumeHandle")
    if isinstance(handle, str) and (account is MISSING or share is MISSING):
        parts = handle.split("#")
        if len(parts) >= 3 and parts[1] and parts[2]:
            account = parts[1] if account is MISSING else account
            share = parts[2] if share is MISSING else share
    if isinstance(account, str) and isinstance(share, str):
        return find_share(account, share, shares, accounts)
    dep_urns = {r.urn for r in pv.depends_on("spec")}
    by_dep = [s for s in shares if s.urn in dep_urns]
    if len(by_dep) == 1:
        return by_dep[0]
    if UNKNOWN in (account, share, handle):
        return UNKNOWN
    return None


def storage_accounts(args: StackValidationArgs) -> list[Res]:
    return resources(args, STORAGE_ACCOUNT_TYPE)


def file_shares(args: StackValidationArgs) -> list[Res]:
    return resources(args, FILE_SHARE_TYPE)


def file_services(args: StackValidationArgs) -> list[Res]:
    return resources(args, FILE_SERVICE_TYPE)


# --- kubernetes ------------------------------------------------------------------------------


def k8s_name(res: Res) -> Any:
    return res.get("metadata", "name")


def k8s_label(res: Res) -> str:
    return object_name(res.props, res.name)


def namespaced_label(res: Res) -> str:
    namespace = object_namespace(res.props)
    name = object_name(res.props, res.name)
    return f"{namespace}/{name}" if isinstance(namespace, str) else name


def find_by_name(name: Any, candidates: list[Res]) -> Any:
    """The candidate whose ``metadata.name`` is ``name``: Res, None or UNKNOWN."""
    if name is UNKNOWN:
        return UNKNOWN
    undecided = False
    for candidate in candidates:
        other = k8s_name(candidate)
        if other == name:
            return candidate
        if other is UNKNOWN:
            undecided = True
    return UNKNOWN if undecided else None


def volume_of_claim(claim: Res, volumes: list[Res]) -> Any:
    """The PersistentVolume named by a claim's ``spec.volumeName``: Res, None or UNKNOWN."""
    volume_name = claim.get("spec", "volumeName")
    if volume_name is MISSING or volume_name == "":
        return None
    if volume_name is UNKNOWN:
        dep_urns = {r.urn for r in claim.depends_on("spec")}
        by_dep = [v for v in volumes if v.urn in dep_urns]
        return by_dep[0] if len(by_dep) == 1 else UNKNOWN
    return find_by_name(volume_name, volumes)
