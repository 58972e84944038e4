"""The generated doc blocks (prod's billing plans with their cost, the example PR comment)
are what scripts/gen_readme_tables.py makes of the code today."""

from __future__ import annotations

import sys

import pytest

from tests._modules import modules_kept
from tests.delivery._workflows import SCRIPTS

sys.path.insert(0, str(SCRIPTS))
import gen_readme_tables


def test_the_generated_doc_blocks_are_current(capsys: pytest.CaptureFixture[str]) -> None:
    with modules_kept():  # the PR comment example previews a changed copy of the repo
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


def test_a_one_key_change_comments_under_3_kb_and_leads_with_its_failure() -> None:
    # The README's example: prod's gpuPool.maxCount 8 -> 64, past prod's policy limit.
    from infra.pipeline import preview_stacks

    with modules_kept():
        (base,) = preview_stacks(gen_readme_tables.ROOT, ["prod"], evaluate_policies=True)
        comment = gen_readme_tables.example_comment(base)
    assert len(comment.encode()) < 3 * 1024, len(comment.encode())
    assert comment.splitlines()[1] == "## ❌ `prod`: 1 mandatory policy violation(s)"
    # The verdict's fix names the stack key that caused it, and the verdict shows once.
    assert "**Fix:** change `gpuPool.maxCount` (line " in comment
    assert "in `stacks/Pulumi.prod.yaml`" in comment
    assert comment.count("node-count-limits`]") == 1
    # An update creates and deletes nothing: no graph.
    assert "mermaid" not in comment
