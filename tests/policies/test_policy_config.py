"""policies/config/<env>.json: valid, strict enough, and compatible with the repo's stacks."""

from __future__ import annotations

import itertools
import json
from typing import Any

import jsonschema
import pytest
from policy_fixtures import POOL_HARDENING, good_stack
from policy_harness import StackResource, run_resource, run_stack
from pulumi_policy import EnforcementLevel, Policy, ResourceValidationPolicy

from policies.registry import ALL_POLICIES
from tests.conftest import REPO_ROOT
from tests.conftest import STACKS as ENVS

CONFIG_DIR = REPO_ROOT / "policies" / "config"
LEVELS = {"disabled": 0, "advisory": 1, "mandatory": 2}
BY_NAME = {p.name: p for p in ALL_POLICIES}

# Rules no environment may relax: RWX, Retain, CSI and claim binding.
CORE_RULES = {
    "kubernetes-core-persistentvolume-access-mode-rwx",
    "kubernetes-core-persistentvolumeclaim-azurefiles-rwx",
    "kubernetes-core-persistentvolume-reclaim-retain",
    "kubernetes-storage-storageclass-reclaim-retain",
    "kubernetes-core-persistentvolume-azurefile-csi-driver",
    # Issue 21: no storage key in Kubernetes or state, in any environment.
    "kubernetes-core-persistentvolume-no-account-key",
    "azure-native-containerservice-managedcluster-file-csi-driver-enabled",
    "kubernetes-core-persistentvolumeclaim-storageclass-explicit",
    "kubernetes-core-persistentvolumeclaim-storageclass-matches-volume",
    "kubernetes-core-persistentvolumeclaim-request-within-volume-capacity",
}
# Advice, not gates, even in prod: each flags what may fail at run time but cannot be decided
# from the plan alone (the training image's user, a claim another program declares).
ADVISORY_IN_PROD = {
    "kubernetes-core-persistentvolume-smb-mount-options",
    "kubernetes-core-podspec-multi-pod-claim-declared",
    "kubernetes-core-podspec-gpu-shm-memory",
    "kubernetes-core-podspec-shared-claim-run-as-owner",
    "kubernetes-kueue-clusterqueue-gpu-quota-within-pool",
}


def load(env: str) -> dict[str, Any]:
    return json.loads((CONFIG_DIR / f"{env}.json").read_text())


def level(config: dict[str, Any], policy: Policy) -> str:
    """The enforcement level the CLI applies: the policy's entry, else "all", else the code."""
    entry = config.get(policy.name)
    if isinstance(entry, str):
        return entry
    if isinstance(entry, dict) and "enforcementLevel" in entry:
        return str(entry["enforcementLevel"])
    if "all" in config:
        return str(config["all"])
    code = policy.enforcement_level or EnforcementLevel.MANDATORY
    return code.value


def settings(config: dict[str, Any], policy: Policy) -> dict[str, Any]:
    entry = config.get(policy.name)
    if not isinstance(entry, dict):
        return {}
    return {k: v for k, v in entry.items() if k != "enforcementLevel"}


def test_every_environment_has_a_config_file() -> None:
    assert sorted(p.stem for p in CONFIG_DIR.glob("*.json")) == sorted(ENVS)


@pytest.mark.parametrize("env", ENVS)
def test_config_names_registered_policies_with_valid_levels(env: str) -> None:
    config = load(env)
    assert config.get("all") in LEVELS
    for name, entry in config.items():
        if name == "all":
            continue
        assert name in BY_NAME, f"{env}.json configures unknown policy {name}"
        if isinstance(entry, str):
            assert entry in LEVELS, (env, name, entry)
            continue
        assert isinstance(entry, dict), (env, name)
        assert entry.get("enforcementLevel") in LEVELS, (env, name)


@pytest.mark.parametrize("env", ENVS)
def test_config_settings_validate_against_policy_schemas(env: str) -> None:
    config = load(env)
    for name, entry in config.items():
        if name == "all" or not isinstance(entry, dict):
            continue
        policy = BY_NAME[name]
        values = settings(config, policy)
        if not values:
            continue
        assert policy.config_schema is not None, f"{name} takes no settings"
        schema = {
            "type": "object",
            "properties": policy.config_schema.properties,
            "required": policy.config_schema.required or [],
            "additionalProperties": False,
        }
        jsonschema.validate(values, schema, cls=jsonschema.Draft7Validator)


@pytest.mark.parametrize("env", ENVS)
def test_core_rules_are_mandatory_everywhere(env: str) -> None:
    config = load(env)
    assert BY_NAME.keys() >= CORE_RULES
    assert {n: level(config, BY_NAME[n]) for n in sorted(CORE_RULES)} == dict.fromkeys(
        sorted(CORE_RULES), "mandatory"
    )


