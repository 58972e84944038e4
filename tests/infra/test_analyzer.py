"""The offline CrossGuard host (`infra.policy.host`) against the tiny packs in tests/fixtures/packs.

Every pack here really runs: `python -m pulumi.policy` in its own process, driven over gRPC.
Run `python tests/infra/test_analyzer.py` to measure throughput on a 5,000-resource plan.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from pulumi_policy.deserialize import SPECIAL_SECRET_SIG

from infra.engine.model import UNKNOWN, Resource, Secret, StackPlan, Violation
from infra.policy import host as analyzer
from infra.policy.host import PolicyPackError, PolicyPackSpec, evaluate_policy_packs

# Process behaviour: real packs in their own processes over gRPC, some hung or crashing.
pytestmark = pytest.mark.slow

PACKS = Path(__file__).resolve().parents[1] / "fixtures" / "packs"
GOOD = PACKS / "good"
ECHO = PACKS / "echo"

PREFIX = "urn:pulumi:dev::proj::"
BUCKET = "test:index:Bucket"
DB = "test:index:Db"
PROVIDER_URN = PREFIX + "pulumi:providers:test::default"
PROVIDER_REF = PROVIDER_URN + "::prov-id"

# Small timeouts for the broken packs; a pack starts in well under a second here.
FAST = {"start_timeout": 3.0, "call_timeout": 3.0}
# How long cleanup (SIGTERM grace, SIGKILL, reaping) may add to a timeout.
SLACK = 6.0


# --------------------------------------------------------------------------------------------
# Plans


def urn(type_: str, name: str) -> str:
    return f"{PREFIX}{type_}::{name}"


def res(
    type_: str,
    name: str,
    inputs: dict[str, Any] | None = None,
    outputs: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Resource:
    kwargs.setdefault("parent", None)
    kwargs.setdefault("provider", PROVIDER_REF)
    inputs = inputs or {}
    return Resource(
        urn=urn(type_, name),
        type=type_,
        name=name,
        custom=True,
        inputs=inputs,
        outputs=dict(inputs) if outputs is None else outputs,
        **kwargs,
    )


def provider() -> Resource:
    return Resource(
        urn=PROVIDER_URN,
        type="pulumi:providers:test",
        name="default",
        custom=True,
        parent=None,
        provider=None,
        inputs={"region": "westeurope", "token": Secret("provider-token")},
    )


def make_plan(*resources: Resource) -> StackPlan:
    return StackPlan(project="proj", stack="dev", resources=list(resources), outputs={})


def good_plan() -> StackPlan:
    return make_plan(
        provider(),
        res(BUCKET, "ok", {"location": "westeurope"}),
        res(BUCKET, "elsewhere", {"location": "eastus"}),
        res(BUCKET, "unknown-location", {"location": UNKNOWN}),
        res(
            BUCKET,
            "public",
            {"location": "westeurope"},
            {"location": "westeurope", "public": True},
        ),
        res(DB, "db", {"password": Secret("hunter2")}),
    )


def run(pack: Path, plan: StackPlan, config: Path | None = None, **kw: Any) -> list[Violation]:
    return evaluate_policy_packs([PolicyPackSpec(pack, config)], plan, **kw).violations


def summary(violations: list[Violation]) -> list[tuple[str, str, str | None]]:
    return [(v.policy, v.enforcement_level, v.urn) for v in violations]


def write_config(tmp_path: Path, content: Any) -> Path:
    path = tmp_path / "policy-config.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


# --------------------------------------------------------------------------------------------
# Process checks


@pytest.fixture
def pidfile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The fixture packs append their pid (and helpers' pids) here when this is set."""
    path = tmp_path / "pids"
    monkeypatch.setenv("ANALYZER_TEST_PIDFILE", str(path))
    return path


def recorded_pids(pidfile: Path) -> list[int]:
    assert pidfile.exists(), "the pack never started"
    return [int(line) for line in pidfile.read_text().split()]


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")  # a zombie is dead


