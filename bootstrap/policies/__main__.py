"""The repository's pack (``policies/``) under the bootstrap project: one set of rules.

The Pulumi CLI runs a pack from its own folder, so this folder is the bootstrap's pack:
it runs the same policies, from the repository root, as ``policies/__main__.py`` does.
"""

import runpy
import sys
from pathlib import Path

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPOSITORY_ROOT))
runpy.run_path(str(REPOSITORY_ROOT / "policies" / "__main__.py"), run_name="__main__")