def test_prod_is_mandatory_except_the_advisory_rules() -> None:
    config = load("prod")
    levels = {p.name: level(config, p) for p in ALL_POLICIES}
    assert {n for n, lv in levels.items() if lv != "mandatory"} == ADVISORY_IN_PROD
    assert all(levels[n] == "advisory" for n in ADVISORY_IN_PROD)


def test_protection_rules_are_mandatory_in_staging_and_prod() -> None:
    for env in ("staging", "prod"):
        config = load(env)
        for name in (
            "pulumi-resourceoptions-storage-protect",
            "azure-native-storage-storageaccount-delete-lock",
            "pulumi-resourceoptions-stateful-no-delete-before-replace",
            "azure-native-storage-fileshare-backup-protected",
        ):
            assert level(config, BY_NAME[name]) == "mandatory", (env, name)


@pytest.mark.parametrize(("looser", "stricter"), list(itertools.pairwise(ENVS)))
def test_environments_get_stricter(looser: str, stricter: str) -> None:
    """Each environment is held to at least the rules of the one deployed before it."""
    low, high = load(looser), load(stricter)
    for policy in ALL_POLICIES:
        assert LEVELS[level(high, policy)] >= LEVELS[level(low, policy)], policy.name

    def setting(config: dict[str, Any], policy: str, key: str) -> Any:
        values = settings(config, BY_NAME[policy])
        return values.get(key, BY_NAME[policy].config_schema.properties[key]["default"])  # type: ignore[union-attr]

    soft_delete = "azure-native-storage-fileserviceproperties-share-soft-delete"
    assert setting(high, soft_delete, "minimumDays") >= setting(low, soft_delete, "minimumDays")
    sku = "azure-native-storage-storageaccount-replication-allowed"
    assert set(setting(high, sku, "allowedSkus")) <= set(setting(low, sku, "allowedSkus"))
    version = "azure-native-containerservice-managedcluster-kubernetes-version-allowed"
    assert set(setting(high, version, "allowedVersions")) <= set(
        setting(low, version, "allowedVersions")
    )
    for tags in (
        "azure-native-storage-storageaccount-required-tags",
        "azure-native-containerservice-managedcluster-required-tags",
    ):
        assert set(setting(high, tags, "requiredTags")) >= set(setting(low, tags, "requiredTags"))
    api = "azure-native-containerservice-managedcluster-api-server-access-restricted"
    assert setting(high, api, "requirePrivateCluster") >= setting(low, api, "requirePrivateCluster")


def test_environment_minimum_soft_delete_days() -> None:
    name = "azure-native-storage-fileserviceproperties-share-soft-delete"
    expected = {"dev": 7, "staging": 14, "prod": 30}
    assert {env: settings(load(env), BY_NAME[name])["minimumDays"] for env in expected} == expected


def test_environment_minimum_daily_backup_retention() -> None:
    """Backups are off in dev (backup.enabled false) and required with the retention the
    stacks keep (backup.dailyRetentionDays, 30 by default) in staging and prod."""
    name = "azure-native-storage-fileshare-backup-protected"
    assert level(load("dev"), BY_NAME[name]) == "disabled"
    expected = {"staging": 14, "prod": 30}
    days = {
        env: settings(load(env), BY_NAME[name])["minimumDailyRetentionDays"] for env in expected
    }
    assert days == expected


# --- the configs accept the stacks the repository deploys ----------------------------------


# The backup's resources: azure-native's Recovery Services and the classic provider's items.
BACKUP_TYPES = ("azure-native:recoveryservices:", "azure:backup/")


def _public_api(cluster: dict[str, Any]) -> None:
    cluster["apiServerAccessProfile"] = {"authorizedIPRanges": ["203.0.113.0/24"]}


def _system_pool_only(cluster: dict[str, Any], count: int) -> None:
    """No GPU pool: one fixed-size System pool, as components/cluster.py builds it."""
    cluster["agentPoolProfiles"] = [
        {
            "name": "system",
            "mode": "System",
            "type": "VirtualMachineScaleSets",
            "osType": "Linux",
            "vmSize": "Standard_D4ds_v5",
            "count": count,
            "orchestratorVersion": "1.36",
            "enableNodePublicIP": False,
            **POOL_HARDENING,
        }
    ]


def _standard_account(stack: dict[str, StackResource], sku: str, tags: dict[str, str]) -> None:
    account = stack["account"].props
    account.update({"kind": "StorageV2", "sku": {"name": sku}, "tags": tags})
    account.pop("largeFileSharesState")
    stack["aks"].props["tags"] = dict(tags)
    stack["share-datasets"].props.update({"shareQuota": 1024, "accessTier": "TransactionOptimized"})
    stack["share-checkpoints"].props.update({"accessTier": "TransactionOptimized"})


