"""The program runs in a child process and only its plan comes back (infra/engine/apart.py):
the plan survives the trip unchanged, secrets included, and anything but a whole plan is an
error, never a clean preview."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from infra.engine.apart import plan_from_json, plan_to_json, read_plans, run_stacks_apart
from infra.engine.project import ProgramError, load_project, load_stack_config
from infra.engine.runtime import run_stack
from infra.engine.values import contains_secret, unwrap
from tests._modules import modules_kept
from tests.conftest import FIXTURES

VOLUMES = FIXTURES / "projects" / "volumes"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    target = tmp_path / "volumes"
    shutil.copytree(VOLUMES, target)
    return target


def test_the_plan_from_the_child_equals_the_plan_run_in_process(project: Path) -> None:
    loaded = load_project(project)
    with modules_kept():
        here = run_stack(loaded, "test", load_stack_config(loaded, "test"))
    (apart,) = run_stacks_apart(loaded, ["test"])
    assert apart == here
    # The program's secret stays a Secret, its value intact for the judge's own masking.
    (data,) = [r.inputs["stringData"] for r in apart.resources if r.name == "credentials"]
    assert contains_secret(data) and unwrap(data) == {"token": "plain-token-v1"}
    assert plan_from_json(json.loads(json.dumps(plan_to_json(here)))) == here


def test_what_the_program_prints_is_never_read_as_a_plan(project: Path) -> None:
    program = project / "__main__.py"
    program.write_text('print(\'{"kind": "done"}\')\n' + program.read_text())
    (plan,) = run_stacks_apart(load_project(project), ["test"])
    assert any(r.name == "datasets-share" for r in plan.resources)


@pytest.mark.parametrize(
    "out",
    [
        b"",
        b"not json\n",
        b'{"kind": "done"}\n{"kind": "done"}\n',
        b'{"kind": "plan", "plan": {"resources": [1]}}\n{"kind": "done"}\n',
        b'["kind"]\n',
    ],
    ids=["nothing", "garbage", "twice-done", "forged-resource", "not-an-object"],
)
def test_anything_but_whole_plans_is_one_error(project: Path, out: bytes) -> None:
    with pytest.raises(ProgramError) as error:
        read_plans(load_project(project), ["test"], out, b"", 0)
    assert str(error.value) == (
        "__main__.py: the program stopped the preview before it finished (exit code 0); "
        "infra cannot judge a plan it did not get"
    )
