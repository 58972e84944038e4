"""kubernetes-core-persistentvolume-node-stage-secret-exists (stack policy)

Applies to: every CSI ``kubernetes:core/v1:PersistentVolume`` with a
``spec.csi.nodeStageSecretRef``.

Enforces: the reference has both ``name`` and ``namespace`` (Kubernetes requires both) and
names a ``kubernetes:core/v1:Secret`` in the stack (``metadata.name`` +
``metadata.namespace``, ``default`` when unset), unless ``"<namespace>/<name>"`` is listed in
the ``exemptSecrets`` setting (secrets managed outside the stack, e.g. by an operator).
Without the secret, the SMB mount fails at pod start with a hard-to-trace error.

Missing: a volume without ``nodeStageSecretRef`` is not checked (NFS volumes, or SMB with
the driver's own credentials).
Unknown: an unknown reference skips the volume; if the secret is not found but some
Secret's name or namespace is unknown, the volume is skipped too.
"""

from __future__ import annotations

from pulumi_policy import ReportViolation, Severity, StackValidationArgs, StackValidationPolicy

from .._config import schema, settings
from .._k8s import PV_TYPE, SECRET_TYPE, object_namespace
from .._props import MISSING, UNKNOWN
from .._stack import k8s_label, resources

CONFIG_SCHEMA = schema(
    {
        "exemptSecrets": {
            "type": "array",
            "items": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?/[^/]+$"},
            "uniqueItems": True,
            "description": "Secrets ('<namespace>/<name>') that exist outside this stack.",
            "default": [],
        }
    }
)


def _validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    exempt = set(settings(args.get_config(), CONFIG_SCHEMA)["exemptSecrets"])
    known: set[str] = set()
    undecided = False
    for secret in resources(args, SECRET_TYPE):
        name = secret.get("metadata", "name")
        namespace = object_namespace(secret.props)
        if isinstance(name, str) and isinstance(namespace, str):
            known.add(f"{namespace}/{name}")
        else:
            undecided = True
    for volume in resources(args, PV_TYPE):
        ref = volume.get("spec", "csi", "nodeStageSecretRef")
        if ref is MISSING or ref is UNKNOWN:
            continue
        name = volume.get("spec", "csi", "nodeStageSecretRef", "name")
        namespace = volume.get("spec", "csi", "nodeStageSecretRef", "namespace")
        if UNKNOWN in (name, namespace):
            continue
        pv = f"PersistentVolume '{k8s_label(volume)}'"
        if not isinstance(name, str) or not name or not isinstance(namespace, str) or not namespace:
            report_violation(
                f"{pv} has a nodeStageSecretRef without both name and namespace; Kubernetes "
                "requires both.",
                volume.urn,
            )
            continue
        key = f"{namespace}/{name}"
        if key in known or key in exempt or undecided:
            continue
        report_violation(
            f"{pv} references node-stage secret '{key}', which is not a Secret in this stack; "
            f"create it in the stack or list '{key}' in this policy's exemptSecrets setting.",
            volume.urn,
        )


# No stack-file key can cause this verdict: the components always comply.
STACK_KEYS: tuple[str, ...] = ()

POLICY = StackValidationPolicy(
    name="kubernetes-core-persistentvolume-node-stage-secret-exists",
    description=(
        "Every PersistentVolume nodeStageSecretRef names a Secret in the stack (or an exempted "
        "one)."
    ),
    validate=_validate,
    config_schema=CONFIG_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps=(
        "Declare the Secret (azurestorageaccountname / azurestorageaccountkey) in the stack with "
        "the referenced name and namespace, or add '<namespace>/<name>' to exemptSecrets."
    ),
    url="https://learn.microsoft.com/azure/aks/azure-csi-files-storage-provision#create-a-kubernetes-secret",
    tags=["kubernetes", "azure-files", "secrets"],
)
