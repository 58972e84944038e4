"""`python -m infra ...`: the `infra` console script, for scripts that have only a Python."""

import sys

from infra.commands import main

sys.exit(main())
