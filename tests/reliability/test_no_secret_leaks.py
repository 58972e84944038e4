"""No output format prints a secret.

Searched for, in stdout and stderr: every `infra.engine.fakes.FAKE_SECRETS` value (storage account
keys, kubeconfig token and client key) and its base64 form, the base64 fake kubeconfig
(`FAKE_KUBECONFIG_B64`) and the per-cluster base64 kubeconfig the fake
`listManagedClusterUserCredentials` returns for each stack's cluster, and the placeholder a
`secure:` config value becomes (`infra.engine.project.SECRET_PLACEHOLDER`).

* `infra preview` (text with the policy pack, --json and --markdown with --no-policy) for
  every stack;
* `infra preview` of the foreign fixture project `minimal`, which has a `secure:` config value
  and secret outputs, in the three formats;
* `infra diff --no-policy` against HEAD (text, --json, --markdown) when HEAD has the stacks;
* the diff renderers (the CLI's own functions) over a base/head pair whose secrets differ, so
  secret property changes are actually rendered.

Counts: len(FORMATS) formats x (all stacks + minimal), DIFF_FORMATS for diffs.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from infra.compare import diff_plans
from infra.engine.fakes import FAKE_KUBECONFIG_B64, FAKE_SECRETS, fake_kubeconfig
from infra.engine.model import SECRET_MASK
from infra.engine.project import SECRET_PLACEHOLDER
from infra.render.diff import render_diff_markdown, render_diff_text
from infra.render.plan import render_json, render_markdown
from infra.render.text import render_preview_text
from tests.conftest import REPO_ROOT, run_infra_here
from tests.reliability._support import MINIMAL, PROJECT, STACKS, copy_project, preview, real_plan

FORMATS: dict[str, tuple[str, ...]] = {"text": (), "json": ("--json",), "markdown": ("--markdown",)}
# The policy pack runs for the text preview (what CI runs) only: the real stacks have no
# violations, so with policies the other formats print nothing more, for 3x the time.
POLICY_FORMATS = ("text",)
DIFF_FORMATS = FORMATS  # `infra diff --no-policy`: the base and head previews, no packs
CLUSTER_TYPE = "azure-native:containerservice:ManagedCluster"


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _cluster_names() -> list[str]:
    names = []
    for stack in STACKS:
        for r in real_plan(stack).resources:
            if r.type == CLUSTER_TYPE:
                names.append(str(r.inputs["resourceName"]))
    return names


def forbidden(extra_clusters: tuple[str, ...] = ()) -> dict[str, str]:
    """label -> text that must never be printed."""
    found = {f"FAKE_SECRETS[{i}]": s for i, s in enumerate(FAKE_SECRETS)}
    found |= {f"base64(FAKE_SECRETS[{i}])": _b64(s) for i, s in enumerate(FAKE_SECRETS)}
    found["FAKE_KUBECONFIG_B64"] = FAKE_KUBECONFIG_B64
    for name in (*_cluster_names(), *extra_clusters):
        found[f"kubeconfig of {name} (base64)"] = _b64(fake_kubeconfig(name))
    found["SECRET_PLACEHOLDER"] = SECRET_PLACEHOLDER
    return found


def assert_no_leak(where: str, *texts: str, extra_clusters: tuple[str, ...] = ()) -> None:
    joined = "\n".join(texts)
    leaked = [label for label, value in forbidden(extra_clusters).items() if value in joined]
    assert leaked == [], f"{where} prints {', '.join(leaked)}"


# --------------------------------------------------------------------------------------------
# infra preview


@pytest.mark.parametrize("fmt", FORMATS)
def test_preview_of_every_stack_prints_no_secret(fmt: str) -> None:
    policy = () if fmt in POLICY_FORMATS else ("--no-policy",)
    result = run_infra_here("preview", *FORMATS[fmt], *policy)
    assert result.returncode in (0, 1), result.stderr
    assert result.stderr == ""
    assert_no_leak(f"infra preview ({fmt})", result.stdout, result.stderr)
    if fmt == "text":
        for stack in STACKS:
            section = result.stdout.split(f"Stack {PROJECT}/{stack}\n", 1)[1].split("Summary:")[0]
            assert re.search(rf"^    kubeconfig *: {re.escape(SECRET_MASK)}$", section, re.M), stack
    elif fmt == "json":
        doc = json.loads(result.stdout)
        assert [s["stack"] for s in doc["stacks"]] == list(STACKS)
        for stack in doc["stacks"]:
            assert stack["outputs"]["kubeconfig"] == SECRET_MASK, stack["stack"]
            provider = next(
                r for r in stack["resources"] if r["type"] == "pulumi:providers:kubernetes"
            )
            assert provider["inputs"]["kubeconfig"] == SECRET_MASK
    else:
        # The Markdown summary lists resources and verdicts, not outputs.
        assert "kubeconfig" not in result.stdout


@pytest.fixture(scope="module")
def minimal_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("leaks") / "minimal"
    shutil.copytree(MINIMAL, target)
    return target


@pytest.mark.parametrize("fmt", FORMATS)
def test_preview_of_a_project_with_secure_config_prints_no_secret(
    minimal_copy: Path, fmt: str
) -> None:
    doc = yaml.safe_load((minimal_copy / "Pulumi.test.yaml").read_text())
    assert any(isinstance(v, dict) and "secure" in v for v in doc["config"].values())
    result = run_infra_here("preview", "-C", str(minimal_copy), *FORMATS[fmt])
    assert result.returncode == 0, result.stderr
    assert_no_leak(f"infra preview ({fmt}) of minimal", result.stdout, result.stderr)
    if fmt == "text":
        for key in ("token", "primaryKey"):
            assert re.search(rf"^    {key} *: {re.escape(SECRET_MASK)}$", result.stdout, re.M)
    elif fmt == "json":
        outputs = json.loads(result.stdout)["stacks"][0]["outputs"]
        assert outputs["token"] == outputs["primaryKey"] == SECRET_MASK


# --------------------------------------------------------------------------------------------
# infra diff


def _head_has_stacks() -> bool:
    result = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "cat-file", "-e", "HEAD:stacks/Pulumi.dev.yaml"],
        capture_output=True,
        check=False,
    )
    return result.returncode == 0


@pytest.mark.parametrize("fmt", DIFF_FORMATS)
def test_diff_against_head_prints_no_secret(fmt: str) -> None:
    if not _head_has_stacks():
        pytest.skip(
            "HEAD has no stacks/Pulumi.dev.yaml (the stacks are not committed yet): a diff "
            "against HEAD would only list creations; the rendered secret changes are covered "
            "by test_diff_renderers_mask_changed_secrets"
        )
    result = run_infra_here("diff", "--base", "HEAD", "--no-policy", *DIFF_FORMATS[fmt])
    assert result.returncode in (0, 1), result.stderr
    assert_no_leak(f"infra diff ({fmt})", result.stdout, result.stderr)


@pytest.fixture(scope="module")
def changed_plans(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[object, object]]:
    """(base, head) per stack: head is the real stack; base names a different cluster and
    storage account, so the kubeconfig (a secret) changes."""
    project = copy_project(tmp_path_factory.mktemp("leaks") / "project")
    pairs = []
    for stack in STACKS:
        path = project / "stacks" / f"Pulumi.{stack}.yaml"
        doc = yaml.safe_load(path.read_text())
        doc["config"][f"{PROJECT}:clusterName"] = f"old-{stack}"
        doc["config"][f"{PROJECT}:storageAccountName"] = f"stold{stack}"
        path.write_text(yaml.safe_dump(doc))
        pairs.append((preview(project, stack), real_plan(stack)))
    return pairs


def test_diff_renderers_mask_changed_secrets(changed_plans: list[tuple[object, object]]) -> None:
    diffs = [diff_plans(base, head) for base, head in changed_plans]  # type: ignore[arg-type]
    secret_paths = {
        (c.type, p.path)
        for d in diffs
        for c in d.changes
        for p in c.changes
        if SECRET_MASK in (json.dumps(p.as_json()))
    }
    # The rendered diff does contain a secret change: the kubeconfig (no stack holds a
    # storage key any more: issue 21).
    assert ("pulumi:providers:kubernetes", "kubeconfig") in secret_paths, secret_paths
    rendered = {
        "text": render_diff_text(diffs),
        "json": json.dumps({"stacks": [d.as_json() for d in diffs], "blocked": False}),
        "markdown": render_diff_markdown(diffs),
    }
    for fmt, text in rendered.items():
        assert_no_leak(f"diff ({fmt})", text, extra_clusters=tuple(f"old-{s}" for s in STACKS))
        assert SECRET_MASK in text, fmt


def test_plan_renderers_over_the_changed_plans_print_no_secret(
    changed_plans: list[tuple[object, object]],
) -> None:
    bases = [base for base, _ in changed_plans]
    for fmt, text in {
        "text": render_preview_text(bases),  # type: ignore[arg-type]
        "json": render_json(bases),  # type: ignore[arg-type]
        "markdown": render_markdown(bases),  # type: ignore[arg-type]
    }.items():
        assert_no_leak(f"preview ({fmt})", text, extra_clusters=tuple(f"old-{s}" for s in STACKS))


def test_the_plans_do_hold_the_fake_secrets() -> None:
    """The searches above are not vacuous: the secrets are in the plans, only masked."""
    from infra.engine.values import unwrap

    everything = json.dumps(
        [unwrap(r.inputs) for s in STACKS for r in real_plan(s).resources], default=str
    )
    assert any(secret in everything for secret in FAKE_SECRETS)
