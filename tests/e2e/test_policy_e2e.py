"""End to end: small Pulumi programs with deliberate defects, previewed with the policy pack.

Every test runs the installed ``infra`` console script (``infra preview``), which runs the
program under Pulumi's mock runtime and evaluates ``policies/`` in its own process over the
gRPC Analyzer interface the Pulumi CLI uses, with a ``--policy-pack-config`` file, as in

    infra preview -C <program> --policy-pack policies --policy-pack-config policies/config/prod.json

The programs live in ``tests/fixtures/programs/``:

* ``seed-defects``: the original sketch (in-tree ``azureFile`` PV, claims without
  ``storageClassName``, share without quota, insecure storage account without
  FileServiceProperties (share soft delete), AKS without identity, RBAC or network policy);
* ``binding-mistakes``: hardened storage, volumes that cannot bind or mount as intended;
* ``unprotected-prod-data``: hardened storage whose data one destroy would delete;
* ``compliant``: stack ``test`` passes every config; stack ``shortcuts`` is the same program
  without the storage lock and the SMB mount options.

Expectations are exact: the set of (policy, resource) pairs with their enforcement level,
a key fragment of each message, and the exit code (1 with a mandatory violation, else 0).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from infra.render.escape import md_text
from policies.registry import ALL_POLICIES
from tests.conftest import FIXTURES, REPO_ROOT
from tests.conftest import STACKS as ENVIRONMENTS

# End to end: every fixture program through the CLI and the real pack's processes.
pytestmark = pytest.mark.slow

PROGRAMS = FIXTURES / "programs"
PACK = REPO_ROOT / "policies"
CONFIG_DIR = PACK / "config"
PACK_NAME = "aks-rwx-training"
DESCRIPTIONS = {policy.name: policy.description for policy in ALL_POLICIES}
POLICIES = {policy.name: policy for policy in ALL_POLICIES}

M, A = "mandatory", "advisory"

# (policy, Pulumi resource name) -> (enforcement level, fragment of the message)
Expected = dict[tuple[str, str | None], tuple[str, str]]

NO_KEY = "kubernetes-core-persistentvolume-no-account-key"


def key_in_kubernetes(secret: str, *volumes: str) -> Expected:
    """The fixture programs predate issue 21: each keeps the account key in a Secret that its
    SMB volumes mount with, which is now mandatory everywhere."""
    return {(NO_KEY, secret): (M, "holds a storage account key (")} | {
        (NO_KEY, volume): (
            M,
            "mounts its Azure file share with the storage account key from a Secret",
        )
        for volume in volumes
    }


SEED_PROD: Expected = {
    # Kubernetes: in-tree volume, claim without storageClassName, no mount options
    ("kubernetes-core-persistentvolume-azurefile-csi-driver", "datasets-pv"): (
        M,
        "PersistentVolume 'datasets' uses the in-tree azureFile volume source; use spec.csi "
        "with driver 'file.csi.azure.com'",
    ),
    ("kubernetes-core-persistentvolumeclaim-storageclass-explicit", "datasets-pvc"): (
        M,
        "PersistentVolumeClaim 'training/datasets' binds PersistentVolume 'datasets' through "
        "volumeName but does not set storageClassName",
    ),
    ("kubernetes-core-persistentvolumeclaim-storageclass-matches-volume", "datasets-pvc"): (
        M,
        "does not set storageClassName, so the default StorageClass would be injected and it "
        "would never bind PersistentVolume 'datasets' (storageClassName '')",
    ),
    ("kubernetes-core-persistentvolume-smb-mount-options", "datasets-pv"): (
        A,
        "PersistentVolume 'datasets' is an SMB Azure Files volume without mount options uid, "
        "gid, dir_mode, file_mode",
    ),
    # AKS
    ("azure-native-containerservice-managedcluster-rbac-enabled", "training"): (
        M,
        "ManagedCluster 'aks-training' has enableRBAC false; set enableRBAC to true.",
    ),
    ("azure-native-containerservice-managedcluster-managed-identity", "training"): (
        M,
        "ManagedCluster 'aks-training' does not set identity",
    ),
    ("azure-native-containerservice-managedcluster-network-policy", "training"): (
        M,
        "ManagedCluster 'aks-training' does not set networkProfile.networkPolicy",
    ),
    ("azure-native-containerservice-managedcluster-entra-id-enabled", "training"): (
        M,
        "does not enable managed Microsoft Entra ID integration",
    ),
    ("azure-native-containerservice-managedcluster-local-accounts-disabled", "training"): (
        M,
        "keeps local accounts enabled",
    ),
    ("azure-native-containerservice-managedcluster-api-server-access-restricted", "training"): (
        M,
        "is not a private cluster; this environment requires "
        "apiServerAccessProfile.enablePrivateCluster true",
    ),
    ("azure-native-containerservice-managedcluster-required-tags", "training"): (
        M,
        "is missing required tags: environment, owner, cost-center",
    ),
    ("azure-native-containerservice-managedcluster-encryption-at-host", "training"): (
        M,
        "ManagedCluster 'aks-training' agent pool 'system' does not set enableEncryptionAtHost",
    ),
    ("azure-native-containerservice-managedcluster-ephemeral-os-disk", "training"): (
        M,
        "ManagedCluster 'aks-training' agent pool 'system' does not set osDiskType",
    ),
    ("azure-native-containerservice-managedcluster-max-pods", "training"): (
        M,
        "ManagedCluster 'aks-training' agent pool 'system' does not set maxPods",
    ),
    ("azure-native-containerservice-managedcluster-azure-monitor", "training"): (
        M,
        "ManagedCluster 'aks-training' does not send Container Insights logs to a Log Analytics "
        "workspace",
    ),
    # Storage account and share
    ("azure-native-storage-storageaccount-https-only", "trainingdata"): (
        M,
        "StorageAccount 'sttrainingdata' sets enableHttpsTrafficOnly to false but serves SMB "
        "share(s) 'datasets'",
    ),
    ("azure-native-storage-storageaccount-min-tls-12", "trainingdata"): (
        M,
        "StorageAccount 'sttrainingdata' has minimumTlsVersion 'TLS1_0'",
    ),
    ("azure-native-storage-storageaccount-blob-public-access-disabled", "trainingdata"): (
        M,
        "sets allowBlobPublicAccess to true",
    ),
    ("azure-native-storage-storageaccount-network-default-deny", "trainingdata"): (
        M,
        "has networkRuleSet.defaultAction 'Allow'; set it to 'Deny'",
    ),
    ("azure-native-storage-storageaccount-replication-allowed", "trainingdata"): (
        M,
        "uses sku 'Standard_LRS', which is not allowed; allowed SKUs: Standard_ZRS, "
        "Premium_LRS, Premium_ZRS, StandardV2_ZRS, PremiumV2_LRS, PremiumV2_ZRS, Standard_GZRS, "
        "StandardV2_GZRS.",
    ),
    ("azure-native-storage-storageaccount-required-tags", "trainingdata"): (
        M,
        "StorageAccount 'sttrainingdata' is missing required tags: environment, owner, "
        "cost-center.",
    ),
    ("azure-native-storage-storageaccount-public-network-access-disabled", "trainingdata"): (
        M,
        "StorageAccount 'sttrainingdata' does not set publicNetworkAccess",
    ),
    ("azure-native-storage-storageaccount-private-endpoint", "trainingdata"): (
        M,
        "StorageAccount 'sttrainingdata' has no private endpoint for its file service",
    ),
    ("azure-native-storage-fileshare-quota-set", "datasets"): (
        M,
        "FileShare 'datasets' does not set shareQuota",
    ),
    ("azure-native-storage-storageaccount-share-soft-delete-configured", "trainingdata"): (
        M,
        "StorageAccount 'sttrainingdata' has file share(s) 'datasets' but no "
        "FileServiceProperties in this stack",
    ),
    ("pulumi-resourceoptions-storage-protect", "trainingdata"): (
        M,
        "Resource 'trainingdata' (azure-native:storage:StorageAccount) is not protected",
    ),
    ("pulumi-resourceoptions-storage-protect", "datasets"): (
        M,
        "Resource 'datasets' (azure-native:storage:FileShare) is not protected",
    ),
    ("azure-native-storage-storageaccount-delete-lock", "trainingdata"): (
        M,
        "StorageAccount 'sttrainingdata' has no CanNotDelete management lock",
    ),
}

SEED_PROD |= key_in_kubernetes("azure-files", "datasets-pv")

# dev.json: Standard_LRS allowed, protect, lock, Azure Monitor and the private endpoint
# disabled, local accounts and ephemeral OS disks advisory, and a public API server is
# acceptable only with authorized IP ranges.
SEED_DEV: Expected = {
    key: value
    for key, value in SEED_PROD.items()
    if key[0]
    not in {
        "azure-native-storage-storageaccount-replication-allowed",
        "pulumi-resourceoptions-storage-protect",
        "azure-native-storage-storageaccount-delete-lock",
        "azure-native-containerservice-managedcluster-azure-monitor",
        "azure-native-storage-storageaccount-public-network-access-disabled",
        "azure-native-storage-storageaccount-private-endpoint",
    }
} | {
    ("azure-native-containerservice-managedcluster-ephemeral-os-disk", "training"): (
        A,
        "ManagedCluster 'aks-training' agent pool 'system' does not set osDiskType",
    ),
    ("azure-native-containerservice-managedcluster-local-accounts-disabled", "training"): (
        A,
        "ManagedCluster 'aks-training' keeps local accounts enabled",
    ),
    ("azure-native-containerservice-managedcluster-api-server-access-restricted", "training"): (
        M,
        "ManagedCluster 'aks-training' exposes its API server to every address",
    ),
}

# The binding rules are mandatory in every environment.
BINDING: Expected = {
    ("kubernetes-core-persistentvolumeclaim-request-within-volume-capacity", "checkpoints-pvc"): (
        M,
        "PersistentVolumeClaim 'training/checkpoints' requests '1200Gi' but its "
        "PersistentVolume 'training-checkpoints' provides only '1Ti'",
    ),
    ("kubernetes-core-persistentvolume-capacity-within-share-quota", "datasets-pv"): (
        M,
        "PersistentVolume 'training-datasets' has capacity '1.5Ti' but file share "
        "'stbinding001/datasets' has shareQuota 1024 GiB",
    ),
    ("kubernetes-core-persistentvolume-volumehandle-unique", "datasets-pv"): (
        M,
        "PersistentVolumes 'training-datasets', 'eval-datasets' share volumeHandle "
        "'rg-binding#stbinding001#datasets'",
    ),
    ("kubernetes-core-persistentvolume-volumehandle-unique", "eval-datasets-pv"): (
        M,
        "PersistentVolumes 'training-datasets', 'eval-datasets' share volumeHandle "
        "'rg-binding#stbinding001#datasets'",
    ),
    ("kubernetes-core-persistentvolume-node-stage-secret-exists", "checkpoints-pv"): (
        M,
        "PersistentVolume 'training-checkpoints' references node-stage secret "
        "'training/azure-storage-secret', which is not a Secret in this stack",
    ),
    ("kubernetes-core-persistentvolume-reclaim-retain", "checkpoints-pv"): (
        M,
        "PersistentVolume 'training-checkpoints' has persistentVolumeReclaimPolicy 'Delete'",
    ),
    ("kubernetes-storage-storageclass-reclaim-retain", "azurefile-training"): (
        M,
        "StorageClass 'azurefile-training' (provisioner 'file.csi.azure.com') has "
        "reclaimPolicy 'Delete'",
    ),
}

BINDING |= key_in_kubernetes(
    "azure-files-creds", "datasets-pv", "checkpoints-pv", "eval-datasets-pv"
)

# Backups are required in staging and prod only (dev.json disables the rule).
BINDING_PROD: Expected = BINDING | {
    ("azure-native-storage-fileshare-backup-protected", "datasets-share"): (
        M,
        "FileShare 'datasets' holds volume(s) 'training-datasets', 'eval-datasets' but no Azure "
        "Backup protected item covers it",
    ),
    ("azure-native-storage-fileshare-backup-protected", "checkpoints-share"): (
        M,
        "FileShare 'checkpoints' holds volume(s) 'training-checkpoints' but no Azure Backup "
        "protected item covers it",
    ),
}

NO_DELETE_BEFORE_REPLACE: Expected = {
    ("pulumi-resourceoptions-stateful-no-delete-before-replace", "datasets-pv"): (
        M,
        "Resource 'datasets-pv' (kubernetes:core/v1:PersistentVolume) sets deleteBeforeReplace",
    ),
}
NO_DELETE_BEFORE_REPLACE |= key_in_kubernetes("azure-files-creds", "datasets-pv")
UNPROTECTED: Expected = NO_DELETE_BEFORE_REPLACE | {
    ("pulumi-resourceoptions-storage-protect", "account"): (
        M,
        "Resource 'account' (azure-native:storage:StorageAccount) is not protected",
    ),
    ("pulumi-resourceoptions-storage-protect", "datasets-share"): (
        M,
        "Resource 'datasets-share' (azure-native:storage:FileShare) is not protected",
    ),
    ("pulumi-resourceoptions-storage-protect", "checkpoints-share"): (
        M,
        "Resource 'checkpoints-share' (azure-native:storage:FileShare) is not protected",
    ),
    ("azure-native-storage-storageaccount-delete-lock", "account"): (
        M,
        "StorageAccount 'stunprotected001' is locked only with level 'ReadOnly'; add a "
        "'CanNotDelete' lock",
    ),
    ("azure-native-storage-fileshare-backup-protected", "datasets-share"): (
        M,
        "FileShare 'datasets' holds volume(s) 'training-datasets' but no Azure Backup "
        "protected item covers it",
    ),
}

LOCK = "azure-native-storage-storageaccount-delete-lock"
MOUNT_OPTIONS = "kubernetes-core-persistentvolume-smb-mount-options"
LOCK_KEY = (LOCK, "account")
MOUNT_KEY = (MOUNT_OPTIONS, "datasets-pv")
MOUNT_OPTIONS_ONLY: Expected = {
    MOUNT_KEY: (
        A,
        "PersistentVolume 'training-datasets' is an SMB Azure Files volume without mount "
        "options uid, gid, dir_mode, file_mode",
    ),
}
SHORTCUTS: Expected = MOUNT_OPTIONS_ONLY | {
    LOCK_KEY: (M, "StorageAccount 'stcompliant001' has no CanNotDelete management lock"),
}


# --------------------------------------------------------------------------------------------
# Helpers


def config_file(config: str | Path) -> Path:
    return CONFIG_DIR / f"{config}.json" if isinstance(config, str) else config


def preview(
    infra: Any,
    program: str,
    *options: str,
    config: str | Path = "prod",
    stacks: tuple[str, ...] = ("test",),
) -> Any:
    """`infra preview` of a fixture program with the repository's pack and one config file."""
    args = ["preview", "-C", str(PROGRAMS / program)]
    for stack in stacks:
        args += ["-s", stack]
    args += ["--policy-pack", str(PACK), "--policy-pack-config", str(config_file(config))]
    return infra(*args, *options)