def assert_no_survivors(pidfile: Path) -> None:
    pids = recorded_pids(pidfile)
    assert pids
    leader = pids[0]
    survivors = [pid for pid in pids if alive(pid)]
    assert not survivors, f"still running: {survivors}"
    # The pack led its own process group; nothing of it may remain.
    try:
        os.killpg(leader, 0)
    except ProcessLookupError:
        pass
    else:  # only zombies awaiting an init that reaps slowly may remain
        members = [
            int(p.name)
            for p in Path("/proc").iterdir()
            if p.name.isdigit() and _pgid(int(p.name)) == leader
        ]
        assert not [pid for pid in members if alive(pid)]


def _pgid(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[2])
    except (FileNotFoundError, IndexError, ValueError):
        return None


# --------------------------------------------------------------------------------------------
# A good pack


def test_good_pack_reports_resource_then_stack_violations(pidfile: Path) -> None:
    violations = run(GOOD, good_plan())

    assert summary(violations) == [
        ("allowed-locations", "mandatory", urn(BUCKET, "elsewhere")),
        ("allowed-locations", "advisory", urn(BUCKET, "unknown-location")),
        ("strong-passwords", "advisory", urn(DB, "db")),
        ("bucket-limits", "mandatory", urn(BUCKET, "public")),
    ]
    assert {v.policy_pack for v in violations} == {"test-good"}
    assert violations[0].message == (
        "Buckets must live in an allowed location.\nlocation eastus is not one of: westeurope"
    )
    # An unknown input is not a crash: pulumi_policy reports it as advisory.
    assert violations[1].message == (
        "can't run policy 'allowed-locations' from policy pack 'test-good@v0.0.1' during "
        "preview: string value at .location can't be known during preview"
    )
    assert violations[3].message == "No public buckets, and not too many.\nbucket is public"
    assert_no_survivors(pidfile)


def test_secrets_reach_the_policy_unwrapped_but_never_the_violation() -> None:
    violations = run(GOOD, good_plan()) + run(ECHO, good_plan())

    (password,) = [v for v in violations if v.policy == "strong-passwords"]
    # The policy measured the plaintext (7 characters), not the secret envelope.
    assert password.message.endswith("password has 7 characters; at least 12 required")
    for v in violations:
        if v.policy_pack == "test-good":
            assert "hunter2" not in json.dumps(v.as_json())
            assert "provider-token" not in json.dumps(v.as_json())
    # The echo pack prints what it received: the plaintext, no secret signature.
    db = echo_of(violations, urn(DB, "db"))
    assert db["props"] == {"password": "hunter2"}
    assert SPECIAL_SECRET_SIG not in json.dumps(db)


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (
            {"allowed-locations": "advisory"},
            [
                ("allowed-locations", "advisory", urn(BUCKET, "elsewhere")),
                ("allowed-locations", "advisory", urn(BUCKET, "unknown-location")),
                ("strong-passwords", "advisory", urn(DB, "db")),
                ("bucket-limits", "mandatory", urn(BUCKET, "public")),
            ],
        ),
        ({"all": "disabled"}, []),
        (
            {"all": "disabled", "bucket-limits": "mandatory"},
            [("bucket-limits", "mandatory", urn(BUCKET, "public"))],
        ),
        (
            {"all": "mandatory"},
            [
                ("allowed-locations", "mandatory", urn(BUCKET, "elsewhere")),
                ("allowed-locations", "advisory", urn(BUCKET, "unknown-location")),
                ("strong-passwords", "mandatory", urn(DB, "db")),
                ("bucket-limits", "mandatory", urn(BUCKET, "public")),
            ],
        ),
        (
            {"all": "advisory", "strong-passwords": {"enforcementLevel": "remediate"}},
            [
                ("allowed-locations", "advisory", urn(BUCKET, "elsewhere")),
                ("allowed-locations", "advisory", urn(BUCKET, "unknown-location")),
                ("strong-passwords", "mandatory", urn(DB, "db")),
                ("bucket-limits", "advisory", urn(BUCKET, "public")),
            ],
        ),
        (
            {"strong-passwords": {"enforcementLevel": "disabled", "minLength": 3}},
            [
                ("allowed-locations", "mandatory", urn(BUCKET, "elsewhere")),
                ("allowed-locations", "advisory", urn(BUCKET, "unknown-location")),
                ("bucket-limits", "mandatory", urn(BUCKET, "public")),
            ],
        ),
    ],
    ids=[
        "one-advisory",
        "all-disabled",
        "all-disabled-but-one",
        "all-mandatory",
        "remediate",
        "off",
    ],
)
def test_config_sets_enforcement_levels(
    tmp_path: Path, config: dict[str, Any], expected: list[tuple[str, str, str]]
) -> None:
    assert summary(run(GOOD, good_plan(), write_config(tmp_path, config))) == expected


