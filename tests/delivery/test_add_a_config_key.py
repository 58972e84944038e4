"""The README's "Add a config key", done on a copy of the repository: a new key with a default
is one field on a sub-model of stacks/config.py and one property on its component's protocol,
read in the component; `make generate` (here its config step) rewrites Pulumi.yaml. Nothing
else changes, the default reaches the registered resource in a preview, and a stack file that
sets the key changes it there.

The key is AKS's support plan (ManagedCluster ``supportPlan``: KubernetesOfficial or
AKSLongTermSupport, azure-native's ``KubernetesSupportPlan``), on the cluster's sub-model
(``ClusterConfig``) and ``TrainingCluster``'s ``ClusterSettings`` protocol.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO_ROOT, repository_copy

pytestmark = pytest.mark.slow

README = REPO_ROOT / "README.md"
SECTION = "## Add a config key"
STACK = "dev"
CLUSTER = "azure-native:containerservice:ManagedCluster"

# The two edits, each after a line that occurs once in its file.
MODEL = "stacks/config.py"
MODEL_AFTER = '''    """AKS cluster: the cluster, its node pools and who signs in."""\n'''
MODEL_FIELD = '''
    support_plan: Annotated[
        Literal["KubernetesOfficial", "AKSLongTermSupport"],
        Rule("must be KubernetesOfficial or AKSLongTermSupport"),
    ] = "KubernetesOfficial"
    """AKS support plan - KubernetesOfficial or AKSLongTermSupport."""
'''
COMPONENT = "components/cluster.py"
PROTOCOL_AFTER = "    def encryption_at_host(self) -> bool: ...\n"
PROTOCOL_PROPERTY = """    @property
    def support_plan(self) -> str: ...
"""
USE_AFTER = "            disable_local_accounts=settings.disable_local_accounts,\n"
USE = "            support_plan=settings.support_plan,\n"
GENERATED = "Pulumi.yaml"


def insert_after(path: Path, anchor: str, text: str) -> None:
    """Insert ``text`` after the one line ``anchor`` of ``path``, as a user's edit would."""
    source = path.read_text(encoding="utf-8")
    assert source.count(anchor) == 1, f"{path.name}: expected one {anchor.strip()!r}"
    path.write_text(source.replace(anchor, anchor + text), encoding="utf-8")


def _environ(repo: Path) -> dict[str, str]:
    # The copy's packages first: the checkout's editable install would otherwise answer
    # `import stacks` for the generator.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "MAKE"))}
    return env | {"PYTHONPATH": str(repo)}


def run(repo: Path, *command: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        list(command),
        cwd=repo,
        env=_environ(repo),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


def cluster_inputs(repo: Path) -> dict[str, Any]:
    """The ManagedCluster's inputs in the copy's preview of the stack (the mock runtime)."""
    infra = str(Path(sys.executable).parent / "infra")
    done = run(repo, infra, "preview", "--json", "-s", STACK, "--no-policy")
    (plan,) = json.loads(done.stdout)["stacks"]
    (cluster,) = [r for r in plan["resources"] if r["type"] == CLUSTER]
    inputs: dict[str, Any] = cluster["inputs"]
    return inputs


def test_the_readme_names_the_two_files_and_the_protocol() -> None:
    text = README.read_text(encoding="utf-8")
    assert SECTION in text, f"README.md has no {SECTION!r} section"
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    for words in ("stacks/config.py", "Protocol", "make generate", "two files"):
        assert words in section, f"README.md {SECTION!r} does not say {words!r}"


def test_a_key_with_a_default_touches_two_files_and_reaches_the_resource(
    tmp_path: Path,
) -> None:
    repo = repository_copy(tmp_path / "repo")
    assert "supportPlan" not in cluster_inputs(repo)

    insert_after(repo / MODEL, MODEL_AFTER, MODEL_FIELD)
    insert_after(repo / COMPONENT, PROTOCOL_AFTER, PROTOCOL_PROPERTY)
    insert_after(repo / COMPONENT, USE_AFTER, USE)
    run(repo, sys.executable, "scripts/gen_pulumi_config.py")

    changed = run(repo, "git", "diff", "--name-only").stdout.split()
    assert sorted(changed) == sorted([MODEL, COMPONENT, GENERATED])
    declared = yaml.safe_load((repo / GENERATED).read_text(encoding="utf-8"))["config"]
    assert declared["supportPlan"]["default"] == "KubernetesOfficial"
    assert cluster_inputs(repo)["supportPlan"] == "KubernetesOfficial"

    # A stack that wants another value sets only that key in its stack file.
    stack_file = repo / "stacks" / f"Pulumi.{STACK}.yaml"
    with stack_file.open("a", encoding="utf-8") as handle:
        handle.write("  aks-rwx-training:supportPlan: AKSLongTermSupport\n")
    assert cluster_inputs(repo)["supportPlan"] == "AKSLongTermSupport"
