"""Run a Pulumi Python program under Pulumi's own mock runtime and record the plan.

The program runs in this interpreter, exactly as the language host would run it
(`run_in_stack` around `runpy`), with a `MockMonitor` subclass in place of the engine;
`infra` calls this in a child process of its own (`infra.engine.apart`), never in the
process that judges the plan. The monitor sees every RegisterResource request, options
included, and answers with the deterministic fakes in `infra.engine.fakes`.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import gc
import os
import runpy
import sys
import threading
import traceback
import urllib.parse
import urllib.request
import warnings
import weakref
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pulumi.runtime
from google.protobuf import empty_pb2
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.mocks import MockMonitor, Mocks
from pulumi.runtime.proto import resource_pb2

from infra.engine.fakes import ProviderFakes
from infra.engine.model import Invoke, Resource, StackPlan
from infra.engine.project import ConfigError, ProgramError, Project, StackConfig
from infra.engine.wire import decode_struct, encode_struct

STACK_TYPE = "pulumi:pulumi:Stack"


class _NoMocks(Mocks):
    # The recording monitor answers every request itself.
    def new_resource(self, args: Any) -> tuple[str | None, dict]:
        raise NotImplementedError

    def call(self, args: Any) -> tuple[dict, list[tuple[str, str]] | None]:
        raise NotImplementedError


class RecordingMonitor(MockMonitor):
    def __init__(self, fakes: ProviderFakes) -> None:
        super().__init__(_NoMocks())
        self.fakes = fakes
        self._lock = threading.Lock()
        self.recorded: dict[str, Resource] = {}
        self.stack_urn: str | None = None
        self.stack_outputs: dict[str, Any] = {}
        self.invokes: list[Invoke] = []

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # The engine qualifies a type by its parent's, except under the root stack.
        if parent == self.stack_urn:
            parent = ""
        return super().make_urn(parent, type_, name)

    def RegisterResource(self, request: Any) -> Any:
        if request.type == STACK_TYPE:
            urn = self.make_urn("", request.type, request.name)
            self.stack_urn = urn
            return resource_pb2.RegisterResourceResponse(urn=urn)
        urn = self.make_urn(request.parent, request.type, request.name)
        inputs = decode_struct(request.object)
        if request.custom:
            resource_id, outputs = self.fakes.new_resource(request.type, request.name, urn, inputs)
        else:
            resource_id, outputs = "", {}
        resource = Resource(
            urn=urn,
            type=request.type,
            name=request.name,
            custom=bool(request.custom),
            parent=request.parent if request.parent and request.parent != self.stack_urn else None,
            provider=request.provider or None,
            inputs=inputs,
            outputs=outputs,
            id=resource_id or None,
            protect=bool(request.protect),
            retain_on_delete=bool(request.retainOnDelete),
            delete_before_replace=bool(request.deleteBeforeReplace),
            # Sorted: the SDK gathers them in a set, whose order changes from run to run (the
            # engine treats them as a set too); a plan of the same program reads the same.
            dependencies=sorted(request.dependencies),
            property_dependencies={
                key: sorted(deps.urns) for key, deps in request.propertyDependencies.items()
            },
            aliases=self._alias_urns(request),
            ignore_changes=list(request.ignoreChanges),
            source=_source(request),
        )
        with self._lock:
            if urn in self.recorded:
                raise ValueError(
                    f"duplicate resource URN {urn!r}; give each resource a unique name"
                )
            self.recorded[urn] = resource
            self.resources[urn] = MockMonitor.ResourceRegistration(urn, resource_id, outputs)
        return resource_pb2.RegisterResourceResponse(
            urn=urn, id=resource_id, object=encode_struct(outputs)
        )

    def _alias_urns(self, request: Any) -> list[str]:
        urns = list(request.aliasURNs)
        for alias in request.aliases:
            if alias.urn:
                urns.append(alias.urn)
                continue
            spec = alias.spec
            parent = "" if spec.noParent else spec.parentUrn or request.parent
            urns.append(self.make_urn(parent, spec.type or request.type, spec.name or request.name))
        return urns

    def RegisterResourceOutputs(self, request: Any) -> Any:
        outputs = decode_struct(request.outputs)
        with self._lock:
            if request.urn == self.stack_urn:
                self.stack_outputs = outputs
            elif request.urn in self.recorded:
                self.recorded[request.urn].outputs = outputs
        return empty_pb2.Empty()

    def Invoke(self, request: Any) -> Any:
        if request.tok == "pulumi:pulumi:getResource":
            return super().Invoke(request)
        args = decode_struct(request.args)
        with self._lock:
            self.invokes.append(Invoke(request.tok, args))
        result = self.fakes.call(request.tok, args)
        return resource_pb2.ResourceInvokeResponse(**{"return": encode_struct(result)})


def _source(request: Any) -> tuple[str, int] | None:
    """The program line that constructed the resource. The Python SDK sends the first frame
    outside its own code as a `file://` URI and line (`_get_source_position` in
    pulumi/runtime/resource.py)."""
    if not request.HasField("sourcePosition"):
        return None
    position = request.sourcePosition
    parsed = urllib.parse.urlparse(position.uri)
    if parsed.scheme != "file" or position.line < 1:
        return None
    return urllib.request.url2pathname(parsed.path), position.line


_SHARED_PREFIXES = tuple(
    {
        os.path.join(p, "")
        # This tool's own package (infra/), not only the engine's folder.
        for base in (sys.prefix, sys.base_prefix, str(Path(__file__).parents[1]))
        for p in (base, os.path.realpath(base))
    }
)


def _evict_other_projects_modules(root: Path) -> None:
    """Forget modules that a different project (or revision) imported from its own tree.

    `infra diff` runs two revisions of one project in this process: each must import its
    own `components`. Modules of the virtual environment, the standard library and this
    tool are shared; modules of the current project stay cached across its stacks."""
    root_prefix = os.path.join(str(root), "")
    for name, module in list(sys.modules.items()):
        origin = getattr(module, "__file__", None)
        if name == "__main__" or not origin or origin.startswith(_SHARED_PREFIXES):
            continue
        if not os.path.realpath(origin).startswith(root_prefix):
            del sys.modules[name]


@contextlib.contextmanager
def _program_environment(project: Project) -> Iterator[None]:
    # The language host runs the program from the project root, with the root and the
    # program's folder on sys.path, so the project's own packages import from there.
    saved_cwd, saved_path = os.getcwd(), list(sys.path)
    os.chdir(project.root)
    sys.path[:0] = [str(project.main.parent), str(project.root)]
    _evict_other_projects_modules(project.root.resolve())
    try:
        yield
    finally:
        os.chdir(saved_cwd)
        sys.path[:] = saved_path


def _ordered(resources: dict[str, Resource]) -> list[Resource]:
    """Parents before children; siblings by dependency depth, then type and name.

    Registration order depends on thread timing, so it is not used: the same program
    must print the same plan every time, or diffs would flicker."""
    depth: dict[str, int] = {}

    def depth_of(urn: str, visiting: frozenset[str] = frozenset()) -> int:
        if urn not in depth:
            resource = resources[urn]
            provider = resource.provider.rsplit("::", 1)[0] if resource.provider else None
            deps = [
                d
                for d in [*resource.dependencies, provider]
                if d in resources and d not in visiting
            ]
            depth[urn] = 1 + max((depth_of(d, visiting | {urn}) for d in deps), default=0)
        return depth[urn]

    children: dict[str | None, list[Resource]] = {}
    for resource in resources.values():
        parent = resource.parent if resource.parent in resources else None
        children.setdefault(parent, []).append(resource)

    def subtree_depth(resource: Resource) -> int:
        own = depth_of(resource.urn) if resource.dependencies or resource.custom else None
        nested = [subtree_depth(c) for c in children.get(resource.urn, [])]
        return min([d for d in (own, *nested) if d is not None], default=0)

    def key(resource: Resource) -> tuple[int, str, str]:
        return (subtree_depth(resource), resource.type, resource.name)

    ordered: list[Resource] = []
    stack = sorted(children.get(None, []), key=key, reverse=True)
    while stack:
        resource = stack.pop()
        ordered.append(resource)
        stack.extend(sorted(children.get(resource.urn, []), key=key, reverse=True))
    return ordered


def _current_event_loop() -> asyncio.AbstractEventLoop | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            return asyncio.get_event_loop_policy().get_event_loop()
        except RuntimeError:
            return None


def _close_loop(loop: asyncio.AbstractEventLoop) -> None:
    if loop.is_closed():
        return
    pending = asyncio.all_tasks(loop)
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.close()


@dataclass
class ProgramRun:
    """What one run of a program recorded, and the runtime context its Outputs live in."""

    resources: dict[str, Resource]  # by URN, in registration order
    invokes: list[Invoke]
    stack_outputs: dict[str, Any]  # as the engine received them
    exports: dict[str, Any]  # as the program exported them: Outputs, not wire values
    value: Any  # what the program returned
    error: BaseException | None
    fakes: ProviderFakes
    context: contextvars.Context = field(repr=False)
    loop: asyncio.AbstractEventLoop = field(repr=False)

    def __post_init__(self) -> None:
        # A run nobody closes releases its loop when it is dropped.
        weakref.finalize(self, _close_loop, self.loop)

    def _await(self, make: Callable[[], Awaitable[Any]]) -> Any:
        # Outputs the program never awaited (an invoke's result it only passed on) finish
        # on the run's own loop, in the run's context (its settings, its root stack).
        async def awaited() -> Any:
            # Made on the running loop: an Output makes its tasks on the current loop.
            return await make()

        return self.context.run(lambda: self.loop.run_until_complete(awaited()))

    def close(self) -> None:
        """Stop what the program left pending and release the run's event loop."""
        _close_loop(self.loop)

    def resolve(self, value: Any) -> Any:
        """The value of an Output (or of any input) the program produced."""
        return self._await(lambda: pulumi.Output.from_input(value).future())

    def is_secret(self, value: Any) -> bool:
        return bool(self._await(lambda: pulumi.Output.from_input(value).is_secret()))


