"""docs/restore.md's figures come from the stacks' plans (scripts/gen_runbook_figures.py,
--check fails when stale) and the runbook docs name no account a stack no longer has."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO_ROOT
from tests.delivery._workflows import SCRIPTS
from tests.reliability._support import PROJECT, stack_file_config


def test_the_restore_figures_are_current() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPTS / "gen_runbook_figures.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_figures_are_the_stack_files_sizes_and_no_doc_names_an_account() -> None:
    restore = (REPO_ROOT / "docs" / "restore.md").read_text()
    block = restore.split("<!-- restore-figures:begin", 1)[1].split("<!-- restore-figures:end", 1)[
        0
    ]
    for volume in stack_file_config("prod")[f"{PROJECT}:volumes"]:
        assert f"| prod | {volume['name']} | " in block
        assert f" | {volume['quotaGiB']} GiB | " in block
    for doc in ("restore.md", "migrate-billing-model.md"):
        text = (REPO_ROOT / "docs" / doc).read_text()
        assert "staksrwx" not in text, doc
