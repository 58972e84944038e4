"""Run another Pulumi project in this process without losing this process's modules."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent
# This repository's packages (and the bootstrap program's), by top-level name: their folders.
_OWN_PACKAGES = {
    folder.name: folder
    for parent in (_CHECKOUT, _CHECKOUT / "bootstrap")
    for folder in parent.iterdir()
    if (folder / "__init__.py").is_file()
}


def _foreign(name: str, module: object) -> bool:
    """Whether ``module`` is one of this repository's packages' modules imported from
    elsewhere (a copy of the repository, another revision's worktree, a fixture project)."""
    folder = _OWN_PACKAGES.get(name.partition(".")[0])
    origin = getattr(module, "__file__", None)
    return folder is not None and bool(origin) and not Path(origin).resolve().is_relative_to(folder)


@contextmanager
def modules_kept() -> Iterator[None]:
    """Around a preview of another project (or revision) in this process: the engine evicts
    the modules of this repository's packages that another project imported from elsewhere
    (`_evict_other_projects_modules`), so the preview imports its own `stacks`, `components`
    and `policies` in place of the checkout's. Afterwards those are forgotten and the
    checkout's put back: later code imports the checkout's, and finds the module of each class
    it imported before. What was imported from the checkout or the SDKs meanwhile stays."""
    saved = dict(sys.modules)
    try:
        yield
    finally:
        for name, module in list(sys.modules.items()):
            if name not in saved and _foreign(name, module):
                del sys.modules[name]
        sys.modules.update(saved)