def _run(
    program: Callable[[], Any],
    project: str,
    stack: str,
    config: Mapping[str, str],
    secret_keys: Iterable[str],
    preview: bool,
    fakes: ProviderFakes,
) -> ProgramRun:
    # A caller's event loop (a test runner's, an embedding tool's) is restored afterwards.
    previous_loop = _current_event_loop()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    monitor = RecordingMonitor(fakes)
    returned: list[Any] = []
    stacks: list[Any] = []
    error: BaseException | None = None
    try:
        pulumi.runtime.set_mocks(
            monitor.mocks, project=project, stack=stack, preview=preview, monitor=monitor
        )
        # set_mocks registers a root stack for unit tests; the program gets its own, as
        # under the language host.
        pulumi_settings.ROOT.set(None)
        pulumi.runtime.set_all_config(dict(config), list(secret_keys))

        def in_stack() -> None:
            returned.append(program())
            # The root stack is set in the program's own task context; what it exports
            # lands on it.
            stacks.append(pulumi_settings.get_root_resource())

        loop.run_until_complete(pulumi.runtime.run_in_stack(in_stack))
    except Exception as e:
        error = e
    finally:
        asyncio.set_event_loop(previous_loop)
    return ProgramRun(
        resources=monitor.recorded,
        invokes=monitor.invokes,
        stack_outputs=monitor.stack_outputs,
        exports=dict(getattr(stacks[0], "outputs", None) or {}) if stacks else {},
        value=returned[0] if returned else None,
        error=error,
        fakes=fakes,
        context=contextvars.copy_context(),
        loop=loop,
    )