def test_config_settings_reach_the_policies(tmp_path: Path) -> None:
    config = {
        "allowed-locations": {"allowedLocations": ["eastus", "westeurope"]},
        "strong-passwords": {"minLength": 4},
        "bucket-limits": {"enforcementLevel": "advisory", "maxBuckets": 2},
    }
    violations = run(GOOD, good_plan(), write_config(tmp_path, config))

    assert summary(violations) == [
        ("allowed-locations", "advisory", urn(BUCKET, "unknown-location")),
        ("bucket-limits", "advisory", urn(BUCKET, "public")),
        ("bucket-limits", "advisory", None),
    ]
    assert violations[2].message.endswith("4 buckets; at most 2 allowed")


def test_empty_config_file_means_no_config(tmp_path: Path) -> None:
    assert summary(run(GOOD, good_plan(), write_config(tmp_path, "  \n"))) == summary(
        run(GOOD, good_plan())
    )


def echo_of(violations: list[Violation], resource_urn: str) -> dict[str, Any]:
    (match,) = [v for v in violations if v.policy == "echo-resource" and v.urn == resource_urn]
    return json.loads(match.message.split("\n", 1)[1])  # type: ignore[no-any-return]


def test_wire_format_matches_what_the_cli_sends(tmp_path: Path) -> None:
    parent = res("test:index:Component", "parent", provider=None)
    child = res(
        BUCKET,
        "child",
        {
            "location": "westeurope",
            "tags": {"team": "ml", "__internal": "dropped"},
            "rules": [{"port": 443}, UNKNOWN, Secret({"key": "v"})],
            "size": 10,
            "ratio": 0.5,
            "enabled": False,
            "nothing": None,
            "__defaults": ["dropped"],
        },
        {"location": "westeurope", "id": "bucket-id", "endpoint": UNKNOWN},
        parent=parent.urn,
        protect=True,
        delete_before_replace=True,
        aliases=[urn(BUCKET, "old-child")],
        dependencies=[parent.urn],
        property_dependencies={"location": [parent.urn], "tags": []},
    )
    orphan = res(
        DB, "orphan", {"password": "x"}, provider=f"{PREFIX}pulumi:providers:gone::p1::id9"
    )
    plan = make_plan(provider(), parent, child, orphan)
    config = write_config(tmp_path, {"echo-resource": {"label": "x", "limits": {"cpu": 2}}})

    violations = run(ECHO, plan, config, dry_run=False)

    got = echo_of(violations, child.urn)
    assert got["type"] == BUCKET
    assert got["name"] == "child"
    assert got["props"] == {
        "location": "westeurope",
        "tags": {"team": "ml"},
        "rules": [{"port": 443}, "<unknown>", {"key": "v"}],
        "size": 10,
        "ratio": 0.5,
        "enabled": False,
        "nothing": None,
    }
    assert got["opts"] == {
        "protect": True,
        "delete_before_replace": True,
        "aliases": [urn(BUCKET, "old-child")],
        "parent": parent.urn,
    }
    assert got["provider"] == {
        "type": "pulumi:providers:test",
        "urn": PROVIDER_URN,
        "name": "default",
        "props": {"region": "westeurope", "token": "provider-token"},
    }
    # Settings arrive merged with the schema's defaults, numbers as JSON numbers.
    assert got["config"] == {"label": "x", "limits": {"cpu": 2}}
    assert got["env"] == {"project": "proj", "stack": "dev", "dry_run": False, "config": "{}"}

    # Unset options stay unset.
    assert echo_of(violations, parent.urn)["opts"] == {
        "protect": False,
        "delete_before_replace": None,
        "aliases": [],
        "parent": None,
    }
    assert echo_of(violations, parent.urn)["provider"] is None
    # A provider missing from the plan is described from its reference.
    assert echo_of(violations, orphan.urn)["provider"] == {
        "type": "pulumi:providers:gone",
        "urn": f"{PREFIX}pulumi:providers:gone::p1",
        "name": "p1",
        "props": {},
    }

    stack = [v for v in violations if v.policy == "echo-stack"]
    assert [v.urn for v in stack] == [None]
    assert violations[-1] is stack[0]  # stack diagnostics come last
    resources = {r["urn"]: r for r in json.loads(stack[0].message.split("\n", 1)[1])}
    assert list(resources) == [r.urn for r in plan.resources]
    stacked = resources[child.urn]
    assert stacked["props"] == {
        "location": "westeurope",
        "id": "bucket-id",
        "endpoint": "<unknown>",
    }
    assert stacked["parent"] == parent.urn
    assert stacked["dependencies"] == [parent.urn]
    assert stacked["property_dependencies"] == {"location": [parent.urn]}
    assert stacked["opts"]["protect"] is True
    assert stacked["provider"]["urn"] == PROVIDER_URN