def preview_json(infra: Any, program: str, **kwargs: Any) -> tuple[int, list[dict[str, Any]]]:
    result = preview(infra, program, "--json", **kwargs)
    assert result.returncode in (0, 1), result.stderr
    assert result.stderr == ""
    return result.returncode, json.loads(result.stdout)["stacks"]


def resource_name(urn: str | None) -> str | None:
    return urn.split("::")[-1] if urn else None


def violations(stack: Mapping[str, Any]) -> dict[tuple[str, str | None], tuple[str, str]]:
    """(policy, resource name) -> (level, message) of one stack, checking each violation."""
    urns = {r["urn"] for r in stack["resources"]}
    found: dict[tuple[str, str | None], tuple[str, str]] = {}
    for v in stack["violations"]:
        assert v["policyPack"] == PACK_NAME
        assert v["policy"] in DESCRIPTIONS, v["policy"]
        assert v["enforcementLevel"] in (M, A)
        # Stack policies report the URN of a resource of this plan, never a stray one.
        assert v["urn"] is None or v["urn"] in urns, v["urn"]
        # As the CLI shows it: the policy's description, then the policy's own message.
        description, _, _ = v["message"].partition("\n")
        assert description == DESCRIPTIONS[v["policy"]]
        key = (v["policy"], resource_name(v["urn"]))
        assert key not in found, f"reported twice: {key}"
        found[key] = (v["enforcementLevel"], v["message"])
    return found


