"""The stack-file settings behind a verdict: by line, never a secret, never a mere name."""

from __future__ import annotations

from pathlib import Path

from infra.engine.model import PolicyRule, Resource, Violation
from infra.engine.project import Setting, load_project, stack_file_settings
from infra.readers.config_origin import (
    effective_values,
    once_per_resource,
    settings_behind,
    stack_keys_behind,
)

STACK_FILE = """\
config:
  demo:clusterName: aks-demo
  demo:kubernetesVersion: "1.32"
  demo:gpuPool:
    vmSize: Standard_NC24ads_A100_v4
    enabled: true
  demo:password:
    secure: AAABAHNlY3JldA==
  demo:zones: ["1", "2"]
"""


def _project(tmp_path: Path) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: demo\nruntime: python\n")
    (tmp_path / "__main__.py").write_text("")
    (tmp_path / "Pulumi.dev.yaml").write_text(STACK_FILE)
    return tmp_path


def test_every_scalar_setting_with_its_line_and_no_secret(tmp_path: Path) -> None:
    settings = stack_file_settings(load_project(_project(tmp_path)), "dev")
    assert settings == [
        Setting("demo:clusterName", "aks-demo", 2),
        Setting("demo:kubernetesVersion", "1.32", 3),
        Setting("demo:gpuPool.vmSize", "Standard_NC24ads_A100_v4", 5),
        Setting("demo:gpuPool.enabled", "true", 6),
        Setting("demo:zones[0]", "1", 9),
        Setting("demo:zones[1]", "2", 9),
    ]


def test_a_setting_is_behind_a_verdict_that_names_its_value(tmp_path: Path) -> None:
    settings = stack_file_settings(load_project(_project(tmp_path)), "dev")
    cluster = Resource(
        "urn:c",
        "azure-native:containerservice:ManagedCluster",
        "aks",
        True,
        None,
        None,
        {
            "resourceName": "aks-demo",
            "dnsPrefix": "aks-demo",
            "kubernetesVersion": "1.32",
            "agentPoolProfiles": [{"vmSize": "Standard_NC24ads_A100_v4", "count": 1}],
            "enableRbac": True,
        },
    )
    message = "ManagedCluster 'aks-demo' uses Kubernetes '1.32', which is not allowed"
    assert [s.key for s in settings_behind(cluster, message, settings)] == [
        "demo:kubernetesVersion"
    ]
    # The value must be in the inputs too, and booleans and one-character values never count.
    assert settings_behind(cluster, "pool 'gpu' has 1 node and true", settings) == []
    other = "vmSize Standard_NC24ads_A100_v4 is not allowed"
    assert [s.key for s in settings_behind(cluster, other, settings)] == ["demo:gpuPool.vmSize"]


def _declaring(*keys: str) -> PolicyRule:
    return PolicyRule("p", "", "", "", "", "", stack_keys=keys)


def _keys(violation: Violation, resource: Resource | None, tmp_path: Path) -> list[str]:
    project = load_project(_project(tmp_path))
    values = effective_values(
        {
            "demo:clusterName": "aks-demo",
            "demo:kubernetesVersion": "1.32",
            "demo:systemVmSize": "Standard_D4ds_v5",
            "demo:gpuPool": '{"vmSize": "Standard_NC24ads_A100_v4", "enabled": true}',
            "demo:volumes": '[{"name": "datasets", "quotaGiB": 100}, {"name": "ckpt"}]',
            "other:clusterName": "x",
        },
        "demo",
    )
    settings = stack_file_settings(project, "dev")
    return [
        str(k)
        for k in stack_keys_behind(violation, resource, settings, values, "demo", "Pulumi.dev.yaml")
    ]


def test_a_declared_key_is_named_with_its_line_and_narrowed_by_the_message(tmp_path: Path):
    vm_size = _declaring("systemVmSize", "gpuPool.vmSize")
    allowed = "allowed sizes: Standard_D4ds_v5, Standard_D8ds_v5"
    gpu = Violation(
        "k",
        "p",
        "mandatory",
        None,
        f"pool 'gpu' uses 'Standard_NC24ads_A100_v4'; {allowed}",
        vm_size,
    )
    # The quoted value wins over one the message merely lists.
    assert _keys(gpu, None, tmp_path) == ["Pulumi.dev.yaml:5: gpuPool.vmSize"]
    # No value named: a quoted word that starts a key; the file does not set systemVmSize.
    system = Violation("k", "p", "mandatory", None, "agent pool 'system' has 'Managed'", vm_size)
    assert _keys(system, None, tmp_path) == ["Pulumi.dev.yaml: systemVmSize"]
    # Nothing narrows: every declared key.
    vague = Violation("k", "p", "mandatory", None, "a pool boots from a managed disk", vm_size)
    assert _keys(vague, None, tmp_path) == [
        "Pulumi.dev.yaml: systemVmSize",
        "Pulumi.dev.yaml:5: gpuPool.vmSize",
    ]


def test_a_list_key_names_the_element_of_the_resource(tmp_path: Path):
    quota = _declaring("volumes[].quotaGiB")
    share = Resource(
        "urn:s", "azure-native:storage:FileShare", "s", True, None, None, {"shareName": "ckpt"}
    )
    too_small = Violation("k", "p", "mandatory", "urn:s", "FileShare is too small", quota)
    assert _keys(too_small, share, tmp_path) == ["Pulumi.dev.yaml: volumes[1].quotaGiB"]
    unknown = Resource("urn:u", "t", "u", True, None, None, {})
    assert _keys(too_small, unknown, tmp_path) == ["Pulumi.dev.yaml: volumes[].quotaGiB"]


def test_a_policy_declaring_no_key_names_none_and_an_undeclared_one_is_linked_by_value(
    tmp_path: Path,
):
    message = "ManagedCluster 'aks-demo' uses Kubernetes '1.32'"
    cluster = Resource("urn:c", "t", "c", True, None, None, {"kubernetesVersion": "1.32"})
    code_only = Violation("k", "p", "mandatory", "urn:c", message, _declaring())
    assert _keys(code_only, cluster, tmp_path) == []
    # Another program judged by the same pack has no such setting: nothing to name.
    elsewhere = Violation("k", "p", "mandatory", "urn:c", message, _declaring("backup.enabled"))
    assert _keys(elsewhere, cluster, tmp_path) == []
    foreign = Violation("k", "p", "mandatory", "urn:c", message, None)
    assert _keys(foreign, cluster, tmp_path) == ["Pulumi.dev.yaml:3: kubernetesVersion"]


def test_a_policy_finding_one_problem_in_several_places_is_one_verdict():
    rule = _declaring()
    found = [
        Violation("k", "p", "mandatory", "urn:c", f"Version check.\n{where} runs 1.28", rule)
        for where in ("cluster", "pool system", "pool system")
    ]
    found.append(Violation("k", "p", "mandatory", "urn:gpu", "Version check.\ngpu runs 1.28"))
    found.append(Violation("k", "q", "mandatory", "urn:c", "Other.\ncluster runs 1.28"))
    merged = once_per_resource(found)
    assert [(v.policy, v.urn, v.message) for v in merged] == [
        ("p", "urn:c", "Version check.\ncluster runs 1.28\npool system runs 1.28"),
        ("p", "urn:gpu", "Version check.\ngpu runs 1.28"),
        ("q", "urn:c", "Other.\ncluster runs 1.28"),
    ]
