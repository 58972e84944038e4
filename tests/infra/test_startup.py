"""What `infra` imports before it knows the command: nothing of this repository's program.

`infra preview` of any project used to import this repository's components (through `infra
smoke`'s module), azure-native's recoveryservices and the classic azure provider among
them: a second of start-up that put a 1,000-resource preview at 1.13x the SDK's bare mock
runtime (benchmarks/bench.py)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO_ROOT


def test_the_command_line_starts_without_the_repository_program() -> None:
    probe = (
        "import sys, infra.commands, infra.pipeline; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'components', 'stacks', 'policies', 'delivery', 'pulumi_azure'}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    # policies.aks_versions (AKS's release calendar) is read by `infra diff`'s upgrade check.
    assert done.stdout.strip() == "['policies']"
