"""Verdicts name the stack key: every policy declares, beside its POLICY, the stack-file keys
that can cause its verdict (STACK_KEYS); each is a key of the config model, and a stack file
that sets it so gets, on `infra preview`'s verdict, the fix line naming that file, line and key.
"""

from __future__ import annotations

import functools
import json
import re
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any, get_args, get_origin

import pytest
import yaml
from pydantic import BaseModel

from infra.policy import pack_config
from policies import registry
from stacks.config import DECLARED_KEYS
from tests.conftest import run_infra_here
from tests.reliability._support import PROJECT, copy_project

MODULES: dict[str, ModuleType] = {m.POLICY.name: m for m in registry.rule_modules()}
KEYED = {name: m.STACK_KEYS for name, m in MODULES.items() if m.STACK_KEYS}

# Stack-file edits (top-level keys, whole values) that cause verdicts. Each run previews one
# copy of the project; its edits touch unrelated settings, so one run serves several policies.
RUNS: dict[str, tuple[str, dict[str, Any]]] = {
    "data-protection": (
        "prod",
        {
            "monitoring": False,
            "encryptionAtHost": False,
            "lockStorage": False,
            "protectData": False,
            "shareSoftDeleteDays": 7,
            "maxPods": 40,
            "backup": {"dailyRetentionDays": 3},
        },
    ),
    "identity-and-network": (
        "prod",
        {
            "kubernetesVersion": "1.32",
            "storagePrivateEndpoint": False,
            "entraId": False,
            "disableLocalAccounts": False,
        },
    ),
    "pools-and-tags": (
        "prod",
        {
            "systemVmSize": "Standard_D4s_v5",
            "gpuPool": {
                "enabled": True,
                "vmSize": "Standard_NC24ads_A100_v4",
                "minCount": 0,
                "maxCount": 40,
            },
            "tags": {"owner": "ml-platform", "cost-center": " "},
            "privateCluster": False,
            "authorizedIpRanges": ["203.0.113.0/24"],
        },
    ),
    "billing-and-teams": (
        "prod",
        {
            "fileBillingModel": "provisioned-v2-hdd",
            "storageRedundancy": "LRS",
            "teams": {
                "allowGpuOvercommit": True,
                "members": [
                    {
                        "name": "training",
                        "entraGroupObjectId": "00000000-0000-0000-0000-00000000b001",
                        "gpus": 12,
                        "cpu": "144",
                        "memory": "1320Gi",
                    }
                ],
            },
        },
    ),
    "backup-off-and-nodes": ("prod", {"backup": {"enabled": False}, "systemNodeCount": 6}),
    "public-api-server": (
        "staging",
        {"privateCluster": False, "authorizedIpRanges": [], "allowUnrestrictedApiServer": True},
    ),
    "gpu-in-dev": (
        "dev",
        {
            "gpuPool": {
                "enabled": True,
                "vmSize": "Standard_NC24ads_A100_v4",
                "minCount": 0,
                "maxCount": 2,
            }
        },
    ),
}