def levels(found: Mapping[tuple[str, str | None], tuple[str, str]]) -> dict[Any, str]:
    return {key: level for key, (level, _) in found.items()}


def assert_violations(stack: Mapping[str, Any], expected: Expected) -> None:
    found = violations(stack)
    assert levels(found) == levels(expected)
    for key, (_, fragment) in expected.items():
        assert fragment in found[key][1], f"{key}: {found[key][1]!r}"
    # Mandatory first, in the JSON as in the other formats.
    order = [v["enforcementLevel"] for v in stack["violations"]]
    assert order == sorted(order, key=lambda level: level != M)


def expected_exit(expected: Expected) -> int:
    return 1 if any(level == M for level, _ in expected.values()) else 0


def derived_config(
    tmp_path: Path,
    *,
    base: str = "prod",
    set_levels: Mapping[str, str] | None = None,
    settings: Mapping[str, Mapping[str, Any]] | None = None,
    strip_levels: bool = False,
) -> Path:
    """A copy of ``policies/config/<base>.json`` with some levels or settings changed.

    ``strip_levels`` drops every per-policy level first (keeping the settings), so ``"all"``
    decides alone; ``set_levels`` then sets levels (``"all"`` included) and ``settings``
    merges settings into a policy's entry.
    """
    doc: dict[str, Any] = json.loads(config_file(base).read_text())
    if strip_levels:
        for name, entry in list(doc.items()):
            if name == "all":
                continue
            if isinstance(entry, str):
                del doc[name]
            else:
                entry.pop("enforcementLevel", None)
    for name, level in (set_levels or {}).items():
        entry = doc.get(name)
        if isinstance(entry, dict):
            entry["enforcementLevel"] = level
        else:
            doc[name] = level
    for name, values in (settings or {}).items():
        entry = doc.get(name)
        if isinstance(entry, str):
            entry = {"enforcementLevel": entry}
        doc[name] = {**(entry or {}), **values}
    path = tmp_path / f"{base}-derived.json"
    path.write_text(json.dumps(doc, indent=2))
    return path


