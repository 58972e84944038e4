"""Run another Pulumi project in this process without losing this process's modules."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def modules_kept() -> Iterator[None]:
    """The engine forgets modules another project imported from outside its root, as the
    language host would never see them (`_evict_other_projects_modules`). Running the
    bootstrap (its root is `bootstrap/`) would so drop this repository's `components` and
    `policies`, which later tests hold references into: put them back afterwards."""
    saved = dict(sys.modules)
    try:
        yield
    finally:
        sys.modules.update(saved)
