"""`make generate` (scripts/generate.py) runs every generator of the repository."""

from __future__ import annotations

import sys

from tests.delivery._workflows import SCRIPTS

sys.path.insert(0, str(SCRIPTS))
import generate


def test_every_generator_runs_but_those_fed_from_upstream() -> None:
    scripts = {path.stem for path in SCRIPTS.glob("gen_*.py")}
    listed = {script for script, *_ in generate.GENERATORS}
    assert scripts - listed == set(generate.UPSTREAM_FED)
    assert listed - scripts == {"checkov_waivers"}
