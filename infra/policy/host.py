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
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import select
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Mapping, Sequence
from concurrent import futures
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import grpc
import jsonschema
import jsonschema.exceptions
import yaml
from google.protobuf import empty_pb2, json_format
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc, engine_pb2, engine_pb2_grpc

from infra.engine.files import parse_json, read_text
from infra.engine.model import SECRET_MASK, Resource, Secret, StackPlan, Unknown, Violation
from infra.engine.values import SECRET_SIG, SIG_KEY, UNKNOWN_SENTINEL, plan_secret_strings
from infra.errors import UsageError

__all__ = ["PolicyPackError", "PolicyPackSpec", "evaluate_policy_packs"]


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

# Seconds between SIGTERM and SIGKILL of a pack's processes, and again for SIGKILL to take:
# the bound on stopping a pack, whatever it does.
_TERM_GRACE = 2.0
_STDERR_TAIL = 200  # lines of a pack's stderr kept for error messages
_MAX_LINE = 64 * 1024  # a longer "line" from a pack is cut there, so one never fills memory
# How often a pipe reader looks up from an empty pipe (for close, and to tell it is drained).
_POLL_MS = 50
# Set, with a fresh value, in each pack's environment; see `_escaped_processes`.
_MARKER_ENV = "INFRA_POLICY_PACK_RUN"

_LEVELS = ("advisory", "mandatory", "remediate", "disabled")
_LEVEL_TO_PROTO = {
    "advisory": analyzer_pb2.ADVISORY,
    "mandatory": analyzer_pb2.MANDATORY,
    "remediate": analyzer_pb2.REMEDIATE,
    "disabled": analyzer_pb2.DISABLED,
}
_PROTO_TO_LEVEL = {v: k for k, v in _LEVEL_TO_PROTO.items()}
# What a diagnostic's level means for the gate: a remediate-level violation is one the pack could
# not fix, so it blocks like a mandatory one; disabled policies are never reported.
_REPORTED_LEVEL = {
    analyzer_pb2.ADVISORY: "advisory",
    analyzer_pb2.MANDATORY: "mandatory",
    analyzer_pb2.REMEDIATE: "mandatory",
}


@dataclass(frozen=True)
class PolicyPackSpec:
    path: Path  # the pack's folder (has PulumiPolicy.yaml)
    config_path: Path | None = None  # a --policy-pack-config JSON file, or None


class PolicyPackError(UsageError):
    """A policy pack could not be evaluated; `str(e)` is one line naming the pack."""

    def __init__(self, message: str) -> None:
        super().__init__(_one_line(message))


