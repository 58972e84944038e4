"""Inside `infra.pipeline.shared_previews` (scripts/generate.py), a stack previewed again is
not run again: its program runs once, and each caller gets a plan of its own."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import infra.pipeline
from infra.engine import apart
from infra.pipeline import preview_stacks, shared_previews
from tests.conftest import FIXTURES


def test_a_stack_previewed_again_inside_the_block_runs_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The real child, not the suite's plans by content (tests/conftest.py), which would
    # hide a second run.
    monkeypatch.setattr(infra.pipeline, "run_stacks_apart", apart.run_stacks_apart)
    project = tmp_path / "minimal"
    shutil.copytree(FIXTURES / "projects" / "minimal", project)
    runs = tmp_path / "runs"
    program = project / "__main__.py"
    program.write_text(f"open({str(runs)!r}, 'a').write('run\\n')\n{program.read_text()}")

    with shared_previews():
        (first,) = preview_stacks(project, ["test"], evaluate_policies=False)
        first.resources.clear()
        (again,) = preview_stacks(project, ["test"], evaluate_policies=False)
    assert runs.read_text() == "run\n"
    assert again.resources, "a caller's change reached the next caller's plan"
    (after,) = preview_stacks(project, ["test"], evaluate_policies=False)
    assert runs.read_text() == "run\n" * 2
    assert after == again