def test_expectations_name_only_registered_policies() -> None:
    tables = (SEED_PROD, SEED_DEV, BINDING_PROD, UNPROTECTED, SHORTCUTS)
    assert {policy for table in tables for policy, _ in table} <= set(DESCRIPTIONS)


# --------------------------------------------------------------------------------------------
# Defective programs under the repository's own config files (JSON)

CASES = [
    pytest.param("seed-defects", "prod", {"test": SEED_PROD}, id="seed-defects-prod"),
    pytest.param("seed-defects", "dev", {"test": SEED_DEV}, id="seed-defects-dev"),
    pytest.param("binding-mistakes", "prod", {"test": BINDING_PROD}, id="binding-mistakes-prod"),
    pytest.param("binding-mistakes", "dev", {"test": BINDING}, id="binding-mistakes-dev"),
    pytest.param("unprotected-prod-data", "prod", {"test": UNPROTECTED}, id="unprotected-prod"),
    pytest.param(
        "unprotected-prod-data", "dev", {"test": NO_DELETE_BEFORE_REPLACE}, id="unprotected-dev"
    ),
    pytest.param("compliant", "prod", {"test": {}}, id="compliant-prod"),
    pytest.param(
        "compliant", "staging", {"test": {}, "shortcuts": SHORTCUTS}, id="compliant-staging"
    ),
    # Only advisory violations (dev.json disables the lock rule): exit 0.
    pytest.param(
        "compliant", "dev", {"test": {}, "shortcuts": MOUNT_OPTIONS_ONLY}, id="compliant-dev"
    ),
]