def test_packs_run_in_order_and_keep_resource_order() -> None:
    plan = good_plan()
    specs = [PolicyPackSpec(GOOD), PolicyPackSpec(ECHO)]
    violations = evaluate_policy_packs(specs, plan).violations

    packs = [v.policy_pack for v in violations]
    assert packs == sorted(packs, key=["test-good", "test-echo"].index)
    echoed = [v.urn for v in violations if v.policy == "echo-resource"]
    assert echoed == [r.urn for r in plan.resources]


def test_five_thousand_resources() -> None:
    buckets = [
        res(BUCKET, f"b{i}", {"location": "eastus" if i % 10 == 0 else "westeurope"})
        for i in range(5000)
    ]
    violations = run(GOOD, make_plan(provider(), *buckets))

    bad = [urn(BUCKET, f"b{i}") for i in range(0, 5000, 10)]
    assert summary(violations) == [
        *[("allowed-locations", "mandatory", u) for u in bad],
        ("bucket-limits", "mandatory", None),
    ]
    assert violations[-1].message.endswith("5000 buckets; at most 100 allowed")


# --------------------------------------------------------------------------------------------
# Bad config files


def good_label() -> str:
    return f"policy pack test-good ({GOOD})"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            '{\n  "all": "mandatory",\n  "allowed-locations" "advisory"\n}',
            "policy pack {path}: config file {cfg}: invalid JSON at line 3, column 23: "
            "Expecting ':' delimiter",
        ),
        (
            {"allowed-locations": "strict"},
            'policy pack {path}: config file {cfg}: policy "allowed-locations": "strict" is '
            "not a valid enforcement level (expected one of advisory, mandatory, remediate, "
            "disabled)",
        ),
        (
            {"strong-passwords": {"enforcementLevel": 1}},
            'policy pack {path}: config file {cfg}: policy "strong-passwords": enforcementLevel 1 '
            "is not a valid enforcement level; must be a string",
        ),
        (
            {"strong-passwords": 12},
            'policy pack {path}: config file {cfg}: policy "strong-passwords": 12 is not a valid '
            "value; must be an enforcement level string or an object",
        ),
        (
            ["mandatory"],
            "policy pack {path}: config file {cfg}: must be a JSON object mapping policy names "
            "to settings, not an array",
        ),
        (
            {"all": {"enforcementLevel": "mandatory", "minLength": 3}},
            'policy pack {path}: config file {cfg}: "all" takes only an enforcement level, '
            "not settings (minLength)",
        ),
    ],
    ids=["malformed-json", "bad-level", "level-not-string", "bad-value", "not-object", "all"],
)
def test_config_file_errors_found_before_starting_the_pack(
    tmp_path: Path, pidfile: Path, content: Any, expected: str
) -> None:
    cfg = write_config(tmp_path, content)
    with pytest.raises(PolicyPackError) as err:
        run(GOOD, good_plan(), cfg)
    assert str(err.value) == expected.format(path=GOOD, cfg=cfg)
    assert not pidfile.exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            {"all": "advisory", "no-such-policy": "mandatory"},
            '{label}: config file {cfg}: policy "no-such-policy" not in pack test-good',
        ),
        (
            {"strong-passwords": {"minLength": "long"}},
            "{label}: config file {cfg}: policy \"strong-passwords\": minLength: 'long' is not "
            "of type 'integer'",
        ),
        (
            {"strong-passwords": {"minLength": 0}},
            '{label}: config file {cfg}: policy "strong-passwords": minLength: 0 is less than '
            "the minimum of 1",
        ),
        (
            {"allowed-locations": {"allowedLocations": ["eastus", 7]}},
            '{label}: config file {cfg}: policy "allowed-locations": allowedLocations.1: 7 is '
            "not of type 'string'",
        ),
        (
            {"strong-passwords": {"minLenght": 12}},
            '{label}: config file {cfg}: policy "strong-passwords" has no setting "minLenght" '
            "(settings: minLength)",
        ),
    ],
    ids=["unknown-policy", "wrong-type", "below-minimum", "wrong-item-type", "unknown-setting"],
)
def test_config_errors_that_need_the_pack(
    tmp_path: Path, pidfile: Path, content: Any, expected: str
) -> None:
    cfg = write_config(tmp_path, content)
    with pytest.raises(PolicyPackError) as err:
        run(GOOD, good_plan(), cfg)
    assert str(err.value) == expected.format(label=good_label(), cfg=cfg)
    assert_no_survivors(pidfile)