def evaluate_policy_packs(
    packs: Sequence[PolicyPackSpec],
    plan: StackPlan,
    *,
    python: str = sys.executable,
    dry_run: bool = True,
    start_timeout: float = 20.0,
    call_timeout: float = 60.0,
) -> list[Violation]:
    """Run each pack (one after the other) against `plan`; return every violation it reports.

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
    violations: list[Violation] = []
    mask = _SecretMask(plan_secret_strings(plan))
    for spec in packs:
        violations.extend(
            _evaluate_pack(
                spec,
                plan,
                python=python,
                dry_run=dry_run,
                start_timeout=start_timeout,
                call_timeout=call_timeout,
                mask=mask,
            )
        )
    return violations


# --------------------------------------------------------------------------------------------
# Pack folder and config file


def _check_pack_folder(path: Path) -> None:
    label = f"policy pack {path}"
    if not path.exists():
        raise PolicyPackError(f"{label}: folder not found")
    if not path.is_dir():
        raise PolicyPackError(f"{label}: not a folder")
    manifest = path / "PulumiPolicy.yaml"
    if not manifest.is_file():
        raise PolicyPackError(f"{label}: no PulumiPolicy.yaml in the folder")
    try:
        doc = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise PolicyPackError(f"{label}: cannot read PulumiPolicy.yaml: {e}") from e
    except yaml.YAMLError as e:
        raise PolicyPackError(f"{label}: PulumiPolicy.yaml is not valid YAML: {e}") from e
    if not isinstance(doc, dict):
        raise PolicyPackError(f"{label}: PulumiPolicy.yaml must be a mapping")
    runtime = doc.get("runtime")
    name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if name is None:
        raise PolicyPackError(f"{label}: PulumiPolicy.yaml has no runtime")
    if name != "python":
        raise PolicyPackError(
            f"{label}: runtime {json.dumps(name)} in PulumiPolicy.yaml is not supported "
            "(only python packs can run here)"
        )


@dataclass
class _PolicyConfig:
    level: str | None  # one of _LEVELS, or None when not set
    properties: dict[str, Any] | None


def _load_config_file(path: Path, label: str) -> dict[str, _PolicyConfig]:
    """Parse a `--policy-pack-config` file as the CLI does (`parsePolicyPackConfig`)."""
    where = f"{label}: config file {path}"
    try:
        text = read_text(path, where)
        if not text.strip():  # the CLI accepts an empty file as "no config"
            return {}
        doc = parse_json(text, where)
    except UsageError as e:
        raise PolicyPackError(str(e)) from None
    if not isinstance(doc, dict):
        raise PolicyPackError(
            f"{where}: must be a JSON object mapping policy names to settings, "
            f"not {_json_type(doc)}"
        )
    result: dict[str, _PolicyConfig] = {}
    for name, value in doc.items():
        if isinstance(value, str):
            level: str | None = _check_level(value, where, name)
            properties: dict[str, Any] | None = None
        elif isinstance(value, dict):
            properties = dict(value)
            raw_level = properties.pop("enforcementLevel", None)
            level = None
            if "enforcementLevel" in value:
                if not isinstance(raw_level, str):
                    raise PolicyPackError(
                        f'{where}: policy "{name}": enforcementLevel {_short_json(raw_level)} is '
                        "not a valid enforcement level; must be a string"
                    )
                level = _check_level(raw_level, where, name)
            if name == "all" and properties:
                raise PolicyPackError(
                    f'{where}: "all" takes only an enforcement level, not settings '
                    f"({', '.join(sorted(properties))})"
                )
            properties = properties or None
        else:
            raise PolicyPackError(
                f'{where}: policy "{name}": {_short_json(value)} is not a valid value; '
                "must be an enforcement level string or an object"
            )
        if level is None and not properties:  # the CLI drops empty entries
            continue
        result[name] = _PolicyConfig(level, properties)
    return result


def _check_level(value: str, where: str, name: str) -> str:
    if value not in _LEVELS:
        raise PolicyPackError(
            f'{where}: policy "{name}": "{value}" is not a valid enforcement level '
            f"(expected one of {', '.join(_LEVELS)})"
        )
    return value


@dataclass
class _PolicyMeta:
    name: str
    level: str
    schema: dict[str, Any] | None  # {"properties": ..., "required": [...]} or None


def _policies_from_info(info: Any) -> list[_PolicyMeta]:
    out: list[_PolicyMeta] = []
    for p in info.policies:
        schema: dict[str, Any] | None = None
        if info.supportsConfig and p.HasField("configSchema"):
            schema = {
                "properties": _integral(json_format.MessageToDict(p.configSchema.properties)),
                "required": list(p.configSchema.required),
            }
        out.append(_PolicyMeta(p.name, _PROTO_TO_LEVEL.get(p.enforcementLevel, "advisory"), schema))
    return out


def _initial_config_from_info(info: Any) -> dict[str, _PolicyConfig]:
    out: dict[str, _PolicyConfig] = {}
    for name, cfg in info.initialConfig.items():
        level = _PROTO_TO_LEVEL.get(cfg.enforcementLevel)
        # proto3 has no presence for enums: ADVISORY (0) is what an unset level looks like.
        if level == "advisory":
            level = None
        props = json_format.MessageToDict(cfg.properties) or None
        out[name] = _PolicyConfig(level, props)
    return out


def _reconcile(
    policies: list[_PolicyMeta],
    initial: dict[str, _PolicyConfig],
    given: dict[str, _PolicyConfig],
) -> dict[str, _PolicyConfig]:
    """The CLI's `ReconcilePolicyPackConfig`, minus validation: defaults, initial, then given."""
    result: dict[str, _PolicyConfig] = {}
    for p in policies:
        defaults = None
        if p.schema is not None:
            defaults = {
                k: v["default"]
                for k, v in p.schema["properties"].items()
                if isinstance(v, dict) and "default" in v
            } or None
        result[p.name] = _PolicyConfig(p.level, defaults)
    for layer in (initial, given):
        everything = layer.get("all")
        if everything is not None and everything.level is not None:
            for name, cfg in result.items():
                result[name] = _PolicyConfig(everything.level, cfg.properties)
        for name, cfg in layer.items():
            if name == "all" or name not in result:
                continue
            current = result[name]
            props = dict(current.properties or {})
            props.update(cfg.properties or {})
            result[name] = _PolicyConfig(cfg.level or current.level, props or None)
    return result