@pytest.mark.parametrize(("program", "config", "expected"), CASES)
def test_violations_levels_and_exit_code(
    infra: Any, program: str, config: str, expected: dict[str, Expected]
) -> None:
    code, stacks = preview_json(infra, program, config=config, stacks=tuple(expected))
    assert [(s["project"], s["stack"]) for s in stacks] == [(program, s) for s in expected]
    for doc in stacks:
        assert_violations(doc, expected[doc["stack"]])
    assert code == max(expected_exit(e) for e in expected.values())


# --------------------------------------------------------------------------------------------
# Text and Markdown output

# "[level] pack/policy (severity)  urn"; the severity is what the policy declares.
VIOLATION_LINE = re.compile(r"^    \[(mandatory|advisory)\] (\S+)/(\S+) \((\w+)\)  (\S+)$")


def test_text_lists_mandatory_violations_first_with_a_summary(infra: Any) -> None:
    result = preview(infra, "seed-defects", "--violations-only")
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:3] == ["Stack seed-defects/test", "", "Policy violations:"]
    reported = []
    for index, line in enumerate(lines):
        match = VIOLATION_LINE.match(line)
        if match is None:
            continue
        level, pack, policy, severity, urn = match.groups()
        assert pack == PACK_NAME
        assert severity == POLICIES[policy].severity.value
        assert urn.startswith("urn:pulumi:test::seed-defects::")
        # Each violation is followed by the description and the message, indented.
        assert lines[index + 1] == f"        {DESCRIPTIONS[policy]}"
        assert SEED_PROD[(policy, resource_name(urn))][1] in lines[index + 2]
        reported.append(((policy, resource_name(urn)), level))
    assert dict(reported) == levels(SEED_PROD)
    assert [level for _, level in reported] == [M] * 29 + [A]
    assert not any(line.startswith(" +   ") for line in lines), "--violations-only hides resources"
    assert "Resources:" not in lines
    assert lines[-2] == (
        "  Summary: 7 resources to create (0 protected); 29 mandatory, 1 advisory policy violations"
    )


