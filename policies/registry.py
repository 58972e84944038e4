"""Every policy of the pack, discovered: each rule module under ``policies/rules/<group>/``
defines exactly one module-level ``POLICY``, and adding the module is all it takes to run
it (helper modules start with ``_``). The order is the modules' names, so the pack, its
documentation and its verdicts list the policies the same way on every run.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from pulumi_policy import Policy

from policies import rules


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
    return modules


ALL_POLICIES: list[Policy] = [module.POLICY for module in rule_modules()]