def _validate_settings(
    policies: list[_PolicyMeta], config: dict[str, _PolicyConfig], where: str
) -> None:
    for p in policies:
        settings = config[p.name].properties or {}
        known = set((p.schema or {}).get("properties") or {})
        unknown = sorted(set(settings) - known)
        if unknown:
            # The CLI ignores settings a policy does not declare; a typo ("minimumDay") would
            # then silently leave the default in force, so it is an error here.
            allowed = ", ".join(sorted(known)) or "none"
            raise PolicyPackError(
                f'{where}: policy "{p.name}" has no setting "{unknown[0]}" (settings: {allowed})'
            )
        if p.schema is None:
            continue
        schema: dict[str, Any] = {"type": "object"}
        if p.schema["properties"]:
            schema["properties"] = p.schema["properties"]
        if p.schema["required"]:
            schema["required"] = p.schema["required"]
        cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
        try:
            cls.check_schema(schema)
        except jsonschema.exceptions.SchemaError as e:
            raise PolicyPackError(
                f'{where}: policy "{p.name}" has an invalid configSchema: {e.message}'
            ) from e
        errors = list(cls(schema).iter_errors(settings))
        if errors:
            best = jsonschema.exceptions.best_match(errors)
            at = ".".join(str(part) for part in best.absolute_path)
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            raise PolicyPackError(
                f'{where}: policy "{p.name}": {at + ": " if at else ""}{best.message}{more}'
            )


# --------------------------------------------------------------------------------------------
# Property encoding


class _UnsupportedValue(Exception):
    def __init__(self, type_name: str) -> None:
        super().__init__(type_name)
        self.type_name = type_name
        self.path: list[str] = []


def _encode(value: Any) -> Any:
    """A plan value as the JSON-like structure the CLI would put in a Struct."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, Secret):
        return {SIG_KEY: SECRET_SIG, "value": _encode(value.value)}
    if isinstance(value, Unknown):
        return UNKNOWN_SENTINEL
    if isinstance(value, Mapping):
        return _encode_map(value)
    if isinstance(value, (list, tuple)):
        out = []
        for i, item in enumerate(value):
            try:
                out.append(_encode(item))
            except _UnsupportedValue as e:
                e.path.insert(0, f"[{i}]")
                raise
        return out
    raise _UnsupportedValue(type(value).__name__)


def _encode_map(props: Mapping[Any, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in props.items():
        k = str(key)
        if k.startswith("__"):  # the CLI's SkipInternalKeys
            continue
        try:
            out[k] = _encode(value)
        except _UnsupportedValue as e:
            e.path.insert(0, f".{k}")
            raise
    return out


def _parse_urn(urn: str) -> tuple[str, str]:
    """(type, name) from `urn:pulumi:stack::project::[parent$]type::name`."""
    parts = urn.split("::", 3)
    if len(parts) < 4:
        return "", urn
    return parts[2].rsplit("$", 1)[-1], parts[3]


# --------------------------------------------------------------------------------------------
# Secrets in what a pack says


class _SecretMask:
    """Replaces every stretch of text covered by some secret with the mask.

    Stretches are merged first, so a secret inside another ("pw" in "pw-long") or overlapping
    another ("abcd", "cdef" in "abcdef") never leaves a piece of either in view.  Even a
    one-character secret is masked: a pack quoting it would otherwise show it in full.
    """

    def __init__(self, secrets: set[str]) -> None:
        self._secrets = sorted(secrets)

    def __call__(self, text: str) -> str:
        spans: list[tuple[int, int]] = []
        for secret in self._secrets:
            at = text.find(secret)
            while at != -1:
                spans.append((at, at + len(secret)))
                at = text.find(secret, at + 1)
        if not spans:
            return text
        spans.sort()
        out: list[str] = []
        done = 0
        start, end = spans[0]
        for s, e in spans[1:]:
            if s <= end:
                end = max(end, e)
                continue
            out += [text[done:start], SECRET_MASK]
            done, (start, end) = end, (s, e)
        out += [text[done:start], SECRET_MASK, text[end:]]
        return "".join(out)


# --------------------------------------------------------------------------------------------
# Process plumbing


class _EngineServicer(engine_pb2_grpc.EngineServicer):
    """The minimal Engine service a pack may log to."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.errors: list[str] = []
        self.root_urn = ""

    def Log(self, request: Any, context: Any) -> empty_pb2.Empty:
        if request.severity == engine_pb2.ERROR:
            with self._lock:
                self.errors.append(request.message)
        return empty_pb2.Empty()

    def GetRootResource(self, request: Any, context: Any) -> engine_pb2.GetRootResourceResponse:
        return engine_pb2.GetRootResourceResponse(urn=self.root_urn)

    def SetRootResource(self, request: Any, context: Any) -> engine_pb2.SetRootResourceResponse:
        self.root_urn = request.urn
        return engine_pb2.SetRootResourceResponse()

    def last_error_line(self) -> str:
        with self._lock:
            return _last_line(self.errors[-1]) if self.errors else ""