def test_text_groups_violations_by_stack(infra: Any) -> None:
    result = preview(infra, "compliant", stacks=("test", "shortcuts"))
    assert result.returncode == 1, result.stderr
    text = result.stdout
    sections = re.split(r"^(?=Stack )", text, flags=re.MULTILINE)
    by_stack = {s.splitlines()[0]: s for s in sections if s.strip()}
    assert list(by_stack) == ["Stack compliant/test", "Stack compliant/shortcuts"]

    clean = by_stack["Stack compliant/test"]
    assert re.search(
        r"^ \+   [│ ]*[├└]─ azure-native:authorization:ManagementLockByScope +account-lock +create",
        clean,
        re.MULTILINE,
    )
    assert "Policy violations:" not in clean
    assert "0 mandatory, 0 advisory policy violations" in clean

    dirty = by_stack["Stack compliant/shortcuts"]
    assert "─ azure-native:authorization:ManagementLockByScope " not in dirty
    found = [VIOLATION_LINE.match(line) for line in dirty.splitlines()]
    assert [(m[1], m[3], m[5]) for m in found if m] == [
        (M, LOCK, "urn:pulumi:shortcuts::compliant::azure-native:storage:StorageAccount::account"),
        (
            A,
            MOUNT_OPTIONS,
            "urn:pulumi:shortcuts::compliant::kubernetes:core/v1:PersistentVolume::datasets-pv",
        ),
    ]
    # The violations come after the stack's resources and before its summary.
    assert dirty.index("kubernetes:core/v1:PersistentVolume") < dirty.index("Policy violations:")
    assert dirty.rstrip().endswith("1 mandatory, 1 advisory policy violations")


# The policy links to its URL (every policy of this pack declares one).
MD_ROW = re.compile(
    r"^\| (❌|⚠️) (mandatory|advisory) \| (\w+) \| \[`([^`]+)`\]\((\S+)\) \| `([^`]+)` \| (.+) \|$"
)


