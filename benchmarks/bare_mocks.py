"""The floor `infra preview --no-policy` is measured against: the same program under the
Python SDK's own mock runtime, as a unit test would run it, with nothing recorded.

`pulumi.runtime.set_mocks` with a `Mocks` that answers every resource with its inputs, the
stack's config set from its file, then the program run in a stack the way
`infra.engine.runtime` runs it. No plan, no fakes, no ordering: what is left over in
`infra` is the tool's own cost.

Usage: .venv/bin/python benchmarks/bare_mocks.py PROJECT_DIR STACK
"""

from __future__ import annotations

import asyncio
import gc
import os
import runpy
import sys
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi.runtime import settings


class EchoMocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"{args.name}-id", args.inputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], None]:
        return {}, None


def main(project_dir: Path, stack: str) -> None:
    project = yaml.safe_load((project_dir / "Pulumi.yaml").read_text())
    name = project["name"]
    declared = project.get("config", {})
    values = {f"{name}:{k}": str(v["default"]) for k, v in declared.items() if "default" in v}
    stack_file = yaml.safe_load((project_dir / f"Pulumi.{stack}.yaml").read_text()) or {}
    values.update({k: str(v) for k, v in (stack_file.get("config") or {}).items()})

    # As infra.engine.runtime runs a program: the ratio measures what the tool adds, not
    # the garbage collector's setting.
    gc.disable()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    pulumi.runtime.set_mocks(EchoMocks(), project=name, stack=stack, preview=True)
    settings.ROOT.set(None)
    pulumi.runtime.set_all_config(values)
    os.chdir(project_dir)
    sys.path[:0] = [str(project_dir)]

    def program() -> None:
        runpy.run_path(str(project_dir / "__main__.py"), run_name="__main__")

    loop.run_until_complete(pulumi.runtime.run_in_stack(program))


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve(), sys.argv[2])
