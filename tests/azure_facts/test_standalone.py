"""azure_facts stands alone: the standard library is all it imports, so the policy pack, whose
own virtualenv holds pulumi-policy alone (policies/requirements.txt), can read it; and the pack
reads the Azure Files facts from there, never from the program."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

# Prints the top-level names of the modules the import loads that Python had not loaded yet.
PROBE = """
import json, sys
before = set(sys.modules)
import {module}
print(json.dumps(sorted({{name.split('.')[0] for name in set(sys.modules) - before}})))
"""


def _loaded_by(module: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return set(json.loads(result.stdout))


@pytest.mark.parametrize("module", ["files", "regions", "vm_sizes"])
def test_azure_facts_imports_only_the_standard_library(module: str) -> None:
    loaded = _loaded_by(f"azure_facts.{module}")
    assert loaded - set(sys.stdlib_module_names) == {"azure_facts"}


def test_the_pack_reads_no_part_of_the_program() -> None:
    loaded = _loaded_by("policies.registry")
    assert "azure_facts" in loaded
    assert not loaded & {"components", "stacks", "infra", "pulumi_azure_native", "pydantic"}
