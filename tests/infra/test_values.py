"""Which strings of a plan are secret, for masking what packs and diffs print."""

from __future__ import annotations

from infra.engine.model import Resource, Secret, StackPlan
from infra.engine.project import SECRET_PLACEHOLDER
from infra.engine.values import plan_secret_strings


def _resource(name: str, inputs: dict, outputs: dict | None = None) -> Resource:
    return Resource(
        urn=f"urn:pulumi:s::p::t::{name}",
        type="t",
        name=name,
        custom=True,
        parent=None,
        provider=None,
        inputs=inputs,
        outputs=outputs or {},
    )


def test_only_strings_held_as_secrets_alone_are_masked():
    account = _resource("account", {"accountName": "sttraining"})
    credentials = _resource(
        "credentials",
        {"stringData": Secret({"name": "sttraining", "key": "k3y=="})},
        {"data": {"token": Secret("t0ken"), "port": Secret(445)}},
    )
    plan = StackPlan("p", "s", [account, credentials], {"kubeconfig": Secret(["apiVersion: v1"])})
    # The account's name is public (its own input shows it); numbers are never masked.
    assert plan_secret_strings(plan) == {"k3y==", "t0ken", "apiVersion: v1"}


def test_the_stand_in_for_a_secure_config_value_is_masked():
    plan = StackPlan("p", "s", [], {}, config={"p:password": SECRET_PLACEHOLDER})
    assert plan_secret_strings(plan) == {SECRET_PLACEHOLDER}