# policy -> (run, the key its fix line names).
CAUSES: dict[str, tuple[str, str]] = {
    "azure-native-containerservice-managedcluster-api-server-access-restricted": (
        "pools-and-tags",
        "privateCluster",
    ),
    "azure-native-containerservice-managedcluster-azure-monitor": ("data-protection", "monitoring"),
    "azure-native-containerservice-managedcluster-encryption-at-host": (
        "data-protection",
        "encryptionAtHost",
    ),
    "azure-native-containerservice-managedcluster-entra-id-enabled": (
        "identity-and-network",
        "entraId",
    ),
    "azure-native-containerservice-managedcluster-ephemeral-os-disk": (
        "pools-and-tags",
        "systemVmSize",
    ),
    "azure-native-containerservice-managedcluster-kubernetes-version-allowed": (
        "identity-and-network",
        "kubernetesVersion",
    ),
    "azure-native-containerservice-managedcluster-kubernetes-version-supported": (
        "identity-and-network",
        "kubernetesVersion",
    ),
    "azure-native-containerservice-managedcluster-local-accounts-disabled": (
        "identity-and-network",
        "disableLocalAccounts",
    ),
    "azure-native-containerservice-managedcluster-max-pods": ("data-protection", "maxPods"),
    "azure-native-containerservice-managedcluster-node-count-limits": (
        "pools-and-tags",
        "gpuPool.maxCount",
    ),
    "azure-native-containerservice-managedcluster-required-tags": ("pools-and-tags", "tags"),
    "azure-native-containerservice-managedcluster-vm-size-allowed": (
        "pools-and-tags",
        "systemVmSize",
    ),
    "pulumi-resourceoptions-storage-protect": ("data-protection", "protectData"),
    "kubernetes-kueue-clusterqueue-gpu-quota-within-pool": (
        "billing-and-teams",
        "teams.members[0].gpus",
    ),
    "azure-native-storage-fileshare-backup-protected": (
        "data-protection",
        "backup.dailyRetentionDays",
    ),
    "azure-native-storage-storageaccount-delete-lock": ("data-protection", "lockStorage"),
    "azure-native-storage-storageaccount-private-endpoint": (
        "identity-and-network",
        "storagePrivateEndpoint",
    ),
    "azure-native-storage-fileserviceproperties-share-soft-delete": (
        "data-protection",
        "shareSoftDeleteDays",
    ),
    "azure-native-storage-storageaccount-public-network-access-disabled": (
        "identity-and-network",
        "storagePrivateEndpoint",
    ),
    "azure-native-storage-storageaccount-replication-allowed": (
        "billing-and-teams",
        "storageRedundancy",
    ),
    "azure-native-storage-storageaccount-required-tags": ("pools-and-tags", "tags"),
}
# More keys that cause a policy's verdict alone: (policy, run, key).
MORE_CAUSES = [
    ("azure-native-storage-fileshare-backup-protected", "backup-off-and-nodes", "backup.enabled"),
    (
        "azure-native-containerservice-managedcluster-node-count-limits",
        "backup-off-and-nodes",
        "systemNodeCount",
    ),
    (
        "azure-native-containerservice-managedcluster-api-server-access-restricted",
        "public-api-server",
        "allowUnrestrictedApiServer",
    ),
    (
        "azure-native-containerservice-managedcluster-vm-size-allowed",
        "gpu-in-dev",
        "gpuPool.vmSize",
    ),
]
CASES = [(policy, run, key) for policy, (run, key) in CAUSES.items()] + MORE_CAUSES


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next(filter(None, map(_model_in, get_args(annotation))), None)


def _is_list(annotation: Any) -> bool:
    return get_origin(annotation) is list or any(map(_is_list, get_args(annotation)))


def _fields(model: type[BaseModel]) -> dict[str, Any]:
    return {(info.alias or _camel(name)): info for name, info in model.model_fields.items()}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _resolves(key: str) -> bool:
    """Whether `key` (flat; `[]` after a list it goes into) names a field of the config model."""
    parts = key.split(".")
    fields = {name: info for name, (_, info) in DECLARED_KEYS.items()}
    for i, part in enumerate(parts):
        info = fields.get(part.removesuffix("[]"))
        if info is None:
            return False
        last = i == len(parts) - 1
        if part.endswith("[]") != (_is_list(info.annotation) and not last):
            return False
        model = _model_in(info.annotation)
        fields = _fields(model) if model is not None else {}
    return True


def test_every_declared_key_is_a_key_of_the_stack_config():
    for name, keys in KEYED.items():
        for key in keys:
            assert _resolves(key), f"{name}: {key!r} is not a stacks/config.py key"
    assert not _resolves("gpuPool.size")
    assert not _resolves("volumes.quotaGiB")  # a list: volumes[].quotaGiB
    assert _resolves("volumes[].quotaGiB")


def test_the_pack_and_the_tool_spell_the_key_tags_alike():
    assert registry.STACK_KEY_TAG == pack_config.STACK_KEY_TAG
    assert registry.NO_STACK_KEY == pack_config.NO_STACK_KEY


def test_every_keyed_policy_has_a_stack_file_that_causes_it():
    assert set(CAUSES) == set(KEYED)
    for name, _, key in CASES:
        patterns = [re.escape(k).replace(r"\[\]", r"\[\d+\]") for k in KEYED[name]]
        assert any(re.fullmatch(p, key) for p in patterns), (name, key)


def _line_of(text: str, key: str) -> int:
    """The line of `key` in a stack file: a scalar's own, a map's or list's first scalar."""
    node: Any = yaml.compose(text)
    for k, v in node.value:
        if k.value == "config":
            node = v
    parts = re.findall(r"[^.\[\]]+|\[\d+\]", key)
    parts[0] = f"{PROJECT}:{parts[0]}"
    for part in parts:
        if part.startswith("["):
            node = node.value[int(part[1:-1])]
        else:
            node = next(v for k, v in node.value if k.value == part)
    while not isinstance(node, yaml.ScalarNode):
        node = node.value[0][1] if isinstance(node, yaml.MappingNode) else node.value[0]
    return int(node.start_mark.line) + 1