def test_markdown_lists_violations_in_a_table(infra: Any) -> None:
    result = preview(infra, "binding-mistakes", "--markdown")
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "### ❌ `binding-mistakes/test`"
    assert "13 mandatory, 0 advisory policy violations" in lines[2]
    header = lines.index("| Level | Severity | Policy | Resource | Message |")
    assert lines[header + 1] == "|---|---|---|---|---|"
    rows = []
    for line in lines[header + 2 :]:
        if not line.startswith("|"):
            break
        match = MD_ROW.match(line)
        assert match, line
        icon, level, severity, policy, url, resource, message = match.groups()
        assert icon == ("❌" if level == M else "⚠️")
        assert (severity, url) == (POLICIES[policy].severity.value, POLICIES[policy].url)
        # Escaped as every Markdown cell is (infra/render/escape.py: its brackets, <, >, &).
        fix = md_text(POLICIES[policy].remediation_steps)
        assert message.endswith(f"<br>**Fix:** {fix}")
        # The cell keeps the description and the message on separate lines.
        assert message.startswith(f"{DESCRIPTIONS[policy]}<br>")
        assert BINDING_PROD[(policy, resource)][1] in message
        rows.append(((policy, resource), level))
    assert dict(rows) == levels(BINDING_PROD)
    assert len(rows) == len(BINDING_PROD)


def test_markdown_marks_clean_and_failing_stacks(infra: Any) -> None:
    result = preview(infra, "compliant", "--markdown", stacks=("test", "shortcuts"))
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    clean = lines.index("### ✅ `compliant/test`")
    dirty = lines.index("### ❌ `compliant/shortcuts`")
    assert clean < dirty
    assert "No policy violations." in lines[clean:dirty]
    rows = [MD_ROW.match(line) for line in lines[dirty:]]
    assert [(m[2], m[4], m[6]) for m in rows if m] == [
        (M, LOCK, "account"),
        (A, MOUNT_OPTIONS, "datasets-pv"),
    ]


# --------------------------------------------------------------------------------------------
# The config file decides levels (and settings)

# compliant/shortcuts: prod.json makes the lock rule mandatory and leaves the mount options
# rule advisory (exit 1). Each case changes that config and expects
# (policy, resource) -> level, and the exit code.
LEVEL_CASES = [
    pytest.param({}, False, {LOCK_KEY: M, MOUNT_KEY: A}, 1, id="prod-as-is"),
    pytest.param({LOCK: "advisory"}, False, {LOCK_KEY: A, MOUNT_KEY: A}, 0, id="lock-advisory"),
    pytest.param({LOCK: "disabled"}, False, {MOUNT_KEY: A}, 0, id="lock-disabled"),
    pytest.param(
        {LOCK: "disabled", MOUNT_OPTIONS: "mandatory"},
        False,
        {MOUNT_KEY: M},
        1,
        id="advisory-policy-made-mandatory-blocks",
    ),
    pytest.param(
        {LOCK: "remediate", MOUNT_OPTIONS: "remediate"},
        False,
        {LOCK_KEY: M, MOUNT_KEY: M},
        1,
        id="remediate-blocks-like-mandatory",
    ),
    # "all" applies first; prod.json's explicit "mandatory" for the lock still wins (CLI rule).
    pytest.param(
        {"all": "advisory"}, False, {LOCK_KEY: M, MOUNT_KEY: A}, 1, id="all-advisory-in-prod"
    ),
    pytest.param({"all": "advisory"}, True, {LOCK_KEY: A, MOUNT_KEY: A}, 0, id="all-advisory"),
    # "all" also overrides a policy's own default level (mount options is advisory in code).
    pytest.param({"all": "mandatory"}, True, {LOCK_KEY: M, MOUNT_KEY: M}, 1, id="all-mandatory"),
    pytest.param({"all": "disabled"}, True, {}, 0, id="all-disabled"),
]


@pytest.mark.parametrize(("set_levels", "strip_levels", "expected", "code"), LEVEL_CASES)
def test_config_file_decides_levels(
    infra: Any,
    tmp_path: Path,
    set_levels: dict[str, str],
    strip_levels: bool,
    expected: dict[tuple[str, str], str],
    code: int,
) -> None:
    config = derived_config(tmp_path, set_levels=set_levels, strip_levels=strip_levels)
    exit_code, (doc,) = preview_json(infra, "compliant", config=config, stacks=("shortcuts",))
    found = violations(doc)
    assert levels(found) == expected
    for key in expected:
        assert SHORTCUTS[key][1] in found[key][1]
    assert exit_code == code


