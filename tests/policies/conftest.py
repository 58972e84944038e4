"""Make the repository root importable for the policy tests.

``policies`` is imported from the repository root. ``python -m pytest`` (the Makefile's
form) puts the working directory on ``sys.path``, and the editable install will list the
package once ``pyproject.toml`` includes ``policies*``; until then a bare ``pytest`` run
would resolve ``policies`` to this test directory as a namespace package. Inserting the
root first keeps every invocation importing the real pack.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
