"""azure-native-storage-storageaccount-private-endpoint (stack policy)

Applies to: every ``azure-native:storage:StorageAccount`` in the stack, with the stack's
``azure-native:network:PrivateEndpoint``, ``azure-native:network:PrivateDnsZoneGroup`` and
``azure-native:privatedns:PrivateZone`` resources as context.

Enforces: each storage account has a private endpoint for its ``file`` service, and that
endpoint has a DNS zone group in the ``privatelink.file.core.windows.net`` zone, so clients in
the linked VNet resolve the account to the endpoint's private address (Checkov CKV2_AZURE_33
asks for the endpoint).

An endpoint belongs to an account when its ``privateLinkServiceConnections`` were computed from
the account (engine property dependency) or name the account's ``id`` (case-insensitively). A
zone group belongs to an endpoint when its ``privateEndpointName`` was computed from the
endpoint or its ``id`` starts with the endpoint's. A zone config points at the file zone when
its ``privateDnsZoneId`` ends in ``/privateDnsZones/privatelink.file.core.windows.net`` or was
computed from a PrivateZone of that name.

Enable it per environment through the config file (staging/prod ``mandatory``; dev, which
keeps the firewalled public endpoint to save cost, disables it).

Missing: an account without such an endpoint, or an endpoint without such a zone group, is a
violation.
Unknown: an account whose endpoint or zone group cannot be decided (unknown ids, names or
group ids) is skipped.
"""

from __future__ import annotations

from typing import Any, Final

from pulumi_policy import ReportViolation, Severity, StackValidationArgs, StackValidationPolicy

from .._props import UNKNOWN
from .._stack import Res, account_label, resources, storage_accounts

PRIVATE_ENDPOINT_TYPE: Final = "azure-native:network:PrivateEndpoint"
ZONE_GROUP_TYPE: Final = "azure-native:network:PrivateDnsZoneGroup"
PRIVATE_ZONE_TYPE: Final = "azure-native:privatedns:PrivateZone"
FILE_ZONE: Final = "privatelink.file.core.windows.net"


def _lower(value: Any) -> Any:
    return value.rstrip("/").lower() if isinstance(value, str) else value


def _serves_file(endpoint: Res, account: Res) -> Any:
    """Whether ``endpoint`` connects to ``account``'s file service (True/False/UNKNOWN)."""
    connections = endpoint.get("privateLinkServiceConnections")
    if connections is UNKNOWN:
        return UNKNOWN
    by_dependency = account.urn in {
        r.urn for r in endpoint.depends_on("privateLinkServiceConnections")
    }
    account_id = _lower(account.get("id"))
    undecided = False
    for connection in connections if isinstance(connections, list) else []:
        if connection is UNKNOWN:
            undecided = True
            continue
        target = (
            _lower(connection.get("privateLinkServiceId")) if isinstance(connection, dict) else None
        )
        if not by_dependency:
            if target is UNKNOWN or account_id is UNKNOWN:
                undecided = True
                continue
            if not (isinstance(target, str) and target == account_id):
                continue
        groups = connection.get("groupIds") if isinstance(connection, dict) else None
        if groups is UNKNOWN or (isinstance(groups, list) and UNKNOWN in groups):
            undecided = True
        elif isinstance(groups, list) and any(_lower(g) == "file" for g in groups):
            return True
    return UNKNOWN if undecided else False


def _of_endpoint(group: Res, endpoint: Res) -> Any:
    if endpoint.urn in {r.urn for r in group.depends_on("privateEndpointName")}:
        return True
    group_id, endpoint_id = _lower(group.get("id")), _lower(endpoint.get("id"))
    if group_id is UNKNOWN or endpoint_id is UNKNOWN:
        return UNKNOWN
    return (
        isinstance(group_id, str)
        and isinstance(endpoint_id, str)
        and (group_id.startswith(endpoint_id + "/privatednszonegroups/"))
    )


def _in_file_zone(group: Res, zones: list[Res]) -> Any:
    configs = group.get("privateDnsZoneConfigs")
    if configs is UNKNOWN:
        return UNKNOWN
    zone_names = {
        _lower(zone.get("name"))
        for zone in zones
        if zone.urn in {r.urn for r in group.depends_on("privateDnsZoneConfigs")}
    }
    if FILE_ZONE in zone_names:
        return True
    undecided = UNKNOWN in zone_names
    for config in configs if isinstance(configs, list) else []:
        zone_id = _lower(config.get("privateDnsZoneId")) if isinstance(config, dict) else None
        if config is UNKNOWN or zone_id is UNKNOWN:
            undecided = True
        elif isinstance(zone_id, str) and zone_id.endswith("/privatednszones/" + FILE_ZONE):
            return True
    return UNKNOWN if undecided else False


def _registered(group: Res, endpoint: Res, zones: list[Res]) -> Any:
    """Whether ``group`` registers ``endpoint`` in the file zone (True/False/UNKNOWN)."""
    belongs = _of_endpoint(group, endpoint)
    return _in_file_zone(group, zones) if belongs is True else belongs


def _decide(checks: list[Any]) -> Any:
    """True if any check holds, else UNKNOWN if any is undecided, else False."""
    if True in checks:
        return True
    return UNKNOWN if UNKNOWN in checks else False


def _validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    endpoints = resources(args, PRIVATE_ENDPOINT_TYPE)
    groups = resources(args, ZONE_GROUP_TYPE)
    zones = resources(args, PRIVATE_ZONE_TYPE)
    for account in storage_accounts(args):
        name = account_label(account)
        served = [(endpoint, _serves_file(endpoint, account)) for endpoint in endpoints]
        found = _decide([verdict for _, verdict in served])
        if found is UNKNOWN:
            continue
        if found is False:
            report_violation(
                f"StorageAccount '{name}' has no private endpoint for its file service; add an "
                "azure-native:network:PrivateEndpoint in the node subnet whose "
                "privateLinkServiceConnections name the account with groupIds ['file'].",
                account.urn,
            )
            continue
        resolved = _decide(
            [
                _registered(group, endpoint, zones)
                for endpoint, verdict in served
                if verdict is True
                for group in groups
            ]
        )
        if resolved is False:
            report_violation(
                f"StorageAccount '{name}' has a file private endpoint without a DNS zone group "
                f"in {FILE_ZONE}; add an azure-native:network:PrivateDnsZoneGroup for the "
                "endpoint with that private DNS zone, linked to the node VNet.",
                account.urn,
            )


# The stack-file keys whose values can cause this verdict (the fix line names them).
STACK_KEYS: tuple[str, ...] = ("storagePrivateEndpoint",)

POLICY = StackValidationPolicy(
    name="azure-native-storage-storageaccount-private-endpoint",
    description=(
        "Every storage account has a file private endpoint registered in "
        "privatelink.file.core.windows.net."
    ),
    validate=_validate,
    severity=Severity.HIGH,
    remediation_steps=(
        "Set storagePrivateEndpoint: true in the stack config: components/private_endpoint.py "
        "adds the endpoint, the private DNS zone, its VNet link and the zone group."
    ),
    url="https://learn.microsoft.com/azure/storage/common/storage-private-endpoints",
    tags=["azure", "storage", "network"],
)
