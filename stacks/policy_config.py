"""What the stack's policy config (``policies/config/<stack>.json``) says about the program.

The pack checks the resources a stack registers; the smoke image is never registered (``infra
smoke`` applies it after the deploy), so the program applies the same rule to it here, from
the same setting: one list of allowed registries per environment, declared once. The pack
is self-contained (published on its own); the program calls only its policy module's public
function, never the pack's private helpers (pyproject.toml [tool.importlinter]).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from policies.rules.kubernetes import podspec_image_allowed

POLICY_CONFIG_DIR = Path(__file__).resolve().parent.parent / "policies" / "config"
# A policy config is a few kilobytes; anything far larger is not one.
MAX_POLICY_CONFIG_BYTES = 1 << 20


class PolicyConfigError(ValueError):
    """The policy config file is missing or unreadable; the message names it."""


def policy_config_path(stack: str) -> Path:
    return POLICY_CONFIG_DIR / f"{stack}.json"


def _shown(path: Path) -> str:
    return path.relative_to(POLICY_CONFIG_DIR.parent.parent).as_posix()


def _load(stack: str) -> dict[str, Any]:
    path = policy_config_path(stack)
    if not path.exists():
        raise PolicyConfigError(
            f"{_shown(path)}: missing; every stack needs its policy config (copy another "
            "environment's and adjust it)"
        )
    # stat first: a FIFO or a device (a link to /dev/zero) must never be opened and read.
    if not path.is_file():
        raise PolicyConfigError(f"{_shown(path)}: not a regular file")
    with path.open("rb") as handle:
        data = handle.read(MAX_POLICY_CONFIG_BYTES + 1)
    if len(data) > MAX_POLICY_CONFIG_BYTES:
        raise PolicyConfigError(f"{_shown(path)}: larger than {MAX_POLICY_CONFIG_BYTES} bytes")
    try:
        doc = json.loads(data, object_pairs_hook=_unique_keys)
    except RecursionError:
        raise PolicyConfigError(f"{_shown(path)}: not valid JSON (nested too deeply)") from None
    except ValueError as error:
        raise PolicyConfigError(f"{_shown(path)}: not valid JSON ({error})") from None
    if not isinstance(doc, dict):
        raise PolicyConfigError(f"{_shown(path)}: must be a JSON object of policy settings")
    return doc


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            # The pack's reader would take the last one silently: refuse the ambiguity.
            raise ValueError(f"duplicate key {key!r}")
        seen[key] = value
    return seen


def image_rejection(image: str, stack: str) -> str | None:
    """Why the stack's policy config forbids ``image``, or None."""
    entry = _load(stack).get(podspec_image_allowed.NAME)
    problem = podspec_image_allowed.image_problem_under(
        entry if isinstance(entry, dict) else {}, image
    )
    if problem is None:
        return None
    return (
        f"image '{image}' {problem} (setting {podspec_image_allowed.NAME}.allowedRegistries "
        f"in {_shown(policy_config_path(stack))})"
    )
