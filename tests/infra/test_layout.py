"""The shape of `infra`: data flows one way, and the engine knows nothing of this repository."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO_ROOT

INFRA = REPO_ROOT / "infra"
# What each layer may import from this repository, besides the standard library and the
# packages in the lock file. The engine and the policy host could be published on their own.
ALLOWED = {
    "engine": {"infra.errors", "infra.engine"},
    "policy": {"infra.errors", "infra.engine", "infra.policy"},
    "compare": {"infra.errors", "infra.engine"},
    "render": {
        "infra.errors",
        "infra.engine",
        "infra.compare",
        "infra.readers",
        "infra.repo.rules",
        "infra.render",
    },
    # Azure's own facts (standard library only), which the program and the pack read too.
    "readers": {"infra.errors", "infra.engine", "azure_facts"},
    "repo": {
        "infra.errors",
        "infra.engine",
        "infra.git",
        "infra.readers",
        "infra.repo",
        "components",
        "stacks",
        # AKS's release calendar, which the policy pack reads too.
        "policies.aks_versions",
    },
}
FIRST_PARTY = ("azure_facts", "infra", "components", "stacks", "policies")


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in found if name.split(".")[0] in FIRST_PARTY}


def _module(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer(path: Path) -> str:
    relative = path.relative_to(INFRA)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def test_each_layer_imports_only_what_lies_below_it():
    for path in sorted(INFRA.rglob("*.py")):
        allowed = ALLOWED.get(_layer(path))
        if allowed is None:
            continue
        for name in _imports(path):
            ok = any(name == a or name.startswith(a + ".") for a in allowed)
            assert ok, f"{path.relative_to(REPO_ROOT)} imports {name}"


def test_no_module_imports_one_that_imports_it_back():
    modules = {
        _module(p): p
        for p in REPO_ROOT.glob("*/**/*.py")
        if p.parts[len(REPO_ROOT.parts)] in FIRST_PARTY
    }

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph = {
        name: {
            m
            for i in _imports(path)
            if (m := resolve(i)) and m != name and not name.startswith(m + ".")
        }
        for name, path in modules.items()
    }
    # Tarjan's strongly connected components; any component larger than one is a cycle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    assert cycles == []