def test_missing_config_file(tmp_path: Path) -> None:
    cfg = tmp_path / "absent.json"
    with pytest.raises(PolicyPackError) as err:
        run(GOOD, good_plan(), cfg)
    assert str(err.value) == f"policy pack {GOOD}: config file {cfg}: not found"


def test_object_setting_of_the_wrong_type(tmp_path: Path) -> None:
    cfg = write_config(tmp_path, {"echo-resource": {"limits": "none"}})
    with pytest.raises(PolicyPackError) as err:
        run(ECHO, good_plan(), cfg)
    assert str(err.value) == (
        f'policy pack test-echo ({ECHO}): config file {cfg}: policy "echo-resource": '
        "limits: 'none' is not of type 'object'"
    )


# --------------------------------------------------------------------------------------------
# Broken packs


def test_missing_pack_folder(tmp_path: Path) -> None:
    with pytest.raises(PolicyPackError) as err:
        run(tmp_path / "nope", good_plan())
    assert str(err.value) == f"policy pack {tmp_path / 'nope'}: folder not found"


def test_folder_without_pulumipolicy_yaml(tmp_path: Path) -> None:
    (tmp_path / "__main__.py").write_text("raise SystemExit('never run')\n")
    with pytest.raises(PolicyPackError) as err:
        run(tmp_path, good_plan())
    assert str(err.value) == f"policy pack {tmp_path}: no PulumiPolicy.yaml in the folder"


def test_non_python_pack(tmp_path: Path) -> None:
    (tmp_path / "PulumiPolicy.yaml").write_text("runtime: nodejs\n")
    with pytest.raises(PolicyPackError) as err:
        run(tmp_path, good_plan())
    assert str(err.value) == (
        f'policy pack {tmp_path}: runtime "nodejs" in PulumiPolicy.yaml is not supported '
        "(only python packs can run here)"
    )


def test_python_that_does_not_exist(tmp_path: Path) -> None:
    missing = str(tmp_path / "no-python")
    with pytest.raises(PolicyPackError) as err:
        run(GOOD, good_plan(), python=missing)
    assert str(err.value).startswith(f"policy pack {GOOD}: cannot start {missing}: ")


