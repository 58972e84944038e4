"""SECURITY.md and docs/delivery.md say what each identity may do as bootstrap/delivery/roles.py
grants it: scripts/gen_identity_docs.py renders the table, and --check fails when it is stale."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO_ROOT
from tests.delivery._workflows import SCRIPTS

BEGIN = "<!-- identity-table:begin"


def _check() -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPTS / "gen_identity_docs.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=False,
    )


def test_the_identity_tables_are_current() -> None:
    result = _check()
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_table_names_each_identity_and_what_none_holds() -> None:
    for doc in ("SECURITY.md", "docs/delivery.md"):
        text = (REPO_ROOT / doc).read_text()
        table = text.split(BEGIN, 1)[1].split("<!-- identity-table:end -->", 1)[0]
        assert "| `deploy-<env>` (one per stack) | `environment:<env>` only |" in table
        assert "| `plan` (one) |" in table
        assert (
            "Held by no delivery identity: `Microsoft.Storage/storageAccounts/listKeys/action`"
            in table
        )


def test_the_statements_issue_21_found_false_are_gone() -> None:
    text = (REPO_ROOT / "SECURITY.md").read_text()
    for false in (
        "Reader** on the subscription",
        "a key that only the deploy identities may use",
        "unless the PR acknowledges it",
        "listStorageAccountKeys`, marked secret",
    ):
        assert false not in text, false
