"""Team helpers shared by the policies: team namespaces, Kueue queues, share ownership.

A *team namespace* is a Namespace of the stack labelled ``aks-rwx-training/team`` (as
components/teams.py creates them); Kueue's LocalQueues and ClusterQueues are the
``kueue.x-k8s.io`` custom resources of the stack (any served version). A share's *owner* is
the namespace that claims its own PersistentVolume; a team's read-only copy of another
namespace's volume is a PersistentVolume labelled ``aks-rwx-training/read-only-copy``
(components/volume.py), which never makes its namespace an owner.
"""

from __future__ import annotations

from typing import Any, Final

from pulumi_policy import StackValidationArgs

from ._k8s import PV_TYPE, volume_attribute
from ._props import MISSING, UNKNOWN, get
from ._stack import Res, resources

NAMESPACE_TYPE: Final = "kubernetes:core/v1:Namespace"
TEAM_LABEL: Final = "aks-rwx-training/team"
READ_ONLY_COPY_LABEL: Final = "aks-rwx-training/read-only-copy"
QUEUE_NAME_LABEL: Final = "kueue.x-k8s.io/queue-name"
KUEUE_GROUP: Final = "kueue.x-k8s.io"


def kueue_resources(args: StackValidationArgs, kind: str) -> list[Res]:
    """The stack's Kueue objects of ``kind`` (any API version)."""
    return [
        res
        for res in resources(args)
        if res.type.startswith(f"kubernetes:{KUEUE_GROUP}/") and res.type.endswith(f":{kind}")
    ]


def team_namespaces(args: StackValidationArgs) -> dict[str, str]:
    """``namespace -> team`` for the stack's team namespaces (names and labels known)."""
    teams = {}
    for res in resources(args, NAMESPACE_TYPE):
        name = res.get("metadata", "name")
        team = res.get("metadata", "labels", TEAM_LABEL)
        if isinstance(name, str) and isinstance(team, str):
            teams[name] = team
    return teams


def share_key(pv: Res) -> Any:
    """``(storageAccount, shareName)`` of an Azure Files PV (lower case), or UNKNOWN/None."""
    account = volume_attribute(pv.props, "storageAccount")
    share = volume_attribute(pv.props, "shareName")
    if UNKNOWN in (account, share):
        return UNKNOWN
    if not isinstance(account, str) or not isinstance(share, str):
        return None
    return (account.lower(), share.lower())


def is_read_only_copy(pv: Res) -> bool:
    return get(pv.props, "metadata", "labels", READ_ONLY_COPY_LABEL) == "true"


def share_owners(args: StackValidationArgs) -> dict[tuple[str, str], str]:
    """``share -> namespace`` claiming its own (not a read-only copy) PersistentVolume."""
    owners: dict[tuple[str, str], str] = {}
    for pv in resources(args, PV_TYPE):
        key = share_key(pv)
        namespace = pv.get("spec", "claimRef", "namespace")
        if isinstance(key, tuple) and isinstance(namespace, str) and not is_read_only_copy(pv):
            owners[key] = namespace
    return owners


def mounted_read_only(spec: dict[str, Any], volume_name: str, claim_read_only: Any) -> Any:
    """Whether every container mount of pod volume ``volume_name`` is read-only (the volume's
    own ``persistentVolumeClaim.readOnly`` counts for all); UNKNOWN if a flag is unknown."""
    if claim_read_only is True:
        return True
    undecided = claim_read_only is UNKNOWN
    for list_name in ("initContainers", "containers", "ephemeralContainers"):
        entries = get(spec, list_name)
        if entries is UNKNOWN:
            undecided = True
        for container in entries if isinstance(entries, list) else []:
            mounts = get(container, "volumeMounts")
            if mounts is UNKNOWN:
                undecided = True
            for mount in mounts if isinstance(mounts, list) else []:
                if not isinstance(mount, dict) or mount.get("name") != volume_name:
                    continue
                flag = get(mount, "readOnly")
                if flag is UNKNOWN:
                    undecided = True
                elif flag is MISSING or flag is not True:
                    return False
    return UNKNOWN if undecided else True