class _PipeReader:
    """Drains one of the pack's pipes in a thread, keeping a tail of its lines.

    With `first_line` set, the first line goes to that queue instead (None at EOF without one).

    The pipe is polled rather than read with a blocking readline: a process that escaped the
    pack's session can hold the pipe open after the pack exits, so EOF may never come, and a
    thread blocked in a buffered read also blocks whoever closes that stream.
    """

    def __init__(self, stream: IO[bytes], name: str, first_line: queue.Queue[str | None] | None):
        self._fd = stream.fileno()
        self._first = first_line
        self._lines: deque[str] = deque(maxlen=_STDERR_TAIL)
        self._stop = threading.Event()
        self._state = threading.Condition()
        self._empty_polls = 0
        self._finished = False
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        poller = select.poll()
        poller.register(self._fd, select.POLLIN)
        pending = b""
        try:
            while not self._stop.is_set():
                if not poller.poll(_POLL_MS):
                    with self._state:
                        self._empty_polls += 1
                        self._state.notify_all()
                    continue
                chunk = os.read(self._fd, 65536)
                if not chunk:  # every writer has closed it
                    if pending:
                        self._add(pending)
                    break
                *lines, pending = (pending + chunk).split(b"\n")
                for line in lines:
                    self._add(line)
                if len(pending) > _MAX_LINE:
                    self._add(pending[:_MAX_LINE])
                    pending = b""
        except (OSError, ValueError):
            pass
        finally:
            if self._first is not None:
                self._first.put(None)
                self._first = None
            with self._state:
                self._finished = True
                self._state.notify_all()

    def _add(self, raw: bytes) -> None:
        line = raw[:_MAX_LINE].decode("utf-8", "replace").rstrip("\r")
        if self._first is not None:
            self._first.put(line)
            self._first = None
            return
        with self._state:
            self._lines.append(line)

    def wait_drained(self, timeout: float) -> None:
        """Wait (at most `timeout` s) until all that was written before this call is read.

        For after the pack's main process exited: its last words are in the pipe by then, but
        EOF only comes when every process holding the pipe has exited too.
        """
        with self._state:
            seen = self._empty_polls
            self._state.wait_for(
                lambda: self._finished or self._empty_polls > seen, timeout=timeout
            )

    def stop(self, timeout: float) -> bool:
        """Stop reading; True once the thread is gone and the stream may be closed."""
        self._stop.set()
        self.thread.join(timeout=timeout)
        return not self.thread.is_alive()

    def lines(self) -> list[str]:
        with self._state:
            return list(self._lines)

    def last_line(self) -> str:
        return _last_line("\n".join(self.lines()))


def _describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"


def _escaped_processes(marker: bytes, pipes: frozenset[str]) -> list[int]:
    """Processes a pack started that its process group may no longer reach.

    A pack's descendant can call setsid() (leaving the group killpg reaches) and, once its
    parent exits, be re-parented to init (so no ppid chain leads back to the pack).  Two things
    survive both, and /proc shows them for any process of the same user:
    * the environment: every descendant inherits the pack's `_MARKER_ENV` entry, a fresh random
      value per pack run, unless it deliberately runs with another environment;
    * the pack's stdout/stderr pipes: a descendant still holding one is exactly what would keep
      this side waiting for EOF, and it shows as `pipe:[<inode>]` among its fds.
    A process that drops both can no longer hang or confuse `infra`; catching even that needs
    a cgroup or PR_SET_CHILD_SUBREAPER, which would change how the whole `infra` process (and
    any test runner embedding it) reaps orphans, so neither is used.
    A pid found here may in theory be reused before it is signalled: pids are handed out in
    increasing order up to pid_max, so that takes a wrap-around within microseconds.
    """
    me = os.getpid()
    found: list[int] = []
    try:
        entries = os.listdir("/proc")
    except OSError:  # no procfs: only the process group can be stopped
        return found
    for entry in entries:
        if not entry.isdigit() or int(entry) == me:
            continue
        base = f"/proc/{entry}"
        try:
            with open(f"{base}/environ", "rb") as f:
                environ = f.read()
        except OSError:  # gone, or another user's
            continue
        if marker in environ.split(b"\0"):
            found.append(int(entry))
            continue
        try:
            fds = os.listdir(f"{base}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"{base}/fd/{fd}") in pipes:
                    found.append(int(entry))
                    break
            except OSError:
                continue
    return found


def _signal_pack(
    proc: subprocess.Popen[bytes], marker: bytes, pipes: frozenset[str], sig: int
) -> int:
    """Send `sig` to the pack's process group and to every process that escaped it; how many
    escaped processes were found (a SIGKILLed process is a zombie by the next look, and a
    zombie has neither environment nor fds)."""
    escaped = _escaped_processes(marker, pipes)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)  # start_new_session=True: the pack leads its own group
    for pid in escaped:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)
    return len(escaped)