def run_program(
    program: Callable[[], Any],
    *,
    project: str,
    stack: str,
    config: Mapping[str, str] | None = None,
    secret_keys: Iterable[str] = (),
    preview: bool = True,
    fakes: ProviderFakes | None = None,
) -> ProgramRun:
    """Run ``program`` (a project's program, or any code that declares resources) as the
    language host would, inside a root stack, in a fresh runtime context; what it raises is
    returned in ``error``."""
    # The SDK allocates hundreds of Outputs and asyncio tasks per resource (azure-native
    # adds a type alias per API version, each its own Output chain), and generational GC
    # rescanning that young heap took half the run time. Cycles are reclaimed afterwards.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return contextvars.Context().run(
            _run,
            program,
            project,
            stack,
            config or {},
            secret_keys,
            preview,
            fakes or ProviderFakes(),
        )
    finally:
        if collecting:
            gc.enable()


def run_stack(
    project: Project, stack: str, config: StackConfig, *, preview: bool = True
) -> StackPlan:
    """Run the project's program for one stack; a fresh runtime context per call."""
    with _program_environment(project):
        run = run_program(
            lambda: runpy.run_path(str(project.main), run_name="__main__"),
            project=project.name,
            stack=stack,
            config=config.values,
            secret_keys=config.secret_keys,
            preview=preview,
        )
        run.close()
    if isinstance(run.error, pulumi.RunError):
        text = str(run.error).strip()
        message = text.splitlines()[0] if text else "program stopped"
        if any(f"'{key}" in message for key in config.secret_keys):
            # The program saw a placeholder, not the value `pulumi` would decrypt.
            message += " (infra cannot decrypt secure values: it previews them as a placeholder)"
        raise ConfigError(message)
    if run.error is not None:
        detail = "".join(traceback.format_exception(run.error))
        raise ProgramError(f"{project.relative(project.main)}: the program raised\n{detail}")
    return StackPlan(
        project=project.name,
        stack=stack,
        resources=_ordered(run.resources),
        outputs=run.stack_outputs,
        config=dict(config.values),
        invokes=list(run.invokes),
    )
