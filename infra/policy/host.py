"""Offline CrossGuard host: run policy packs against a `StackPlan` the way the Pulumi CLI does.

Each pack runs in its own process (`python -u -m pulumi.policy <engine> .` in the pack folder,
exactly what the CLI's `pulumi-analyzer-policy-python` plugin runs) and is driven over the same
gRPC Analyzer interface the CLI uses: GetAnalyzerInfo, Configure, ConfigureStack, Analyze for
every resource, AnalyzeStack once.  Policies are never imported into this process.

The CLI behaviour mirrored here (pulumi/pulumi `sdk/go/common/resource/plugin/analyzer_plugin.go`
and `pkg/resource/analyzer/config.go`):

* `--policy-pack-config` parsing: a JSON object; each value is an enforcement level string or an
  object with an optional `enforcementLevel` plus settings; `"all"` sets the level of every policy.
* Reconciliation: the policy's own level and its schema defaults, then the pack's initial config,
  then the file; the merged settings of every policy are validated against
  `{"type": "object", "properties": ..., "required": ...}` and sent in full to Configure.
* Properties are sent with secrets and unknowns kept (the CLI's `KeepSecrets`/`KeepUnknowns`) and
  internal `__`-prefixed keys skipped (`SkipInternalKeys`).

Deliberate differences from the CLI are listed in `evaluate_policy_packs`'s docstring.

The pack's config files live in `pack_config`, its process in `process`, the wire encoding in
`wire`. What stays here (over 400 lines) is one conversation with one pack, start to stop;
split further, a reader would follow each call across files.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import subprocess
import sys
import time
import uuid
from collections import deque
from collections.abc import Mapping, Sequence
from concurrent import futures
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc, engine_pb2_grpc

from infra.engine.model import PolicyPackInfo, PolicyRule, Resource, StackPlan, Violation
from infra.engine.values import plan_secret_strings
from infra.policy.common import LEVEL_TO_PROTO, REPORTED_LEVEL, PolicyPackError, clip, last_line
from infra.policy.pack_config import (
    PolicyConfig,
    check_pack_folder,
    initial_config_from_info,
    load_config_file,
    pack_info,
    policies_from_info,
    reconcile,
    validate_settings,
)
from infra.policy.process import EngineServicer, PipeReader, describe_exit, stop_pack
from infra.policy.wire import SecretMask, UnsupportedValue, encode_map, parse_urn

__all__ = ["PolicyPackError", "PolicyPackSpec", "PolicyResults", "evaluate_policy_packs"]

# The pack's gRPC server has 4 worker threads; 16 calls in flight keep them busy while this side
# builds the next requests and reads answers, without queueing so deep that a call's deadline is
# mostly spent waiting behind others.
MAX_IN_FLIGHT = 16

# pulumi_policy raises its receive limit to 400 MiB; match it so a large AnalyzeStack fits.
_MAX_MESSAGE = 400 * 1024 * 1024

_GRPC_OPTIONS = [
    ("grpc.max_receive_message_length", _MAX_MESSAGE),
    ("grpc.max_send_message_length", _MAX_MESSAGE),
]

# Set, with a fresh value, in each pack's environment; see `escaped_processes`.
_MARKER_ENV = "INFRA_POLICY_PACK_RUN"


@dataclass(frozen=True)
class PolicyPackSpec:
    path: Path  # the pack's folder (has PulumiPolicy.yaml)
    config_path: Path | None = None  # a --policy-pack-config JSON file, or None
    # config_path already parsed (`load_config_file`), so the pack run does not read it again;
    # None: parsed when the pack runs.
    config: dict[str, PolicyConfig] | None = None


@dataclass
class PolicyResults:
    packs: list[PolicyPackInfo]  # each pack as it describes itself, in the order run
    violations: list[Violation]


def evaluate_policy_packs(
    packs: Sequence[PolicyPackSpec],
    plan: StackPlan,
    *,
    python: str = sys.executable,
    dry_run: bool = True,
    start_timeout: float = 20.0,
    call_timeout: float = 60.0,
) -> PolicyResults:
    """Run each pack (one after the other) against `plan`; return the packs' metadata and every
    violation they report, each with its policy's metadata.

    Order: for each pack, resource diagnostics in `plan.resources` order, then stack diagnostics.
    Raises `PolicyPackError` (one line) if a pack or its config file is unusable, a pack crashes,
    never prints its port within `start_timeout` seconds, a policy raises, or a gRPC call does not
    answer within `call_timeout` seconds.  Every pack process (its whole process group, and any
    descendant that left it for a session of its own) is stopped before this returns or raises,
    also on KeyboardInterrupt.  Every secret string of the plan (see `_secret_texts`) is shown
    as `[secret]` in violation messages and in the error line, whatever the pack says.

    Differences from the CLI, on purpose:
    * a config entry naming a policy the pack does not have, or a setting the policy does not
      declare, is an error (the CLI ignores both);
    * an ADVISORY level in the pack's `initial_config` is treated as "not set" (proto3 cannot tell
      the two apart; the CLI would downgrade the policy to advisory);
    * remediations are not run (Analyze still reports remediate-level policies, as mandatory);
    * `python` is used as given (a `virtualenv` runtime option in PulumiPolicy.yaml is not
      honoured: the repo's pack and tool share one virtual environment).
    """
    results = PolicyResults([], [])
    mask = SecretMask(plan_secret_strings(plan))
    for spec in packs:
        info, violations = _evaluate_pack(
            spec,
            plan,
            python=python,
            dry_run=dry_run,
            start_timeout=start_timeout,
            call_timeout=call_timeout,
            mask=mask,
        )
        results.packs.append(info)
        results.violations.extend(violations)
    return results


class _PackHost:
    """One running pack: its process, the engine server it was given, and the gRPC channel."""

    def __init__(
        self,
        spec: PolicyPackSpec,
        plan: StackPlan,
        *,
        python: str,
        dry_run: bool,
        start_timeout: float,
        call_timeout: float,
        mask: SecretMask,
    ) -> None:
        self.spec = spec
        self.mask = mask
        self.plan = plan
        self.python = python
        self.dry_run = dry_run
        self.start_timeout = start_timeout
        self.call_timeout = call_timeout
        self.label = f"policy pack {spec.path}"
        self.pack_name = spec.path.name
        self.rules: dict[str, PolicyRule] = {}
        self.engine = EngineServicer()
        self.engine_server: Any = None
        self.proc: subprocess.Popen[bytes] | None = None
        self.stdout: PipeReader | None = None
        self.stderr: PipeReader | None = None
        self.channel: Any = None
        self.stub: Any = None
        self._in_flight: deque[tuple[Resource, Any]] = deque()
        self._marker = f"{_MARKER_ENV}={uuid.uuid4().hex}"
        self._pipes: frozenset[str] = frozenset()

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        self.engine_server = grpc.server(
            futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="policy-engine"),
            options=_GRPC_OPTIONS,
        )
        engine_pb2_grpc.add_EngineServicer_to_server(self.engine, self.engine_server)
        engine_port = self.engine_server.add_insecure_port("127.0.0.1:0")
        if not engine_port:
            raise PolicyPackError(f"{self.label}: cannot listen on 127.0.0.1 for the engine")
        self.engine_server.start()

        env = {
            **os.environ,
            "PULUMI_PROJECT": self.plan.project,
            "PULUMI_STACK": self.plan.stack,
            "PULUMI_DRY_RUN": "true" if self.dry_run else "false",
            "PULUMI_CONFIG": json.dumps(self.plan.config),
            _MARKER_ENV: self._marker.split("=", 1)[1],
        }
        argv = [self.python, "-u", "-m", "pulumi.policy", f"127.0.0.1:{engine_port}", "."]
        try:
            self.proc = subprocess.Popen(
                argv,
                cwd=self.spec.path,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
        except OSError as e:
            raise PolicyPackError(f"{self.label}: cannot start {self.python}: {e}") from e
        assert self.proc.stdout is not None and self.proc.stderr is not None
        self._pipes = frozenset(
            f"pipe:[{os.fstat(stream.fileno()).st_ino}]"
            for stream in (self.proc.stdout, self.proc.stderr)
        )
        first: queue.Queue[str | None] = queue.Queue()
        self.stdout = PipeReader(self.proc.stdout, f"policy-stdout-{self.proc.pid}", first)
        self.stderr = PipeReader(self.proc.stderr, f"policy-stderr-{self.proc.pid}", None)

        port = self._read_port(first)
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}", options=_GRPC_OPTIONS)
        self.stub = analyzer_pb2_grpc.AnalyzerStub(self.channel)

    def _read_port(self, first: queue.Queue[str | None]) -> int:
        assert self.proc is not None
        deadline = time.monotonic() + self.start_timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PolicyPackError(
                    f"{self.label}: did not print its port within {self.start_timeout:g}s "
                    "(start_timeout)"
                )
            try:
                line = first.get(timeout=min(remaining, 0.05))
                break
            except queue.Empty:
                if self.proc.poll() is not None:
                    raise PolicyPackError(self._exit_message("before printing its port")) from None
        if line is None:  # stdout closed: the pack is exiting
            try:
                self.proc.wait(timeout=max(0.5, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                raise PolicyPackError(
                    f"{self.label}: closed stdout without printing its port"
                ) from None
            raise PolicyPackError(self._exit_message("before printing its port"))
        text = line.strip()
        # ASCII digits only, and few: int() rejects other Unicode digits, and a huge line
        # would exceed Python's integer-conversion limit (ValueError) before the range test.
        if not re.fullmatch(r"[0-9]{1,5}", text) or not 0 < int(text) < 65536:
            raise PolicyPackError(
                f"{self.label}: expected its gRPC port on stdout's first line, got {clip(text)!r}"
            )
        return int(text)

    def close(self) -> None:
        while self._in_flight:
            _, fut = self._in_flight.popleft()
            fut.cancel()
        if self.channel is not None:
            self.channel.close()
            self.channel = None
        if self.proc is not None:
            stop_pack(self.proc, self._marker.encode(), self._pipes)
            for reader, stream in (
                (self.stdout, self.proc.stdout),
                (self.stderr, self.proc.stderr),
            ):
                # A reader still running could otherwise read a reused descriptor number.
                stopped = reader.stop(timeout=1.0) if reader is not None else True
                if stream is not None and stopped:
                    with contextlib.suppress(OSError):
                        stream.close()
        if self.engine_server is not None:
            self.engine_server.stop(None)
            self.engine_server = None

    # -- error reporting -------------------------------------------------------------------

    def _exit_message(self, when: str) -> str:
        assert self.proc is not None and self.proc.returncode is not None
        if self.stderr is not None:
            self.stderr.wait_drained(timeout=1.0)
        detail = self.stderr.last_line() if self.stderr is not None else ""
        logged = self.engine.last_error_line()
        message = f"{self.label}: {describe_exit(self.proc.returncode)} {when}"
        if detail:
            message += f": {detail}"
        if logged and logged != detail:
            message += f" (it logged: {logged})"
        return message

    def _rpc_error(self, call: str, error: Any) -> PolicyPackError:
        assert self.proc is not None
        code = error.code() if hasattr(error, "code") else None
        if code == grpc.StatusCode.DEADLINE_EXCEEDED:
            return PolicyPackError(
                f"{self.label}: {call} did not answer within {self.call_timeout:g}s (call_timeout)"
            )
        if code in (
            grpc.StatusCode.UNAVAILABLE,
            grpc.StatusCode.INTERNAL,
            grpc.StatusCode.CANCELLED,
        ):
            # A dead pack shows up as UNAVAILABLE a moment before its exit status does.
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=1.0)
        if self.proc.poll() is not None:
            return PolicyPackError(self._exit_message(f"during {call}"))
        details = error.details() if hasattr(error, "details") else str(error)
        reason = self._exception_line(details or "") or (code.name if code else "unknown error")
        logged = self.engine.last_error_line()
        suffix = f" (it logged: {logged})" if logged and logged != reason else ""
        return PolicyPackError(f"{self.label}: {call} failed: {reason}{suffix}")

    @staticmethod
    def _exception_line(details: str) -> str:
        """The last line of what the pack's gRPC server said about the failure.

        pulumi_policy's server answers UNKNOWN with "Exception calling application: <str(e)>"
        when a policy raises (grpc keeps the traceback to itself: its logger has a NullHandler).
        """
        last = last_line(details)
        prefix = "Exception calling application:"
        if last.startswith(prefix):
            message = last[len(prefix) :].strip()
            return f"a policy raised: {message}" if message else "a policy raised an exception"
        return last

    def call(self, name: str, method: Any, request: Any) -> Any:
        try:
            return method(request, timeout=self.call_timeout)
        except grpc.RpcError as e:
            raise self._rpc_error(name, e) from None

    # -- the analysis ----------------------------------------------------------------------

    def analyze_resources(self, by_urn: Mapping[str, Resource]) -> list[Violation]:
        violations: list[Violation] = []
        providers: dict[str, Any] = {}
        for resource in self.plan.resources:
            if len(self._in_flight) >= MAX_IN_FLIGHT:
                self._collect(violations)
            request = analyzer_pb2.AnalyzeRequest(
                type=resource.type,
                urn=resource.urn,
                name=resource.name,
                options=_options(resource),
            )
            self._fill(request.properties, resource, resource.inputs, "inputs")
            provider = self._provider(resource, by_urn, providers)
            if provider is not None:
                request.provider.CopyFrom(provider)
            fut = self.stub.Analyze.future(request, timeout=self.call_timeout)
            self._in_flight.append((resource, fut))
        while self._in_flight:
            self._collect(violations)
        return violations

    def _collect(self, violations: list[Violation]) -> None:
        resource, fut = self._in_flight[0]
        call = f"Analyze of {resource.urn}"
        try:
            response = fut.result(timeout=self.call_timeout + 5.0)
        except grpc.FutureTimeoutError:  # belt and braces: the call's own deadline should fire
            raise PolicyPackError(
                f"{self.label}: {call} did not answer within {self.call_timeout:g}s (call_timeout)"
            ) from None
        except grpc.RpcError as e:
            error = self._rpc_error(call, e)
            if self.proc is not None and self.proc.poll() is not None:
                # Every call in flight fails when the pack dies; which one killed it is
                # unknowable, so name them all (up to three).
                urns = [r.urn for r, _ in self._in_flight]
                shown = ", ".join(urns[:3]) + (
                    f" and {len(urns) - 3} more" if len(urns) > 3 else ""
                )
                error = PolicyPackError(self._exit_message(f"during Analyze (in flight: {shown})"))
            raise error from None
        self._in_flight.popleft()
        violations.extend(self._violations(response, resource.urn))

    def analyze_stack(self, by_urn: Mapping[str, Resource]) -> list[Violation]:
        providers: dict[str, Any] = {}
        request = analyzer_pb2.AnalyzeStackRequest()
        for resource in self.plan.resources:
            item = request.resources.add(
                type=resource.type,
                urn=resource.urn,
                name=resource.name,
                options=_options(resource),
                parent=resource.parent or "",
                dependencies=resource.dependencies,
            )
            self._fill(item.properties, resource, resource.outputs, "outputs")
            for key, urns in resource.property_dependencies.items():
                if urns:  # the CLI skips properties without dependencies
                    item.propertyDependencies[key].urns.extend(urns)
            provider = self._provider(resource, by_urn, providers)
            if provider is not None:
                item.provider.CopyFrom(provider)
        response = self.call("AnalyzeStack", self.stub.AnalyzeStack, request)
        return self._violations(response, None)

    def _violations(self, response: Any, default_urn: str | None) -> list[Violation]:
        out: list[Violation] = []
        for diag in response.diagnostics:
            level = REPORTED_LEVEL.get(diag.enforcementLevel)
            if level is None:
                continue
            out.append(
                Violation(
                    policy_pack=self.pack_name,
                    policy=diag.policyName,
                    enforcement_level=level,
                    urn=diag.urn or default_urn,
                    message=self.mask(diag.message),
                    rule=self.rules.get(diag.policyName),
                )
            )
        return out

    def _fill(self, struct: Any, resource: Resource, props: Mapping[str, Any], what: str) -> None:
        try:
            encoded = encode_map(props)
        except UnsupportedValue as e:
            raise PolicyPackError(
                f"{self.label}: cannot send {resource.urn} to the pack: {what}"
                f"{''.join(e.path)} is a {e.type_name}, which has no Pulumi wire form"
            ) from None
        struct.update(encoded)

    def _provider(
        self, resource: Resource, by_urn: Mapping[str, Resource], cache: dict[str, Any]
    ) -> Any:
        ref = resource.provider
        if not ref:
            return None
        if ref not in cache:
            urn = ref if ref in by_urn else ref.rsplit("::", 1)[0]
            found = by_urn.get(urn)
            if found is not None:
                msg = analyzer_pb2.AnalyzerProviderResource(
                    type=found.type, urn=found.urn, name=found.name
                )
                self._fill(msg.properties, found, found.inputs, "inputs")
            else:  # a provider the plan does not list: what its URN tells
                type_, name = parse_urn(urn)
                msg = analyzer_pb2.AnalyzerProviderResource(type=type_, urn=urn, name=name)
            cache[ref] = msg
        return cache[ref]


def _options(resource: Resource) -> analyzer_pb2.AnalyzerResourceOptions:
    return analyzer_pb2.AnalyzerResourceOptions(
        protect=resource.protect,
        # The plan only records a bool, so "false" and "not set" look alike; report "not set".
        deleteBeforeReplace=resource.delete_before_replace,
        deleteBeforeReplaceDefined=resource.delete_before_replace,
        aliases=resource.aliases,
        parent=resource.parent or "",
        customTimeouts=analyzer_pb2.AnalyzerResourceOptions.CustomTimeouts(),
    )


def _evaluate_pack(
    spec: PolicyPackSpec,
    plan: StackPlan,
    *,
    python: str,
    dry_run: bool,
    start_timeout: float,
    call_timeout: float,
    mask: SecretMask,
) -> tuple[PolicyPackInfo, list[Violation]]:
    check_pack_folder(spec.path)
    label = f"policy pack {spec.path}"
    given = spec.config
    if given is None:
        given = load_config_file(spec.config_path, label) if spec.config_path is not None else {}

    host = _PackHost(
        spec,
        plan,
        python=python,
        dry_run=dry_run,
        start_timeout=start_timeout,
        call_timeout=call_timeout,
        mask=mask,
    )
    try:
        host.start()
        info = host.call("GetAnalyzerInfo", host.stub.GetAnalyzerInfo, empty_pb2.Empty())
        described = pack_info(info, spec.path.name)
        host.pack_name = described.name
        host.rules = {rule.name: rule for rule in described.rules}
        host.label = f"policy pack {host.pack_name} ({spec.path})"
        where = (
            f"{host.label}: config file {spec.config_path}"
            if spec.config_path is not None
            else host.label
        )

        policies = policies_from_info(info)
        known = {p.name for p in policies}
        for name in given:
            if name != "all" and name not in known:
                raise PolicyPackError(f'{where}: policy "{name}" not in pack {host.pack_name}')
        config = reconcile(policies, initial_config_from_info(info), given)
        validate_settings(policies, config, where)

        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, cfg in config.items():
            entry = request.policyConfig[name]
            entry.enforcementLevel = LEVEL_TO_PROTO[cfg.level or "advisory"]
            if cfg.properties:
                entry.properties.update(cfg.properties)
        host.call("Configure", host.stub.Configure, request)
        try:
            host.stub.ConfigureStack(
                analyzer_pb2.AnalyzerStackConfigureRequest(
                    project=plan.project, stack=plan.stack, dry_run=dry_run
                ),
                timeout=call_timeout,
            )
        except grpc.RpcError as e:
            if e.code() != grpc.StatusCode.UNIMPLEMENTED:  # older packs lack ConfigureStack
                raise host._rpc_error("ConfigureStack", e) from None

        by_urn = {r.urn: r for r in plan.resources}
        violations = host.analyze_resources(by_urn)
        violations.extend(host.analyze_stack(by_urn))
        return described, violations
    except PolicyPackError as e:
        # The line quotes the pack (its stderr, its log, a policy's exception), which may quote
        # a secret just like a violation message.
        masked = mask(str(e))
        if masked == str(e):
            raise
        raise PolicyPackError(masked) from None
    finally:
        host.close()