def _stop_pack(proc: subprocess.Popen[bytes], marker: bytes, pipes: frozenset[str]) -> None:
    """SIGTERM everything the pack started, wait briefly, then SIGKILL whatever is left."""
    _signal_pack(proc, marker, pipes, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=_TERM_GRACE)
    # Repeated, because a process may have forked between a look at /proc and its SIGKILL.
    deadline = time.monotonic() + _TERM_GRACE
    while _signal_pack(proc, marker, pipes, signal.SIGKILL) and time.monotonic() < deadline:
        time.sleep(0.02)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=max(0.1, deadline - time.monotonic()))


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
        mask: _SecretMask,
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
        self.engine = _EngineServicer()
        self.engine_server: Any = None
        self.proc: subprocess.Popen[bytes] | None = None
        self.stdout: _PipeReader | None = None
        self.stderr: _PipeReader | None = None
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
        self.stdout = _PipeReader(self.proc.stdout, f"policy-stdout-{self.proc.pid}", first)
        self.stderr = _PipeReader(self.proc.stderr, f"policy-stderr-{self.proc.pid}", None)

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
        if not text.isdigit() or not 0 < int(text) < 65536:
            raise PolicyPackError(
                f"{self.label}: expected its gRPC port on stdout's first line, got {_clip(text)!r}"
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
            _stop_pack(self.proc, self._marker.encode(), self._pipes)
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
        message = f"{self.label}: {_describe_exit(self.proc.returncode)} {when}"
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
        last = _last_line(details)
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
            level = _REPORTED_LEVEL.get(diag.enforcementLevel)
            if level is None:
                continue
            out.append(
                Violation(
                    policy_pack=self.pack_name,
                    policy=diag.policyName,
                    enforcement_level=level,
                    urn=diag.urn or default_urn,
                    message=self.mask(diag.message),
                )
            )
        return out

    def _fill(self, struct: Any, resource: Resource, props: Mapping[str, Any], what: str) -> None:
        try:
            encoded = _encode_map(props)
        except _UnsupportedValue as e:
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
                type_, name = _parse_urn(urn)
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
    mask: _SecretMask,
) -> list[Violation]:
    _check_pack_folder(spec.path)
    label = f"policy pack {spec.path}"
    given = _load_config_file(spec.config_path, label) if spec.config_path is not None else {}

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
        host.pack_name = info.name or spec.path.name
        host.label = f"policy pack {host.pack_name} ({spec.path})"
        where = (
            f"{host.label}: config file {spec.config_path}"
            if spec.config_path is not None
            else host.label
        )

        policies = _policies_from_info(info)
        known = {p.name for p in policies}
        for name in given:
            if name != "all" and name not in known:
                raise PolicyPackError(f'{where}: policy "{name}" not in pack {host.pack_name}')
        config = _reconcile(policies, _initial_config_from_info(info), given)
        _validate_settings(policies, config, where)

        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, cfg in config.items():
            entry = request.policyConfig[name]
            entry.enforcementLevel = _LEVEL_TO_PROTO[cfg.level or "advisory"]
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
        return violations
    except PolicyPackError as e:
        # The line quotes the pack (its stderr, its log, a policy's exception), which may quote
        # a secret just like a violation message.
        masked = mask(str(e))
        if masked == str(e):
            raise
        raise PolicyPackError(masked) from None
    finally:
        host.close()


# --------------------------------------------------------------------------------------------
# Small helpers


def _one_line(text: str) -> str:
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


def _last_line(text: str) -> str:
    for line in reversed(text.splitlines()):
        if line.strip():
            return line.strip()
    return ""


def _clip(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _short_json(value: Any) -> str:
    return _clip(json.dumps(value))


def _integral(value: Any) -> Any:
    """Struct carries every number as a double; give whole numbers back their int form."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _integral(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_integral(v) for v in value]
    return value


def _json_type(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return "null"
