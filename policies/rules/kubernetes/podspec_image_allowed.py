"""kubernetes-core-podspec-image-allowed (mandatory by default)

Applies to: every object with a pod template: ``Pod``, ``Job``, ``CronJob``,
``Deployment``, ``StatefulSet``, ``DaemonSet`` and ``ReplicaSet``.

Enforces: every container, init container and ephemeral container image is pinned by
digest (setting ``requireDigest``, default true) and comes from a registry in the
``allowedRegistries`` setting (a registry host, optionally with a path prefix, matched on
``/`` boundaries; Docker Hub names are normalised, so ``busybox`` is
``docker.io/library/busybox``). A pod on the training cluster mounts shared data
read-write: which code runs there must be fixed by review, not by whoever can push a tag.

Missing: a pod spec without containers has nothing to check.
Unknown: an unknown image skips that container.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .._config import schema, settings
from .._images import REGISTRY_PREFIX_PATTERN, image_problem
from .._k8s import object_name
from .._props import get, is_known, plain
from .._workloads import CONTAINER_LISTS, POD_SPEC_PATHS

NAME: Final = "kubernetes-core-podspec-image-allowed"

CONFIG_SCHEMA = schema(
    {
        "allowedRegistries": {
            "type": "array",
            "items": {"type": "string", "pattern": REGISTRY_PREFIX_PATTERN},
            "uniqueItems": True,
            "description": (
                "Registries (host, optionally with a path prefix) workload images may come "
                "from, e.g. 'mcr.microsoft.com' or 'docker.io/library'."
            ),
            "default": ["mcr.microsoft.com"],
        },
        "requireDigest": {
            "type": "boolean",
            "description": "Images must be pinned by sha256 digest.",
            "default": True,
        },
    }
)


def image_problem_under(configured: Mapping[str, Any] | None, image: str) -> str | None:
    """Why this policy, with the settings ``configured`` for it, forbids ``image``, or None.

    The one entry point for images the policy never sees as resources: the program checks
    the smoke image (which only `infra smoke` runs) with it (stacks/policy_config.py)."""
    config = settings(configured, CONFIG_SCHEMA)
    return image_problem(image, config["allowedRegistries"], config["requireDigest"])


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    path = POD_SPEC_PATHS.get(args.resource_type)
    if path is None:
        return
    props = plain(args.props)
    pod_spec = get(props, *path)
    configured = args.get_config()
    kind = args.resource_type.rsplit(":", 1)[-1]
    for list_name in CONTAINER_LISTS:
        containers: Any = get(pod_spec, list_name) if isinstance(pod_spec, dict) else None
        for container in containers if isinstance(containers, list) else []:
            image = get(container, "image") if isinstance(container, dict) else None
            if not is_known(image) or not isinstance(image, str):
                continue
            problem = image_problem_under(configured, image)
            if problem is not None:
                report_violation(
                    f"{kind} '{object_name(props, args.name)}' container "
                    f"'{get(container, 'name')}' image '{image}' {problem}.",
                    None,
                )


# No stack-file key can cause this verdict: stacks/config.py refuses the values that would.
STACK_KEYS: tuple[str, ...] = ()

POLICY = ResourceValidationPolicy(
    name=NAME,
    description=("Workload images are pinned by digest and come from an allowed registry."),
    validate=_validate,
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=CONFIG_SCHEMA,
    severity=Severity.HIGH,
    remediation_steps=(
        "Reference the image as registry/name@sha256:<digest> (e.g. from `docker buildx "
        "imagetools inspect`), mirrored into a registry listed in allowedRegistries."
    ),
    url="https://kubernetes.io/docs/concepts/containers/images/#image-names",
    tags=["kubernetes", "supply-chain"],
)
