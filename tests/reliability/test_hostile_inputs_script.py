"""scripts/hostile_inputs.py classifies each run as a user would judge it; the README's
reliability figures come from it (issue 26)."""

from __future__ import annotations

import sys

import pytest

from tests.conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "scripts"))
import hostile_inputs as hostile

ERROR_CASE = hostile.Case(
    "e", ("preview",), frozenset({2}), forbid=("\x1b",), names="stacks/Pulumi.dev.yaml"
)
SECRETS = hostile._secrets()


@pytest.mark.parametrize(
    ("code", "out", "err", "outcome"),
    [
        (2, "", "infra: error: stacks/Pulumi.dev.yaml: bad\n", "clean"),
        (None, "", "", "hang"),
        (2, "", "Traceback (most recent call last):\n  File x\nValueError: y\n", "traceback"),
        (2, hostile.CIPHERTEXT, "infra: error: stacks/Pulumi.dev.yaml: x\n", "secret printed"),
        (2, "", "infra: error: \x1b[31mred\n", "secret printed"),
        (0, "ok\n", "", "silent wrong result"),
        (1, "", "violation\n", "silent wrong result"),
        (2, "", "infra: error: stacks/Pulumi.dev.yaml: x\nand more\n", "noisy error"),
        (2, "", "infra: error: Pulumi.yaml: another key\n", "misattributed error"),
    ],
)
def test_each_run_is_classified_by_what_a_user_would_see(code, out, err, outcome) -> None:
    assert hostile._classify(ERROR_CASE, code, out, err, SECRETS)[0] == outcome


def test_the_mocks_fake_secrets_and_their_base64_are_searched_for() -> None:
    from infra.engine.fakes import FAKE_SECRETS

    assert set(FAKE_SECRETS) <= set(SECRETS)
    assert len(SECRETS) > 2 * len(FAKE_SECRETS)


def test_the_corpus_names_each_case_once_and_expects_an_exit_code() -> None:
    names = [case.name for case in hostile.CORPUS]
    assert len(names) == len(set(names)) >= 40
    assert all(case.expect and case.expect <= {0, 1, 2, 3} for case in hostile.CORPUS)
