"""The stack-file settings behind a verdict: by line, never a secret, never a mere name."""

from __future__ import annotations

from pathlib import Path

from infra.engine.model import Resource
from infra.engine.project import Setting, load_project, stack_file_settings
from infra.readers.config_origin import settings_behind

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
