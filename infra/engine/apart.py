"""Run a project's program in a process of its own, and take back only its plan, as data.

The program under preview is code the change under review wrote. Run in the process that
judges it, it could patch the judge (make the comparison find nothing at risk, empty the
stateful types) or end the process early with a clean exit. Here it runs in a child process
that holds nothing but the engine: the child previews each stack under the mock runtime
(`infra.engine.runtime`) and writes the plans - the registered resources with their type,
name, URN, inputs and outputs (secrets kept `Secret`), options and source positions, the
stack outputs, config and invokes - as JSON on a pipe; the caller's process compares them,
runs the policy packs on them and decides. A child that stops before its last plan, or says
anything but plans, is an error, never a clean preview.

What the program registers is still what it chooses to register: a program written to tell
the offline preview apart from `pulumi up` can show one plan here and deploy another. That
is for review and the live preview (the real engine) to catch, not for any offline tool.

Secret values cross the pipe, in memory only (the caller masks them in what packs say,
`values.plan_secret_strings`); they are never written to a file or printed.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from infra.engine.model import UNKNOWN, Invoke, Resource, Secret, StackPlan, Unknown
from infra.engine.project import ConfigError, ProgramError, Project

# The folder that holds this tool's `infra` package: the child imports the engine from
# there, never from the project under preview (which may carry an `infra/` of its own).
TOOL_ROOT = Path(__file__).resolve().parents[2]
# -P: nothing but TOOL_ROOT goes before the standard library and the virtual environment.
_BOOT = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from infra.engine.apart import child_main; child_main(sys.argv[1:])"
)
_PLAN = "plan"
_ERROR = "error"
_DONE = "done"
# The child was interrupted (a signal, even one the program swallowed: `infra.interrupts`).
_INTERRUPTED = "interrupted"


# A value on the pipe: JSON, with a secret or unknown value as a map of one marker key. The
# markers are this pipe's own, so that the judging process need not import the SDK (a second
# import of it would cost about half a second) to read what the child sends.
_SECRET = "infra.apart/secret"
_UNKNOWN = "infra.apart/unknown"


def _to_pipe(value: Any) -> Any:
    if isinstance(value, Secret):
        return {_SECRET: _to_pipe(value.value)}
    if isinstance(value, Unknown):
        return {_UNKNOWN: True}
    if isinstance(value, dict):
        return {k: _to_pipe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_pipe(v) for v in value]
    return value


def _from_pipe(value: Any) -> Any:
    """The inverse of `_to_pipe` (numbers stay as JSON gives them)."""
    if isinstance(value, list):
        return [_from_pipe(v) for v in value]
    if isinstance(value, dict):
        if len(value) == 1:
            if _SECRET in value:
                return Secret(_from_pipe(value[_SECRET]))
            if value.get(_UNKNOWN) is True:
                return UNKNOWN
        return {k: _from_pipe(v) for k, v in value.items()}
    return value


_VALUE_FIELDS = ("inputs", "outputs")


def plan_to_json(plan: StackPlan) -> dict[str, Any]:
    """A previewed plan (no verdicts yet) as JSON-ready data, secrets marked, not masked."""
    return {
        "project": plan.project,
        "stack": plan.stack,
        "resources": [
            {
                f.name: _to_pipe(getattr(r, f.name))
                if f.name in _VALUE_FIELDS
                else getattr(r, f.name)
                for f in dataclasses.fields(Resource)
            }
            for r in plan.resources
        ],
        "outputs": _to_pipe(plan.outputs),
        "config": plan.config,
        "invokes": [{"token": i.token, "args": _to_pipe(i.args)} for i in plan.invokes],
    }


# Each Resource field's JSON shape: what the judge may rely on in a plan it did not build.
_SHAPES: dict[str, Any] = {
    "urn": str,
    "type": str,
    "name": str,
    "custom": bool,
    "parent": (str, type(None)),
    "provider": (str, type(None)),
    "inputs": dict,
    "outputs": dict,
    "id": (str, type(None)),
    "protect": bool,
    "retain_on_delete": bool,
    "delete_before_replace": bool,
    "dependencies": list,
    "property_dependencies": dict,
    "aliases": list,
    "ignore_changes": list,
    "source": (list, type(None)),
}


def _resource(raw: Any) -> Resource:
    if not isinstance(raw, dict) or set(raw) != set(_SHAPES):
        raise ValueError("not a resource")
    if not all(isinstance(raw[name], shape) for name, shape in _SHAPES.items()):
        raise ValueError("a resource field of the wrong type")
    if not all(
        isinstance(u, str)
        for key in ("dependencies", "aliases", "ignore_changes")
        for u in raw[key]
    ):
        raise ValueError("a resource list of the wrong type")
    fields = {name: _from_pipe(raw[name]) if name in _VALUE_FIELDS else raw[name] for name in raw}
    if raw["source"] is not None:
        path, line = raw["source"]
        fields["source"] = (str(path), int(line))
    fields["property_dependencies"] = {
        str(key): [str(u) for u in urns] for key, urns in raw["property_dependencies"].items()
    }
    return Resource(**fields)


def plan_from_json(data: dict[str, Any]) -> StackPlan:
    """The plan `plan_to_json` wrote; ValueError (or TypeError, KeyError) when it is not one."""
    outputs, config = data["outputs"], data["config"]
    if not isinstance(outputs, dict) or not isinstance(config, dict):
        raise ValueError("not a plan")
    return StackPlan(
        project=str(data["project"]),
        stack=str(data["stack"]),
        resources=[_resource(raw) for raw in data["resources"]],
        outputs=_from_pipe(outputs),
        config={str(k): str(v) for k, v in config.items()},
        invokes=[Invoke(str(i["token"]), dict(_from_pipe(i["args"]))) for i in data["invokes"]],
    )


def run_stacks_apart(project: Project, stacks: Sequence[str]) -> list[StackPlan]:
    """Preview each of ``stacks`` of ``project`` in one child process; their plans, in order.

    Raises `ConfigError` or `ProgramError` as the in-process runtime would, and
    `ProgramError` when the child stops before the last plan (a program that exits early)."""
    if not stacks:
        return []
    command = [sys.executable, "-P", "-c", _BOOT, *child_arguments(project, stacks)]
    child = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        out, err = child.communicate()
    except BaseException:
        # Ctrl-C or a cancelled job's SIGTERM reached this process: the child goes too.
        child.kill()
        child.wait()
        raise
    return read_plans(project, stacks, out, err, child.returncode)


def child_arguments(project: Project, stacks: Sequence[str]) -> list[str]:
    """What `child_main` is given: the tool's folder, the project's, the stacks."""
    return [str(TOOL_ROOT), str(project.root), *stacks]


def read_plans(
    project: Project, stacks: Sequence[str], out: bytes, err: bytes, code: int
) -> list[StackPlan]:
    """The plans a finished child wrote on ``out``; what it printed on ``err`` goes to stderr."""
    if err:
        # What the program printed (it runs with stdout on stderr), as it would in-process.
        sys.stderr.write(err.decode(errors="replace"))
    stopped = ProgramError(
        f"{project.relative(project.main)}: the program stopped the preview before it "
        f"finished (exit code {code}); infra cannot judge a plan it did not get"
    )
    plans: list[StackPlan] = []
    done = False
    for line in out.splitlines():
        try:
            message = json.loads(line)
            kind = message.get("kind")
        except (ValueError, AttributeError):
            raise stopped from None
        if done:
            raise stopped
        if kind == _INTERRUPTED:
            raise KeyboardInterrupt
        if kind == _ERROR:
            error = ConfigError if message.get("error") == "config" else ProgramError
            raise error(str(message.get("message")))
        if kind == _DONE:
            done = True
            continue
        if kind != _PLAN:
            raise stopped
        try:
            plans.append(plan_from_json(message["plan"]))
        except (KeyError, TypeError, ValueError):
            raise stopped from None
    if not done or code != 0 or [p.stack for p in plans] != list(stacks):
        raise stopped
    return plans


def child_main(argv: Sequence[str]) -> None:
    """The child: preview each stack, write one JSON line per plan, then `done`, and exit.

    The plans go to the parent's pipe on a descriptor of their own; the program's prints go
    to stderr, so nothing it prints is read as a plan."""
    # No cyclic collection until the first stack is done (run_program pauses it during each
    # program anyway): collections during the SDKs' imports and full ones of their heap
    # between stacks cost ~0.3 s a stack and free nothing of theirs. Then what is loaded is
    # frozen (with the first stack's few MB of garbage), and the next stacks' garbage is
    # collected as usual, so many stacks do not grow the process.
    gc.disable()
    from infra import interrupts
    from infra.engine.project import load_project, load_stack_config
    from infra.engine.runtime import run_stack

    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    # The engine is imported; the tool's folder leaves the path, so that the program imports
    # its own packages (and a bootstrap project its repository's, as the editable install
    # would in its own checkout), never the judging revision's.
    tool, root, stacks = argv[0], Path(argv[1]), argv[2:]
    sys.path.remove(tool)
    project = load_project(root)
    checkout = next((d for d in (root, *root.parents) if (d / ".git").exists()), None)
    if checkout is not None:
        sys.path.append(str(checkout))
    # Ctrl-C reaches the parent too, which stops this process; a signal that reaches only
    # this one (or that the program swallowed) is still reported as the interruption.
    with interrupts.handled():
        for stack in stacks:
            message: dict[str, Any]
            try:
                plan = run_stack(project, stack, load_stack_config(project, stack))
            except ConfigError as e:
                message = {"kind": _ERROR, "error": "config", "message": str(e)}
            except ProgramError as e:
                message = {"kind": _ERROR, "error": "program", "message": str(e)}
            except KeyboardInterrupt:
                message = {"kind": _INTERRUPTED}
            else:
                message = {"kind": _PLAN, "plan": plan_to_json(plan)}
            if interrupts.received():
                message = {"kind": _INTERRUPTED}
            channel.write(json.dumps(message) + "\n")
            if message["kind"] != _PLAN:
                break
            if not gc.isenabled():
                gc.freeze()
                gc.enable()
        else:
            channel.write(json.dumps({"kind": _DONE}) + "\n")
    channel.flush()
    sys.stdout.flush()
    sys.stderr.flush()
    # No interpreter teardown: the program's atexit hooks and the SDK's cyclic garbage are
    # of no use to the plan, and collecting them takes longer than the preview did.
    os._exit(0)
