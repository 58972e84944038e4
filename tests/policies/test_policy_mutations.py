"""Every policy against its known-good fixture and one mutation per failure mode."""

from __future__ import annotations

import copy
import importlib
import pkgutil

import cases
import pytest
from cases._helpers import RCase, SCase
from policy_fixtures import good_stack, resource
from policy_harness import policy_by_name, run_resource, run_stack

from policies.aks_versions import TODAY_ENV
from policies.registry import ALL_POLICIES


def discover_cases() -> list[RCase | SCase]:
    """``CASES`` of every public module in the ``cases`` package, found by walking it."""
    found: list[RCase | SCase] = []
    for info in sorted(pkgutil.iter_modules(cases.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{cases.__name__}.{info.name}")
        module_cases = getattr(module, "CASES", None)
        assert module_cases, f"cases/{info.name}.py defines no CASES"
        assert all(isinstance(c, RCase | SCase) for c in module_cases), info.name
        found.extend(module_cases)
    return found


ALL_CASES = discover_cases()
RESOURCE_CASES = [c for c in ALL_CASES if isinstance(c, RCase)]
STACK_CASES = [c for c in ALL_CASES if isinstance(c, SCase)]


@pytest.mark.parametrize("case", RESOURCE_CASES, ids=lambda c: c.id)
def test_resource_policy(case: RCase, monkeypatch: pytest.MonkeyPatch) -> None:
    if case.today is not None:
        monkeypatch.setenv(TODAY_ENV, case.today)
    resource_type, props = resource(case.fixture)
    if case.mutate is not None:
        case.mutate(props)
    messages = run_resource(
        policy_by_name(case.policy),
        resource_type,
        props,
        protect=case.protect,
        delete_before_replace=case.delete_before_replace,
        settings=case.settings,
    )
    assert messages == list(case.expected)


@pytest.mark.parametrize("case", STACK_CASES, ids=lambda c: c.id)
def test_stack_policy(case: SCase) -> None:
    stack = good_stack()
    if case.mutate is not None:
        case.mutate(stack)
    messages = run_stack(policy_by_name(case.policy), stack.values(), settings=case.settings)
    assert messages == list(case.expected)


def test_case_ids_are_unique() -> None:
    ids = [c.id for c in RESOURCE_CASES] + [c.id for c in STACK_CASES]
    assert len(ids) == len(set(ids))


def test_every_policy_has_a_passing_and_a_failing_case() -> None:
    cases = [*RESOURCE_CASES, *STACK_CASES]
    registered = {p.name for p in ALL_POLICIES}
    assert {c.policy for c in cases} <= registered, "cases name unregistered policies"
    missing_pass = sorted(registered - {c.policy for c in cases if not c.expected})
    missing_fail = sorted(registered - {c.policy for c in cases if c.expected})
    assert missing_pass == [], f"policies without a passing case: {missing_pass}"
    assert missing_fail == [], f"policies without a failing case: {missing_fail}"


def test_mutations_do_not_leak_into_fixtures() -> None:
    before = copy.deepcopy(good_stack())
    for case in STACK_CASES:
        stack = good_stack()
        if case.mutate is not None:
            case.mutate(stack)
    assert good_stack().keys() == before.keys()
