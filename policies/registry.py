"""Every policy of the pack, discovered: each rule module under ``policies/rules/<group>/``
defines exactly one module-level ``POLICY``, and adding the module is all it takes to run
it (helper modules start with ``_``). The order is the modules' names, so the pack, its
documentation and its verdicts list the policies the same way on every run.

Beside its ``POLICY`` each module declares ``STACK_KEYS``: the stack-file keys (flat, as
written in ``stacks/Pulumi.<env>.yaml``; ``[]`` for any list element) whose values can cause
its verdict, or ``()`` when none can. The pack sends them as ``stack-key:<key>`` tags
(``stack-key:none`` for none) in ``GetAnalyzerInfo``, where ``infra`` reads them to name the
key in a verdict's fix line.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from pulumi_policy import Policy

from policies import rules

STACK_KEY_TAG = "stack-key:"
NO_STACK_KEY = "none"


def stack_key_tags(keys: tuple[str, ...]) -> list[str]:
    return [f"{STACK_KEY_TAG}{key}" for key in keys or (NO_STACK_KEY,)]


def rule_modules() -> list[ModuleType]:
    """The rule modules, sorted by their dotted name."""
    names = sorted(
        info.name
        for info in pkgutil.walk_packages(rules.__path__, rules.__name__ + ".")
        if not info.ispkg and not info.name.rsplit(".", 1)[1].startswith("_")
    )
    modules = [importlib.import_module(name) for name in names]
    for module in modules:
        if not isinstance(getattr(module, "POLICY", None), Policy):
            raise TypeError(f"{module.__name__} defines no module-level POLICY")
        if not isinstance(getattr(module, "STACK_KEYS", None), tuple):
            raise TypeError(f"{module.__name__} declares no module-level STACK_KEYS tuple")
        policy = module.POLICY
        tags = [tag for tag in policy.tags or [] if not tag.startswith(STACK_KEY_TAG)]
        policy.tags = [*tags, *stack_key_tags(module.STACK_KEYS)]
    return modules


ALL_POLICIES: list[Policy] = [module.POLICY for module in rule_modules()]
