"""The Mermaid picture of a stack: its structure, and that it keeps every dependency."""

from __future__ import annotations

import re
import sys

import pytest

from infra.engine.model import Resource, StackPlan
from infra.render.mermaid import MAX_NODES, render_mermaid
from tests.conftest import REPO_ROOT
from tests.reliability._support import real_plan

NODE = re.compile(r'^\s*(n\d+)(?:\[|\{\{)"(.*?)<br/>', re.MULTILINE)
EDGE = re.compile(r"^\s*(n\d+) (-->|-\.->) (n\d+)$", re.MULTILINE)


@pytest.fixture(scope="module")
def prod() -> StackPlan:
    return real_plan("prod")


def _graph(text: str) -> tuple[dict[str, str], set[tuple[str, str]], set[tuple[str, str]]]:
    names = {node: name for node, name in NODE.findall(text)}
    subgraphs = re.findall(r'subgraph (n\d+)\["(.*?)<br/>', text)
    names.update(dict(subgraphs))
    arrows = {(names[a], names[b]) for a, kind, b in EDGE.findall(text) if kind == "-->"}
    dotted = {(names[a], names[b]) for a, kind, b in EDGE.findall(text) if kind == "-.->"}
    return names, arrows, dotted


def test_components_are_subgraphs_holding_their_children(prod: StackPlan) -> None:
    text = render_mermaid(prod)
    assert text.startswith("flowchart LR\n")
    components = [r for r in prod.resources if not r.custom]
    assert len(re.findall(r"^\s*subgraph ", text, re.MULTILINE)) == len(components)
    # The ManagedCluster sits inside the TrainingCluster's subgraph.
    block = re.split(r'subgraph n\d+\["training<br/>', text, maxsplit=1)[1].split("\n  end", 1)[0]
    assert "training-cluster<br/><small>ManagedCluster</small>" in block
    assert '{{"training-provider<br/><small>kubernetes provider</small>"}}' in block


def test_every_dependency_of_the_plan_is_a_path_in_the_picture(prod: StackPlan) -> None:
    _, arrows, _ = _graph(render_mermaid(prod))
    following: dict[str, set[str]] = {}
    for a, b in arrows:
        following.setdefault(a, set()).add(b)

    def reaches(a: str, b: str) -> bool:
        seen, stack = set(), [a]
        while stack:
            for nxt in following.get(stack.pop(), ()):
                if nxt == b:
                    return True
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return False

    by_urn = {r.urn: r for r in prod.resources}
    pairs = [(by_urn[d].name, r.name) for r in prod.resources for d in r.dependencies]
    assert pairs
    assert all(reaches(a, b) for a, b in pairs)
    # ... with the implied arrows left out: the account reaches the shares through the file
    # service, so it has no arrow of its own to them.
    assert ("shared-storage-account", "shared-storage-share-datasets") not in arrows


def test_the_provider_points_at_each_object_it_manages(prod: StackPlan) -> None:
    _, _, dotted = _graph(render_mermaid(prod))
    names = {r.urn: r.name for r in prod.resources}
    # A provider reference is "<provider URN>::<provider id>".
    managed = {(names[r.provider.rsplit("::", 1)[0]], r.name) for r in prod.resources if r.provider}
    assert dotted == managed
    assert ("training-provider", "nvidia-device-plugin-daemonset") in managed
    assert ("share-backup-classic-provider", "share-backup-item-datasets") in managed


def test_labels_are_escaped_and_huge_plans_are_summarised() -> None:
    quoted = Resource('urn:a"b', "pkg:mod:Thing", 'a"b', True, None, None, {})
    assert '"a#quot;b<br/><small>Thing</small>"' in render_mermaid(
        StackPlan("p", "s", [quoted], {})
    )
    many = [Resource(f"urn:{i}", "pkg:mod:T", f"r{i}", True, None, None, {}) for i in range(300)]
    text = render_mermaid(StackPlan("p", "big", many, {}))
    assert text.count("\n") == 1
    assert f"big: 300 resources, over the {MAX_NODES} a readable graph holds" in text


def test_preview_format_mermaid_and_markdown(infra) -> None:
    result = infra("preview", "-s", "dev", "--format", "mermaid", "--no-policy")
    assert result.returncode == 0, result.stderr
    # A Mermaid document (no Markdown fence or heading): the stack's own graph, as the PR
    # comment draws it, inside a subgraph named after the stack, its ids prefixed by it.
    (_, *graph) = render_mermaid(real_plan("dev")).splitlines()
    inner = [re.sub(r"\bn(\d+)\b", r"s0n\1", "  " + line) for line in graph]
    assert result.stdout.splitlines() == [
        "flowchart LR",
        '  subgraph s0["aks-rwx-training/dev"]',
        *inner,
        "  end",
    ]
    markdown = infra("preview", "-s", "dev", "--markdown", "--no-policy").stdout
    assert "```mermaid\nflowchart LR\n" in markdown
    refused = infra("preview", "--format", "mermaid", "--violations-only")
    assert refused.returncode == 2
    assert refused.stderr == (
        "infra: error: --violations-only shapes the text output; drop it or --format mermaid\n"
    )


def test_the_readme_picture_is_generated_from_prod(capsys: pytest.CaptureFixture[str]) -> None:
    # In this process, as test_doc_tables runs its generator: the picture is the subject, not
    # a process (~3 s of imports); prod's plan comes from this module's fixture.
    sys.path.insert(0, str(REPO_ROOT / "scripts"))
    import gen_stack_graph

    assert gen_stack_graph.main(["--check"]) == 0, capsys.readouterr()


def test_a_mermaid_document_of_several_stacks_keeps_each_stacks_nodes_apart(infra) -> None:
    result = infra("preview", "-s", "dev", "-s", "staging", "--format", "mermaid", "--no-policy")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.startswith("flowchart LR\n") and "```" not in text
    assert re.findall(r'^  subgraph (s\d+)\["(.*?)"\]$', text, re.MULTILINE) == [
        ("s0", "aks-rwx-training/dev"),
        ("s1", "aks-rwx-training/staging"),
    ]
    declared = re.findall(r"^\s*(?:subgraph )?(s\d+n\d+)[\[{]", text, re.MULTILINE)
    assert len(declared) == len(set(declared))
    plans = [real_plan(stack) for stack in ("dev", "staging")]
    assert len(declared) == sum(len(p.resources) for p in plans)


def test_a_format_a_command_cannot_print_is_refused_naming_the_flag(infra) -> None:
    result = infra("cost", "-s", "dev", "--format", "mermaid")
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    # argparse's own words; Python 3.12.8 stopped quoting the choices.
    assert line.startswith("infra: error: argument --format: invalid choice: 'mermaid' ")
    assert line.replace("'", "").endswith("(choose from text, json, markdown)")
