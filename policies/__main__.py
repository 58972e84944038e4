"""Entry point the Pulumi CLI runs: ``python -m pulumi.policy <engine-address> .`` (cwd policies/).

``pulumi.policy`` ``runpy``s this file as ``__main__``; constructing ``PolicyPack`` starts the
analyzer gRPC server and blocks. Importing ``policies.registry`` needs the repository root on
``sys.path``, which the editable install provides; the fallback below covers a virtualenv
whose editable install predates the ``policies`` package or the ``azure_facts`` package the
rules read (or one the Pulumi CLI built from ``requirements.txt``, with no install at all).
"""

import sys
from pathlib import Path

from pulumi_policy import EnforcementLevel, PolicyPack

try:
    from policies.registry import ALL_POLICIES
except ModuleNotFoundError as exc:  # pragma: no cover - depends on how the venv was built
    if exc.name not in ("policies", "azure_facts"):
        raise
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from policies.registry import ALL_POLICIES

PolicyPack(
    name="aks-rwx-training",
    policies=ALL_POLICIES,
    enforcement_level=EnforcementLevel.MANDATORY,
)
