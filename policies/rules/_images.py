"""Container image references: where an image comes from and whether it is pinned.

Shared by the workload-image policy and by the program, which checks images that only
``infra smoke`` runs (never registered as resources) against the same setting. The
grammar is the Docker reference one (github.com/distribution/reference, normalize.go): the
first path component is a registry when it holds a ``.`` or ``:`` or is ``localhost``;
otherwise the image is on Docker Hub (``docker.io``), and a one-component name is under
``library/``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

DIGEST_RE: Final = re.compile(r"@sha256:[0-9a-f]{64}\Z")
# A registry host (with an optional port) and optional path prefix, as settings list them.
REGISTRY_PREFIX_PATTERN: Final = r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?(/[a-z0-9._-]+)*$"
DOCKER_HUB: Final = "docker.io"


def repository(image: str) -> str:
    """``registry/path/name`` of an image reference, tag and digest removed, normalised."""
    name = image.split("@", 1)[0]
    last_slash = name.rfind("/")
    if ":" in name[last_slash + 1 :]:
        name = name[: name.rfind(":")]
    first, _, rest = name.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        return name
    return f"{DOCKER_HUB}/{name}" if rest else f"{DOCKER_HUB}/library/{name}"


def is_pinned(image: str) -> bool:
    """Whether the reference ends in a sha256 digest (the tag, if any, is then ignored)."""
    return DIGEST_RE.search(image) is not None


def registry_allowed(image: str, allowed: Sequence[str]) -> bool:
    repo = repository(image)
    return any(repo == prefix or repo.startswith(prefix.rstrip("/") + "/") for prefix in allowed)


def image_problem(image: str, allowed: Sequence[str], require_digest: bool = True) -> str | None:
    """Why ``image`` may not run, or None. The wording completes "image '<image>' ..."."""
    if require_digest and not is_pinned(image):
        return (
            "is not pinned by digest (name@sha256:<64 hex>): a tag can be moved to other code "
            "after review"
        )
    if not registry_allowed(image, allowed):
        return (
            f"comes from '{repository(image)}', which is under none of the allowed registries "
            f"({', '.join(allowed) or 'none'})"
        )
    return None