def test_all_advisory_keeps_every_violation_but_does_not_block(infra: Any, tmp_path: Path) -> None:
    config = derived_config(tmp_path, set_levels={"all": "advisory"}, strip_levels=True)
    code, (doc,) = preview_json(infra, "seed-defects", config=config)
    assert levels(violations(doc)) == dict.fromkeys(SEED_PROD, A)
    assert code == 0


def test_config_settings_reach_the_policies(infra: Any, tmp_path: Path) -> None:
    # A Secret managed outside the stack is declared in the policy's exemptSecrets setting.
    config = derived_config(
        tmp_path,
        settings={
            "kubernetes-core-persistentvolume-node-stage-secret-exists": {
                "exemptSecrets": ["training/azure-storage-secret"]
            }
        },
    )
    code, (doc,) = preview_json(infra, "binding-mistakes", config=config)
    expected = {
        key: value
        for key, value in BINDING_PROD.items()
        if key[0] != "kubernetes-core-persistentvolume-node-stage-secret-exists"
    }
    assert_violations(doc, expected)
    assert code == 1


@pytest.mark.parametrize(
    ("change", "error"),
    [
        pytest.param(
            {"azure-native-storage-storageaccount-delete-locks": "disabled"},
            'policy "azure-native-storage-storageaccount-delete-locks" not in pack '
            "aks-rwx-training",
            id="misspelled-policy",
        ),
        pytest.param(
            {LOCK: "warning"},
            f'policy "{LOCK}": "warning" is not a valid enforcement level',
            id="unknown-level",
        ),
    ],
)
def test_config_mistakes_fail_instead_of_being_ignored(
    infra: Any, tmp_path: Path, change: dict[str, str], error: str
) -> None:
    config = derived_config(tmp_path, set_levels=change)
    result = preview(infra, "compliant", "--json", config=config, stacks=("shortcuts",))
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("infra: error: policy pack ")
    assert error in result.stderr


# --------------------------------------------------------------------------------------------
# This repository's own stacks pass their own configs


def test_repository_stacks_pass_their_own_configs(infra: Any) -> None:
    # No --policy-pack: the default pack (policies/) with policies/config/<stack>.json.
    result = infra("preview", "--json")
    assert result.returncode == 0, result.stderr
    stacks = json.loads(result.stdout)["stacks"]
    assert [(s["project"], s["stack"]) for s in stacks] == [
        ("aks-rwx-training", env) for env in ENVIRONMENTS
    ]
    for stack in stacks:
        mandatory = [v for v in stack["violations"] if v["enforcementLevel"] == M]
        assert mandatory == [], stack["stack"]


def test_repository_prod_stack_with_explicit_pack_and_config(infra: Any) -> None:
    # The command policies/README.md documents for the Pulumi CLI, run offline.
    env = "prod"
    result = infra(
        "preview",
        "--stack",
        env,
        "--policy-pack",
        "policies",
        "--policy-pack-config",
        f"policies/config/{env}.json",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    (stack,) = json.loads(result.stdout)["stacks"]
    assert stack["stack"] == env
    assert [v for v in stack["violations"] if v["enforcementLevel"] == M] == []


def test_make_policy_passes(infra: Any) -> None:
    makefile = (REPO_ROOT / "Makefile").read_text()
    recipe = re.search(r"^policy:.*\n\t(.+)$", makefile, flags=re.MULTILINE)
    assert recipe is not None
    command = recipe[1].split()
    assert command == ["$(BIN)/infra", "preview", "--violations-only"]
    result = infra(*command[1:])
    assert result.returncode == 0, result.stdout + result.stderr
    summaries = [line for line in result.stdout.splitlines() if line.startswith("  Summary: ")]
    headers = [line for line in result.stdout.splitlines() if line.startswith("Stack ")]
    assert headers == [f"Stack aks-rwx-training/{env}" for env in ENVIRONMENTS]
    assert len(summaries) == len(ENVIRONMENTS)
    assert all(" 0 mandatory, " in line for line in summaries)
