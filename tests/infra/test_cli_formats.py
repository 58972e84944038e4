"""The shared output flags (infra/commands/options.py): each command that prints takes
`--format` with the formats it can print (`--json`/`--markdown` as shorthands), and `--color`
where its text has colour; each combination as a user sees it."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

import pytest

from infra.readers.cost import PRICE_DIR, estimate, load_price_tables
from infra.render.color import GREEN, RED, RESET, YELLOW
from infra.render.cost import cost_summary
from tests.infra.test_diff import _commit, repo  # noqa: F401 (the fixture)
from tests.reliability._support import real_plan

COLOR_REFUSED = "infra: error: --color colours the text output; drop it or --format {}\n"


def _options(command: str) -> dict[str, argparse.Action]:
    from infra.commands import build_parser

    (sub,) = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return {flag: a for a in sub.choices[command]._actions for flag in a.option_strings}


@pytest.mark.parametrize(
    ("command", "formats", "colour"),
    [
        ("preview", ["text", "json", "markdown", "sarif", "junit", "mermaid"], True),
        ("diff", ["text", "json", "markdown", "mermaid"], True),
        ("cost", ["text", "json", "markdown"], True),
        ("permissions", ["text", "json", "markdown"], True),
        # Stack names, one a line, for scripts: nothing to colour.
        ("affected", ["text", "json"], False),
    ],
)
def test_each_command_offers_the_formats_it_prints(
    command: str, formats: list[str], colour: bool
) -> None:
    options = _options(command)
    assert list(options["--format"].choices) == formats
    assert options["--format"].default == "text"
    assert ("--json" in options, "--markdown" in options) == (
        "json" in formats,
        "markdown" in formats,
    )
    assert ("--color" in options) is colour


def test_cost_markdown_is_the_comments_cost_block_per_stack(infra: Any) -> None:
    result = infra("cost", "-s", "dev", "--markdown")
    assert result.returncode == 0, result.stderr
    expected = cost_summary(estimate(real_plan("dev"), load_price_tables(PRICE_DIR)))
    assert result.stdout.startswith(f"### `dev`\n\n💰 **Estimated cost:** {expected}\n")
    assert "<details><summary>Cost lines</summary>" in result.stdout


def test_cost_colours_what_has_no_price(infra: Any) -> None:
    cost = estimate(real_plan("prod"), load_price_tables(PRICE_DIR))
    assert cost.unpriced, "prod has items without a price (Azure Backup's instance fee)"
    painted = infra("cost", "-s", "prod", "--color", "always").stdout.splitlines()
    unpriced = [line for line in painted if "not priced  " in line]
    assert len(unpriced) == len(cost.unpriced)
    assert all(line.startswith(YELLOW) and line.endswith(RESET) for line in unpriced)
    assert painted[0] == f"Stack prod: {YELLOW}{cost_summary(cost)}{RESET}"
    assert "\033[" not in infra("cost", "-s", "prod", "--color", "never").stdout
    refused = infra("cost", "-s", "prod", "--json", "--color", "always")
    assert (refused.returncode, refused.stderr) == (2, COLOR_REFUSED.format("json"))


def test_permissions_markdown_is_a_row_per_identity_and_stack(infra: Any) -> None:
    text = infra("permissions").stdout.splitlines()
    identities = [line for line in text if re.match(r"^\w+: \S+ \((plan|deploy)\): ", line)]
    result = infra("permissions", "--markdown")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:2] == [
        "| Stack | Identity | Access | Actions needed | Role assignments | Verdict |",
        "|---|---|---|---|---|---|",
    ]
    rows = lines[2 : 2 + len(identities)]
    for row, line in zip(rows, identities, strict=True):
        stack, name, access = re.match(r"^(\w+): (\S+) \((\w+)\): ", line).groups()  # type: ignore[union-attr]
        needed, granted = re.findall(r"(\d+) (?:actions needed|role assignments)", line)
        verdict = "✅ covered" if line.endswith(", covered") else "❌ NOT covered"
        assert row == f"| `{stack}` | `{name}` | {access} | {needed} | {granted} | {verdict} |"


def test_permissions_colours_the_verdicts(infra: Any) -> None:
    result = infra("permissions", "--color", "always")
    verdicts = [line for line in result.stdout.splitlines() if "actions needed" in line]
    assert verdicts
    assert all(
        line.endswith((f"{GREEN}covered{RESET}", f"{RED}NOT covered{RESET}")) for line in verdicts
    )


def test_affected_takes_format_json_as_json_does(infra: Any) -> None:
    assert infra("affected", "--all", "--format", "json").stdout == (
        infra("affected", "--all", "--json").stdout
    )
    refused = infra("affected", "--all", "--format", "markdown")
    assert refused.returncode == 2
    (line,) = refused.stderr.splitlines()
    assert line.startswith("infra: error: argument --format: invalid choice: 'markdown' ")


def test_diff_colours_its_rows_as_pulumi_does(infra: Any, repo: Path) -> None:  # noqa: F811
    _commit(repo, [{"name": "datasets", "quota": 200}, {"name": "checkpoints", "quota": 50}])
    flags = ("diff", "--base", "HEAD~1", "--head", "HEAD", "-C", str(repo))
    plain = infra(*flags).stdout.splitlines()
    painted = infra(*flags, "--color", "always").stdout.splitlines()
    colours = {"+": GREEN, "~": YELLOW, "+-": RED, "-": RED}
    rows = 0
    for line, shown in zip(plain, painted, strict=True):
        symbol = re.match(r"^ +(\+-|[+~-]) \S+:\S", line)
        if symbol:
            rows += 1
            assert shown == f"{colours[symbol.group(1)]}{line}{RESET}"
        else:
            assert shown == line
    assert rows == 4  # the new share and PV, the resized share and PV
    refused = infra(*flags, "--markdown", "--color", "never")
    assert (refused.returncode, refused.stderr) == (2, COLOR_REFUSED.format("markdown"))


def test_diff_mermaid_is_a_document_of_the_resources_that_change(
    infra: Any,
    repo: Path,  # noqa: F811
) -> None:
    _commit(repo, [{"name": "datasets", "quota": 200}, {"name": "checkpoints", "quota": 50}])
    flags = ("diff", "--base", "HEAD~1", "--head", "HEAD", "-C", str(repo))
    (stack,) = json.loads(infra(*flags, "--json").stdout)["stacks"]
    result = infra(*flags, "--format", "mermaid")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:2] == ["flowchart LR", f'  subgraph s0["{stack["project"]}/{stack["stack"]}"]']
    drawn = re.findall(r'^    s0n\d+\["(.*?)<br/>', result.stdout, re.MULTILINE)
    assert sorted(drawn) == sorted(c["name"] for c in stack["changes"])
