"""Rewrite every file generated from the code and the stacks (`make generate`), in one process.

Each generator reads the code, the stacks and pyproject.toml, never another generator's
output, so they may run in any order; the tests run each with ``--check``. Run together, they
share their previews (`infra.pipeline.shared_previews`): each stack's program runs once, not
once per generator that reads its plan. Not here: the generators of UPSTREAM_FED, and the
price tables (scripts/refresh_prices.py asks prices.azure.com).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from infra.pipeline import shared_previews  # noqa: E402

# Each a script beside this one, with its arguments.
GENERATORS: tuple[tuple[str, ...], ...] = (
    ("gen_pulumi_config",),
    ("gen_registrations",),
    ("gen_deploy_jobs",),
    ("gen_identity_docs",),
    ("gen_policy_docs",),
    ("gen_readme_tables",),
    ("gen_stack_graph",),
    ("gen_runbook_figures",),
    ("checkov_waivers", "docs"),
)

# arm_types.json and create_only.json: these read upstream sources given on their command lines.
UPSTREAM_FED = ("gen_arm_types", "gen_create_only")


def main() -> int:
    with shared_previews():
        for script, *args in GENERATORS:
            print(f"scripts/{script}.py", *args, flush=True)
            code = importlib.import_module(script).main(args)
            if code:
                return int(code)
    return 0


if __name__ == "__main__":
    sys.exit(main())
