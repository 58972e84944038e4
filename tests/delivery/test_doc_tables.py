"""The generated doc blocks (prod's billing plans with their cost, the example PR comment)
are what scripts/gen_readme_tables.py makes of the code today."""

from __future__ import annotations

import sys

import pytest

from tests.conftest import restored_modules
from tests.delivery._workflows import SCRIPTS

sys.path.insert(0, str(SCRIPTS))
import gen_readme_tables


def test_the_generated_doc_blocks_are_current(capsys: pytest.CaptureFixture[str]) -> None:
    with restored_modules():  # the PR comment example previews a changed copy of the repo
        code = gen_readme_tables.main(["--check"])
    assert code == 0, capsys.readouterr()


def test_a_cost_cell_sums_what_is_priced_and_names_the_prices_missing() -> None:
    from infra.readers.cost import CostLine, StackCost, Unpriced

    cost = StackCost("prod", "USD")
    cost.lines += [CostLine("datasets", "storage", 10.0, 10.0), CostLine("d", "t", 2.5, 4.0)]
    assert gen_readme_tables._cost_cell(cost) == "$12.50 to $14.00"
    key = "files-v2/PremiumV2_ZRS/iops"
    cost.unpriced.append(Unpriced("datasets", "iops", "no price", "westeurope", key))
    cost.unpriced.append(Unpriced("datasets", "quota", "quota unknown offline"))
    assert gen_readme_tables._cost_cell(cost) == (
        f"$12.50 to $14.00 + not priced (no price for `{key}` in the table; quota unknown offline)"
    )


def test_the_graph_is_cut_but_its_fence_and_details_stay() -> None:
    body = "\n".join(f"  n{i}" for i in range(10))
    comment = f"<details>\n\n```mermaid\nflowchart LR\n{body}\n```\n\n</details>"
    cut = gen_readme_tables._cut_graph(comment)
    assert cut == "<details>\n\n```mermaid\nflowchart LR\n  n0\n  n1\n  n2\n  …\n```\n\n</details>"