def test_pack_crashing_at_import(pidfile: Path) -> None:
    pack = PACKS / "crash-at-import"
    started = time.monotonic()
    with pytest.raises(PolicyPackError) as err:
        run(pack, good_plan(), **FAST)
    assert time.monotonic() - started < FAST["start_timeout"] + SLACK
    # The exception line from stderr, and what the pack logged to the engine.
    assert str(err.value) == (
        f"policy pack {pack}: exited with code 1 before printing its port: "
        "RuntimeError: boom at import (it logged: missing setting: region)"
    )
    assert_no_survivors(pidfile)


def test_pack_that_never_prints_its_port(pidfile: Path) -> None:
    pack = PACKS / "no-port"
    started = time.monotonic()
    with pytest.raises(PolicyPackError) as err:
        run(pack, good_plan(), start_timeout=2.0, call_timeout=2.0)
    elapsed = time.monotonic() - started
    assert 2.0 <= elapsed < 2.0 + SLACK
    assert str(err.value) == f"policy pack {pack}: did not print its port within 2s (start_timeout)"
    assert_no_survivors(pidfile)


def test_pack_printing_something_else_first(pidfile: Path) -> None:
    pack = PACKS / "bad-port"
    with pytest.raises(PolicyPackError) as err:
        run(pack, good_plan(), **FAST)
    assert str(err.value) == (
        f"policy pack {pack}: expected its gRPC port on stdout's first line, got "
        "'hello from the pack'"
    )
    assert_no_survivors(pidfile)


CRASH = PACKS / "crash-in-policy"
CRASH_LABEL = f"policy pack test-crash ({CRASH})"


def test_resource_policy_raising(pidfile: Path) -> None:
    plan = make_plan(*[res(BUCKET, f"fine{i}") for i in range(40)], res(BUCKET, "bad"))
    with pytest.raises(PolicyPackError) as err:
        run(CRASH, plan, **FAST)
    assert str(err.value) == (
        f"{CRASH_LABEL}: Analyze of {urn(BUCKET, 'bad')} failed: "
        "a policy raised: policy exploded on bad"
    )
    assert_no_survivors(pidfile)


def test_stack_policy_raising(pidfile: Path) -> None:
    with pytest.raises(PolicyPackError) as err:
        run(CRASH, make_plan(res(BUCKET, "ok"), res(BUCKET, "stack-bad")), **FAST)
    assert str(err.value) == (
        f"{CRASH_LABEL}: AnalyzeStack failed: a policy raised: stack policy exploded"
    )
    assert_no_survivors(pidfile)


def test_pack_dying_inside_analyze(pidfile: Path) -> None:
    with pytest.raises(PolicyPackError) as err:
        run(CRASH, make_plan(res(BUCKET, "ok"), res(BUCKET, "exit")), **FAST)
    message = str(err.value)
    assert message.startswith(f"{CRASH_LABEL}: exited with code 3 during Analyze (in flight: ")
    assert urn(BUCKET, "exit") in message
    assert_no_survivors(pidfile)


def test_policy_hanging_inside_analyze(pidfile: Path) -> None:
    pack = PACKS / "hangs"
    plan = make_plan(*[res(BUCKET, f"fine{i}") for i in range(30)], res(BUCKET, "slow"))
    started = time.monotonic()
    with pytest.raises(PolicyPackError) as err:
        run(pack, plan, **FAST)
    assert time.monotonic() - started < FAST["call_timeout"] + SLACK
    assert str(err.value) == (
        f"policy pack test-hangs ({pack}): Analyze of {urn(BUCKET, 'slow')} did not answer "
        "within 3s (call_timeout)"
    )
    # Both the pack and the helper it started (which ignores SIGTERM) are gone.
    assert len(recorded_pids(pidfile)) == 2
    assert_no_survivors(pidfile)


