"""What a `pulumi`/`pip` user expects of `infra`: help with examples and exit codes, `--color`
and NO_COLOR, and the text preview laid out as `pulumi preview`'s tree."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from infra.engine.model import Resource, Secret, StackPlan
from infra.exit_codes import COMMAND_CODES, MEANINGS
from infra.render.text import render_preview_text
from tests.conftest import REPO_ROOT, run_infra

# Process behaviour: the console script on a terminal, a pipe and a closed stream.
pytestmark = pytest.mark.slow

ESCAPE = "\033["
INFRA = str(Path(sys.executable).parent / "infra")


def on_a_terminal(*args: str, env: dict[str, str]) -> str:
    """`infra` with stdout on a pseudo-terminal, as a person at a shell runs it."""
    leader, follower = pty.openpty()
    with subprocess.Popen(
        [INFRA, *args], cwd=REPO_ROOT, stdout=follower, stderr=subprocess.DEVNULL, env=env
    ) as proc:
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed: the process is done
                break
            if not chunk:
                break
            chunks.append(chunk)
        proc.wait(timeout=120)
    os.close(leader)
    return b"".join(chunks).decode()


def _commands() -> list[str]:
    import argparse

    from infra.commands import build_parser

    (sub,) = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return list(sub.choices)


@pytest.mark.parametrize("command", [[], *([name] for name in _commands())])
def test_every_help_ends_with_examples_and_the_exit_codes(infra: Any, command: list[str]) -> None:
    result = infra(*command, "--help")
    assert result.returncode == 0
    help_text = result.stdout
    assert "\nexamples:\n  infra " in help_text or "\nexamples:\n  KUBECONFIG=" in help_text
    # `infra --help` lists every code; a command only those it can return.
    own = COMMAND_CODES[command[0]] if command else MEANINGS
    codes = [f"  {int(code)}  {meaning}" for code, meaning in own.items()]
    tail = help_text[help_text.rindex("\nexit codes:\n") :].rstrip().splitlines()[2:]
    assert tail == codes
    assert len(help_text.splitlines()) < 50, "help is a summary, not the module's docstring"


def test_colour_only_on_a_terminal_and_never_with_no_color() -> None:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    dev = ("preview", "-s", "dev", "--no-policy")
    coloured = on_a_terminal(*dev, env=env)
    assert ESCAPE + "32m +   ├─ aks-rwx-training:cluster:TrainingCluster" in coloured
    assert ESCAPE not in on_a_terminal(*dev, env=env | {"NO_COLOR": "1"})
    assert ESCAPE not in on_a_terminal(*dev, "--color", "never", env=env)
    # An empty NO_COLOR does not count (no-color.org).
    assert ESCAPE in on_a_terminal(*dev, env=env | {"NO_COLOR": ""})


def test_a_pipe_gets_no_colour_unless_asked() -> None:
    assert ESCAPE not in run_infra("preview", "-s", "dev", "--no-policy").stdout
    forced = run_infra("preview", "-s", "dev", "--no-policy", "--color", "always").stdout
    assert ESCAPE + "32m" in forced


def test_color_is_refused_with_a_format_it_cannot_colour(infra: Any) -> None:
    result = infra("preview", "-s", "dev", "--json", "--color", "always")
    assert result.returncode == 2
    assert result.stderr == (
        "infra: error: --color colours the text output; drop it or --format json\n"
    )


def _resource(urn: str, type_: str, parent: str | None = None, **inputs: Any) -> Resource:
    return Resource(urn, type_, urn.rsplit("::", 1)[-1], True, parent, None, inputs)


def test_the_text_preview_is_a_tree_under_the_stack_with_a_resources_summary() -> None:
    group = _resource("urn:a::rg", "azure-native:resources:ResourceGroup")
    component = _resource("urn:a::store", "my:storage:Shared")
    account = _resource("urn:a::acct", "azure-native:storage:StorageAccount", "urn:a::store")
    share = _resource("urn:a::share", "azure-native:storage:FileShare", "urn:a::store")
    share.protect = True
    plan = StackPlan("proj", "dev", [group, component, account, share], {})
    lines = render_preview_text([plan]).splitlines()
    rows = [re.sub(r" {2,}", "  ", line).rstrip() for line in lines[2:8]]
    assert rows == [
        "  Type  Name  Plan  Info",
        "  pulumi:pulumi:Stack  proj-dev",
        " +  ├─ azure-native:resources:ResourceGroup  rg  create",
        " +  └─ my:storage:Shared  store  create",
        " +  ├─ azure-native:storage:StorageAccount  acct  create",
        " +  └─ azure-native:storage:FileShare  share  create  [protect]",
    ]
    assert lines[6].startswith(" +      ├─ ") and lines[7].startswith(" +      └─ ")
    summary = lines.index("Resources:")
    assert lines[summary + 1] == "    + 4 to create (1 protected)"


def test_outputs_are_printed_as_nested_blocks_with_secrets_masked() -> None:
    outputs = {
        "volumes": {"datasets": {"quotaGiB": 1024, "pvcName": "datasets"}},
        "kubeconfig": Secret("apiVersion: v1"),
        "zones": ["1", "2"],
    }
    text = render_preview_text([StackPlan("proj", "dev", [], outputs)])
    block = text.split("Outputs:\n", 1)[1].split("\n\n", 1)[0]
    assert block.splitlines() == [
        "    kubeconfig: [secret]",
        "    volumes   : {",
        "        datasets: {",
        '            pvcName : "datasets"',
        "            quotaGiB: 1024",
        "        }",
        "    }",
        "    zones     : [",
        '        [0]: "1"',
        '        [1]: "2"',
        "    ]",
    ]


def test_a_stream_that_cannot_spell_the_tree_gets_question_marks_not_a_traceback() -> None:
    env = os.environ | {"PYTHONIOENCODING": "ascii"}
    result = subprocess.run(
        [INFRA, "preview", "-s", "dev", "--no-policy"],
        cwd=REPO_ROOT, capture_output=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr.decode()
    assert b"Traceback" not in result.stderr
    assert b"?? aks-rwx-training:cluster:TrainingCluster" in result.stdout


def test_commands_list_only_their_own_exit_codes() -> None:
    assert set(COMMAND_CODES) == set(_commands())
    # cost, export and affected never return 1, 3 or 4; only diff returns 3 or 4.
    for command in ("cost", "export", "affected"):
        assert set(COMMAND_CODES[command]) == {0, 2}, command
    assert {c for c, codes in COMMAND_CODES.items() if 3 in codes or 4 in codes} == {"diff"}


@pytest.mark.parametrize(
    "argv",
    [
        ["cost", "-s", "dev", "--json"],
        ["affected", "--all", "--json"],
        ["permissions", "-s", "dev", "--format", "json"],
        ["preview", "-s", "dev", "--no-policy", "--json"],
    ],
    ids=["cost", "affected", "permissions", "preview"],
)
def test_every_json_document_carries_a_version(infra: Any, argv: list[str]) -> None:
    import json

    result = infra(*argv)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["version"] == 1