@functools.cache
def _project(run: str) -> Path:
    """A copy of the project whose stack file has the run's edits."""
    stack, edits = RUNS[run]
    project = copy_project(Path(tempfile.mkdtemp(prefix="stack-keys-")) / "project")
    stack_file = project / "stacks" / f"Pulumi.{stack}.yaml"
    document = yaml.safe_load(stack_file.read_text())
    document["config"].update({f"{PROJECT}:{key}": value for key, value in edits.items()})
    stack_file.write_text(yaml.safe_dump(document, sort_keys=False))
    return project


@functools.cache
def _preview(run: str, *flags: str) -> tuple[str, str]:
    """(the edited stack file's text, `infra preview` of it, `--violations-only` by default)."""
    stack, _ = RUNS[run]
    project = _project(run)
    shown = flags or ("--violations-only",)
    result = run_infra_here("preview", "-C", str(project), "-s", stack, *shown)
    assert result.returncode == 1, result.stderr
    return (project / "stacks" / f"Pulumi.{stack}.yaml").read_text(), result.stdout


def _verdicts(output: str, policy: str) -> list[list[str]]:
    """The indented lines under each of `policy`'s verdicts."""
    blocks: list[list[str]] = []
    current: list[str] | None = None
    for line in output.splitlines():
        if re.match(r"    \[(mandatory|advisory)\] ", line):
            current = [] if re.search(rf"/{re.escape(policy)}[ (]", line) else None
            if current is not None:
                blocks.append(current)
        elif current is not None and line.startswith("        "):
            current.append(line.strip())
        else:
            current = None
    return blocks


@pytest.mark.parametrize(("policy", "run", "key"), CASES, ids=[f"{p}-{k}" for p, _, k in CASES])
def test_a_stack_setting_that_causes_a_verdict_is_its_fix_line(policy: str, run: str, key: str):
    stack, _ = RUNS[run]
    text, output = _preview(run)
    verdicts = _verdicts(output, policy)
    assert verdicts, f"{run} caused no {policy} verdict:\n{output}"
    fix = f"fix: stacks/Pulumi.{stack}.yaml:{_line_of(text, key)}: {key}"
    for lines in verdicts:
        assert fix in lines, lines
        # Every fix line names a key the policy declares; the pack's remediation follows.
        for line in lines:
            if line.startswith("fix: stacks/"):
                named = line.rsplit(": ", 1)[1]
                assert any(
                    re.fullmatch(re.escape(k).replace(r"\[\]", r"\[\d+\]"), named)
                    for k in KEYED[policy]
                ), line
    assert not any(line.startswith("fix: policies/config") for b in verdicts for line in b)


def test_a_policy_finding_several_places_of_one_resource_is_one_verdict():
    """kubernetesVersion 1.32 is not allowed on the cluster nor on its system pool profile,
    both parts of one ManagedCluster: one verdict per (policy, resource), each finding a line."""
    _, output = _preview("identity-and-network")
    headers = [line for line in output.splitlines() if re.match(r"    \[\w+\] ", line)]
    assert len(headers) == len(set(headers))
    policy = "azure-native-containerservice-managedcluster-kubernetes-version-allowed"
    on_cluster = [b for b in _verdicts(output, policy) if any("ManagedCluster '" in x for x in b)]
    assert len(on_cluster) == 1
    findings = [x for x in on_cluster[0] if "'1.32'" in x]
    assert len(findings) == 2 and "agent pool 'system'" in findings[1], on_cluster


def test_sarif_and_markdown_name_the_key_and_its_line():
    """Code scanning annotates the stack file's line; the Markdown report names the change."""
    policy = "azure-native-containerservice-managedcluster-max-pods"
    text, sarif = _preview("data-protection", "--format", "sarif")
    line = _line_of(text, "maxPods")
    results = [r for r in json.loads(sarif)["runs"][0]["results"] if r["ruleId"] == policy]
    assert results
    for result in results:
        first = result["locations"][0]
        assert first["physicalLocation"] == {
            "artifactLocation": {"uri": "stacks/Pulumi.prod.yaml"},
            "region": {"startLine": line},
        }
        assert first["message"]["text"] == "set by config key maxPods"
    _, markdown = _preview("data-protection", "--markdown")
    rows = [row for row in markdown.splitlines() if f"[`{policy}`]" in row]
    assert rows
    for row in rows:
        assert (
            f"<br>**Fix:** change `maxPods` (line {line}) in `stacks/Pulumi.prod.yaml`; or: " in row
        )
