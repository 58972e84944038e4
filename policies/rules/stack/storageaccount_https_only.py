"""azure-native-storage-storageaccount-https-only (stack policy)

Applies to: every ``azure-native:storage:StorageAccount`` in the stack, with the stack's
``azure-native:storage:FileShare`` resources as context.

Enforces: ``enableHttpsTrafficOnly`` is not ``false`` - except for **NFS-only accounts**.
NFS 4.1 on Azure Files has no in-transit encryption and Azure refuses NFS mounts while
secure transfer is required, so an account whose file shares (at least one, all matched to
the account) all have ``enabledProtocols`` ``NFS`` may, and must, disable it. Network
isolation (default-deny firewall, private endpoint) is what protects such an account.

Why a stack policy: whether an account is NFS-only is a property of its shares, not of the
account. A resource policy would need a hand-maintained list of NFS account names or a tag
that can drift from reality; matching the shares in the stack cannot drift.

Missing: ``enableHttpsTrafficOnly`` absent passes (the API default is ``true`` since
2019-04-01); a share without ``enabledProtocols`` is SMB (the API default). An account with
HTTPS disabled and no shares in the stack is a violation: nothing shows it is NFS-only.
Unknown: an unknown flag, protocol or share-to-account match skips that account.
"""

from __future__ import annotations

from pulumi_policy import (
    PolicyComplianceFramework,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from .._azure import CHECKOV, azure_policy_url
from .._props import MISSING, UNKNOWN
from .._stack import account_label, file_shares, share_label, shares_of_account, storage_accounts


def _validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    accounts = storage_accounts(args)
    shares = file_shares(args)
    for account in accounts:
        https = account.get("enableHttpsTrafficOnly")
        if https is not False:
            continue
        own = shares_of_account(account, shares, accounts)
        if own is UNKNOWN:
            continue
        protocols = [share.get("enabledProtocols") for share in own]
        if UNKNOWN in protocols:
            continue
        name = account_label(account)
        if not own:
            report_violation(
                f"StorageAccount '{name}' sets enableHttpsTrafficOnly to false but has no file "
                "shares in this stack; only accounts whose shares are all NFS are exempt (NFS "
                "4.1 has no in-transit encryption). Set enableHttpsTrafficOnly to true.",
                account.urn,
            )
            continue
        smb = [
            share_label(share)
            for share, protocol in zip(own, protocols, strict=True)
            if protocol is MISSING or protocol != "NFS"
        ]
        if smb:
            report_violation(
                f"StorageAccount '{name}' sets enableHttpsTrafficOnly to false but serves SMB "
                f"share(s) {', '.join(repr(s) for s in smb)}; only NFS-only accounts are exempt "
                "(NFS 4.1 has no in-transit encryption). Set enableHttpsTrafficOnly to true.",
                account.urn,
            )


# No stack-file key can cause this verdict: the components always comply.
STACK_KEYS: tuple[str, ...] = ()

POLICY = StackValidationPolicy(
    name="azure-native-storage-storageaccount-https-only",
    description=(
        "Storage accounts accept HTTPS (secure transfer) only; accounts serving only NFS file "
        "shares are exempt because NFS 4.1 has no in-transit encryption."
    ),
    validate=_validate,
    severity=Severity.HIGH,
    framework=PolicyComplianceFramework(name=CHECKOV, reference="CKV_AZURE_3"),
    remediation_steps=(
        "Set enableHttpsTrafficOnly=True (or leave it unset). Only an account whose file shares "
        "are all enabledProtocols='NFS' may set it to False; keep such accounts behind a "
        "default-deny firewall or private endpoint."
    ),
    url=azure_policy_url("404c3081-a854-4457-ae30-26a93ef643f9"),
    tags=["azure", "storage", "encryption-in-transit"],
)