def test_keyboard_interrupt_still_stops_the_pack(
    pidfile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(self: Any, by_urn: Any) -> list[Violation]:
        raise KeyboardInterrupt

    monkeypatch.setattr(analyzer._PackHost, "analyze_stack", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run(GOOD, good_plan())
    assert_no_survivors(pidfile)


# --------------------------------------------------------------------------------------------
# A pack whose helpers leave its session (setsid) but keep its stdout and stderr open

ESCAPES = PACKS / "escapes"
ESCAPES_LABEL = f"policy pack test-escapes ({ESCAPES})"


def run_bounded(seconds: float, pidfile: Path, *args: Any, **kw: Any) -> list[Violation]:
    """`run`, but a hang fails the test (after stopping what the pack started)."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["violations"] = run(*args, **kw)
        except BaseException as e:  # handed to the test's thread
            outcome["error"] = e

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        for pid in recorded_pids(pidfile):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        pytest.fail(f"evaluate_policy_packs still running after {seconds:g}s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["violations"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("failure", "resource", "expected"),
    [
        ("", "fine", None),
        (
            "before-port",
            "fine",
            f"policy pack {ESCAPES}: exited with code 1 before printing its port: "
            "pack gave up before serving",
        ),
        (
            "no-port",
            "fine",
            f"policy pack {ESCAPES}: did not print its port within 3s (start_timeout)",
        ),
        (
            "",
            "slow",
            f"{ESCAPES_LABEL}: Analyze of {urn(BUCKET, 'slow')} did not answer within 3s "
            "(call_timeout)",
        ),
        (
            "",
            "exit",
            f"{ESCAPES_LABEL}: exited with code 3 during Analyze "
            f"(in flight: {urn(BUCKET, 'exit')})",
        ),
    ],
    ids=["works", "exits-before-port", "no-port", "policy-hangs", "dies-in-analyze"],
)
def test_helpers_that_escape_the_packs_session_neither_hang_nor_survive(
    pidfile: Path,
    monkeypatch: pytest.MonkeyPatch,
    failure: str,
    resource: str,
    expected: str | None,
) -> None:
    monkeypatch.setenv("ESCAPES_PACK_FAILS", failure)
    bound = FAST["call_timeout"] + SLACK
    started = time.monotonic()
    if expected is None:
        assert run_bounded(bound, pidfile, ESCAPES, make_plan(res(BUCKET, resource)), **FAST) == []
    else:
        with pytest.raises(PolicyPackError) as err:
            run_bounded(bound, pidfile, ESCAPES, make_plan(res(BUCKET, resource)), **FAST)
        assert str(err.value) == expected
    assert time.monotonic() - started < bound
    # The pack, its child in a session of its own, and the double-forked daemon: all gone.
    assert len(recorded_pids(pidfile)) == 3
    assert_no_survivors(pidfile)


# --------------------------------------------------------------------------------------------
# Secrets in violation messages

LEAKY = PACKS / "leaky"


def test_violation_messages_never_show_a_secret_of_the_stack() -> None:
    db = res(
        DB,
        "db",
        {
            "user": "admin",
            "password": Secret("hunter2-long"),
            "nested": Secret({"keys": ["deep-secret", 42]}),
            "pin": Secret("1234"),
        },
        {"user": "admin", "token": Secret("output-only-token")},
    )
    # Secrets of other resources, and one inside another ("hunter2" in "hunter2-long").
    copy = res(BUCKET, "copy", {"connection": "server=db;password=hunter2-long;x"})
    overlap = res(
        BUCKET,
        "overlap",
        {
            "a": Secret("abcdef"),
            "b": Secret("defgh"),
            "c": Secret("hunter2"),
            "d": "xx-abcdefgh-yy",
        },
        {},
    )
    plan = make_plan(db, copy, overlap)
    plan.outputs = {"adminPassword": Secret("stack-output-secret")}
    plan.config = {
        "proj:dbPassword": "offline-secret-placeholder",  # what a `secure:` value is offline
        "proj:region": "westeurope",
        "proj:leak": "stack-output-secret",
    }

    messages = {(v.policy, v.urn): v.message.split("\n", 1)[1] for v in run(LEAKY, plan)}

    assert messages == {
        ("quote-inputs", db.urn): "db has [secret], [secret], [secret], admin",
        ("quote-inputs", copy.urn): "copy has server=db;password=[secret];x",
        ("quote-inputs", overlap.urn): ("overlap has [secret], [secret], [secret], xx-[secret]-yy"),
        ("quote-outputs", db.urn): "db outputs [secret], admin",
        ("quote-outputs", copy.urn): "copy outputs server=db;password=[secret];x",
        ("quote-outputs", overlap.urn): "overlap outputs ",
        ("quote-outputs", None): (
            "config proj:dbPassword=[secret], proj:leak=[secret], proj:region=westeurope"
        ),
    }


def test_error_messages_are_one_line() -> None:
    assert str(PolicyPackError("a\n  b\n\nc ")) == "a b c"


# --------------------------------------------------------------------------------------------
# Throughput, by hand: python tests/infra/test_analyzer.py


def synthetic_plan(count: int) -> StackPlan:
    """`count` resources shaped like real ones: nested inputs, secrets, unknowns, a provider."""
    resources = [provider()]
    types = [BUCKET, DB, "test:index:Network"]
    for i in range(count - 1):
        type_ = types[i % 3]
        inputs: dict[str, Any] = {
            "location": "eastus" if i % 7 == 0 else "westeurope",
            "tags": {"team": "ml", "index": str(i)},
            "sku": {"name": "Standard_LRS", "tier": "Standard"},
            "rules": [{"port": 443, "cidr": "10.0.0.0/8"}] * 3,
        }
        if type_ == DB:
            inputs["password"] = Secret("x" * (i % 20))
        if i % 11 == 0:
            inputs["endpoint"] = UNKNOWN
        resources.append(
            res(type_, f"r{i}", inputs, {**inputs, "id": f"id-{i}"}, dependencies=[PROVIDER_URN])
        )
    return make_plan(*resources)


def measure_throughput(count: int = 5000, runs: int = 3) -> dict[str, float]:
    """Time `evaluate_policy_packs` with the good pack on a synthetic plan; print the figures.

    Startup (process, GetAnalyzerInfo, Configure) is measured on a one-resource plan and
    subtracted to give the per-resource cost; the end-to-end rate includes it.
    """
    plan = synthetic_plan(count)
    tiny = make_plan(provider())
    spec = [PolicyPackSpec(GOOD)]
    startups, totals = [], []
    for _ in range(runs):
        started = time.perf_counter()
        evaluate_policy_packs(spec, tiny)
        startups.append(time.perf_counter() - started)
        started = time.perf_counter()
        violations = evaluate_policy_packs(spec, plan).violations
        totals.append(time.perf_counter() - started)
    startup, total = statistics.median(startups), statistics.median(totals)
    figures = {
        "resources": count,
        "violations": len(violations),
        "startup_s": startup,
        "total_s": total,
        "resources_per_s": count / total,
        "per_resource_ms": (total - startup) / count * 1000,
        "analyze_resources_per_s": count / (total - startup),
    }
    print(
        f"{count} resources, {len(violations)} violations, median of {runs} runs:\n"
        f"  end to end  {total:.2f}s = {count / total:,.0f} resources/s\n"
        f"  startup     {startup:.2f}s (process + GetAnalyzerInfo + Configure + empty stack)\n"
        f"  per call    {figures['per_resource_ms']:.3f} ms/resource amortised "
        f"(Analyze x{count} + AnalyzeStack) = {figures['analyze_resources_per_s']:,.0f}/s",
        file=sys.stderr,
    )
    return figures


if __name__ == "__main__":
    measure_throughput()


def test_stack_key_tags_become_the_rules_stack_keys() -> None:
    """A policy's `stack-key:` tags say which stack-file keys can cause its verdict (`none`:
    none can); a pack without them says nothing, and its other tags stay tags."""
    from pulumi.runtime.proto import analyzer_pb2

    from infra.policy.pack_config import pack_info

    info = analyzer_pb2.AnalyzerInfo(
        name="pack",
        policies=[
            analyzer_pb2.PolicyInfo(name="a", tags=["aks", "stack-key:gpuPool.vmSize"]),
            analyzer_pb2.PolicyInfo(name="b", tags=["stack-key:none"]),
            analyzer_pb2.PolicyInfo(name="c", tags=["storage"]),
        ],
    )
    assert [(r.tags, r.stack_keys) for r in pack_info(info, "fallback").rules] == [
        (("aks",), ("gpuPool.vmSize",)),
        ((), ()),
        (("storage",), None),
    ]