def dev_stack() -> dict[str, StackResource]:
    """Standard_LRS SMB, no GPU, public API server with authorized ranges, Entra ID on,
    local accounts still enabled, not protected, no lock, 7-day soft delete."""
    stack = good_stack()
    tags = {"environment": "dev", "owner": "ml-platform", "cost-center": "ml-training"}
    _standard_account(stack, "Standard_LRS", tags)
    stack["file-service"].props["shareDeleteRetentionPolicy"]["days"] = 7
    cluster = stack["aks"].props
    _public_api(cluster)
    _system_pool_only(cluster, 1)
    cluster["disableLocalAccounts"] = False
    # dev opts out of what costs money: Azure Monitor and the private endpoint.
    del cluster["addonProfiles"], cluster["azureMonitorProfile"]
    stack["account"].props["publicNetworkAccess"] = "Enabled"
    for res in stack.values():
        res.protect = False
    del stack["account-lock"], stack["file-endpoint"], stack["file-dns"], stack["file-zone"]
    # backup.enabled is false in dev: no vault, policy, container or protected items.
    for name in [n for n, res in stack.items() if res.type.startswith(BACKUP_TYPES)]:
        del stack[name]
    return stack


def staging_stack() -> dict[str, StackResource]:
    """Standard_GZRS SMB, protected and locked, 14-day soft delete, public API with ranges."""
    stack = good_stack()
    tags = {"environment": "staging", "owner": "ml-platform", "cost-center": "cc-1234"}
    _standard_account(stack, "Standard_GZRS", tags)
    stack["file-service"].props["shareDeleteRetentionPolicy"]["days"] = 14
    _public_api(stack["aks"].props)
    _system_pool_only(stack["aks"].props, 3)
    return stack


# Hand-built stacks shaped like dev's, staging's and prod's plans. Every environment's real plan
# passes its config in tests/infra/test_preview_repo.py.
STACKS = {"dev": dev_stack, "staging": staging_stack, "prod": good_stack}


def evaluate(env: str, stack: dict[str, StackResource]) -> list[tuple[str, str, str]]:
    """(level, policy, message) of every violation under the env's config, like a preview."""
    config = load(env)
    found = []
    for policy in ALL_POLICIES:
        lv = level(config, policy)
        if lv == "disabled":
            continue
        values = settings(config, policy)
        if isinstance(policy, ResourceValidationPolicy):
            messages = [
                message
                for res in stack.values()
                for message in run_resource(
                    policy, res.type, res.props, name=res.name, protect=res.protect, settings=values
                )
            ]
        else:
            messages = run_stack(policy, stack.values(), settings=values)
        found.extend((lv, policy.name, m) for m in messages)
    return found


@pytest.mark.parametrize("env", STACKS)
def test_config_accepts_the_environment_stack(env: str) -> None:
    violations = evaluate(env, STACKS[env]())
    assert [v for v in violations if v[0] == "mandatory"] == []
    if env == "dev":
        assert violations == [
            (
                "advisory",
                "azure-native-containerservice-managedcluster-local-accounts-disabled",
                "ManagedCluster 'aks-train-prod' keeps local accounts enabled; set "
                "disableLocalAccounts to true.",
            )
        ]
    else:
        assert violations == []


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_geo_redundancy_is_allowed_on_top_of_zones_only(env: str) -> None:
    # GZRS keeps ZRS in the primary region; GRS is LRS there, which staging and prod refuse.
    sku = "azure-native-storage-storageaccount-replication-allowed"
    for account_sku, allowed in (("Standard_GZRS", True), ("Standard_GRS", False)):
        stack = staging_stack()
        stack["account"].props["sku"] = {"name": account_sku}
        failing = {name for lv, name, _ in evaluate(env, stack) if lv == "mandatory"}
        assert (sku not in failing) is allowed, account_sku


def test_prod_config_rejects_the_dev_stack() -> None:
    failing = {name for lv, name, _ in evaluate("prod", dev_stack()) if lv == "mandatory"}
    assert failing == {
        "azure-native-storage-storageaccount-replication-allowed",
        "azure-native-storage-fileserviceproperties-share-soft-delete",
        "azure-native-containerservice-managedcluster-local-accounts-disabled",
        "azure-native-containerservice-managedcluster-api-server-access-restricted",
        "pulumi-resourceoptions-storage-protect",
        "azure-native-storage-storageaccount-delete-lock",
        "azure-native-containerservice-managedcluster-azure-monitor",
        "azure-native-storage-storageaccount-public-network-access-disabled",
        "azure-native-storage-storageaccount-private-endpoint",
        "azure-native-storage-fileshare-backup-protected",
    }
