"""RwxVolume: a ReadWriteMany PersistentVolume/Claim bound to an existing Azure Files share."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import pulumi
import pulumi_kubernetes as k8s

CSI_DRIVER = "file.csi.azure.com"
# \A...\Z, never ^...$: `$` also matches before a trailing newline, which Azure rejects.
DNS1123_LABEL_RE = re.compile(r"\A(?=.{1,63}\Z)[a-z0-9]([-a-z0-9]*[a-z0-9])?\Z")
MODE_RE = re.compile(r"\A0[0-7]{3}\Z")
# Where the driver looks for a key Secret before it lists the key itself (see RwxVolume).
KEY_LOOKUP_NAMESPACE = "kube-system"
NFS_MOUNT_OPTIONS: tuple[str, ...] = ("nconnect=4", "noresvport", "actimeo=30")
# The performance a volume declares it needs, on its PV, where the policy pack checks the
# share behind it against them (azure-native-storage-fileshare-meets-volume-targets) and
# `kubectl describe pv` shows them.
THROUGHPUT_TARGET_ANNOTATION = "aks-rwx-training/throughput-target-mibps"
IOPS_TARGET_ANNOTATION = "aks-rwx-training/iops-target"
VOLUME_LABEL = "aks-rwx-training/volume"
# On the PV and PVC of a read-only copy of another namespace's volume (RwxVolumeArgs.read_only).
READ_ONLY_COPY_LABEL = "aks-rwx-training/read-only-copy"
COMMON_LABELS = {
    "app.kubernetes.io/managed-by": "pulumi",
    "app.kubernetes.io/part-of": "aks-rwx-training",
}


def smb_mount_options(*, uid: int, gid: int, dir_mode: str, file_mode: str) -> list[str]:
    """CIFS mount options: ownership/permissions are fixed at mount time for SMB shares."""
    return [
        f"dir_mode={dir_mode}",
        f"file_mode={file_mode}",
        f"uid={uid}",
        f"gid={gid}",
        "mfsymlinks",  # symlinks (checkpoints "latest" links) as Minshall+French symlinks
        "cache=strict",
        "nosharesock",  # a TCP connection per mount: one slow share does not stall the others
        "actimeo=30",
    ]


class VolumeSettings(Protocol):
    """One entry of the stack's ``volumes``, as stacks/config.py ``VolumeConfig`` declares and
    validates it (a share name that is a DNS-1123 label, uid/gid of 1 or more, 4-digit octal
    modes, targets within the billing model's limits): the program hands each entry over whole.

    ``uid``, ``gid``, ``dir_mode`` and ``file_mode`` are the SMB mount's ownership and
    permissions (``0770`` by default, so only the owning user/group - the training pods'
    ``runAsUser``/``supplementalGroups`` - can read and write); NFS ignores them.
    ``throughput_mibps`` and ``iops`` are the performance the volume declares it needs
    (annotated on its PV), ``None`` when it declares none.
    """

    @property
    def name(self) -> str: ...
    @property
    def uid(self) -> int: ...
    @property
    def gid(self) -> int: ...
    @property
    def dir_mode(self) -> str: ...
    @property
    def file_mode(self) -> str: ...
    @property
    def throughput_mibps(self) -> int | None: ...
    @property
    def iops(self) -> int | None: ...


@dataclass(frozen=True)
class RwxVolumeArgs:
    """Inputs of :class:`RwxVolume`.

    Attributes:
        volume: The volume's settings (:class:`VolumeSettings`); its name is the PVC's and,
            with the namespace, the PV's.
        namespace: Namespace of the PVC: the volume's own, or a team's for a read-only copy.
        quota_gib: Share quota as the billing model resolved it; the PV capacity and PVC
            request are exactly this.
        resource_group_name: Resource group of the storage account.
        storage_account_name: Storage account holding the share.
        share_name: The file share.
        provider: Kubernetes provider of the target cluster (used by every child).
        protocol: ``smb`` or ``nfs``; must match the share.
        create_namespace: Create the Namespace; ``False`` when it exists or another volume
            creates it (then pass that volume's namespace in ``namespace_depends_on``).
        namespace_depends_on: Resources the namespaced children must wait for.
        protect: ``protect`` + ``retain_on_delete`` on Namespace, PV and PVC.
        read_only: A read-only copy of another namespace's volume (a team's shared datasets,
            components/teams.py): its own PV on the same share, ``csi.readOnly`` so the kubelet
            mounts it read-only whatever a pod asks, and a volume handle ending in
            ``##<namespace>``: the Azure Files driver reads rg#account#share#disk#uuid and
            ignores the fifth part (GetFileShareInfo, kubernetes-sigs/azurefile-csi-driver
            pkg/azurefile/azurefile.go), and every PV of one share needs its own handle. The
            performance targets stay on the owner's PV: one share, one declaration.
    """

    volume: VolumeSettings
    namespace: str
    quota_gib: int
    resource_group_name: pulumi.Input[str]
    storage_account_name: pulumi.Input[str]
    share_name: pulumi.Input[str]
    provider: k8s.Provider
    protocol: Literal["smb", "nfs"] = "smb"
    create_namespace: bool = True
    namespace_depends_on: Sequence[pulumi.Resource] = ()
    protect: bool = True
    read_only: bool = False


class RwxVolume(pulumi.ComponentResource):
    """Namespace (optional), static CSI PV and a PVC bound to it; no credential anywhere.

    An SMB PV names its share (``volumeAttributes``: resource group, account, share) and no
    secret: the Azure Files CSI driver on the node then lists the account key itself with the
    kubelet identity when it stages the volume (:class:`components.storage.KubeletKeyAccess`
    grants that identity ``listKeys`` on the account), so the key is in no Kubernetes Secret,
    no Pulumi state and no CI job. NFS needs no key.

    The PV is reserved for the PVC both ways: the PV's ``claimRef`` names the claim and the
    claim's ``volumeName`` names the PV.

    Outputs (attributes):
        namespace: Namespace name (str).
        namespace_resource: The Namespace, or ``None`` when it is not created here.
        pv: The PersistentVolume; ``pv_name`` its (cluster-unique) name ``<namespace>-<volume>``.
        pvc: The PersistentVolumeClaim; ``pvc_name`` its name (the volume name).
        capacity: ``"<quota>Gi"``.
    """

    namespace_resource: k8s.core.v1.Namespace | None

    def __init__(
        self,
        name: str,
        args: RwxVolumeArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("aks-rwx-training:volume:RwxVolume", name, None, opts)

        smb = args.protocol == "smb"
        self.namespace = args.namespace
        self.pv_name = f"{args.namespace}-{args.volume.name}"
        self.pvc_name = args.volume.name
        self.capacity = f"{args.quota_gib}Gi"
        labels = {**COMMON_LABELS, VOLUME_LABEL: args.volume.name}
        if args.read_only:
            labels[READ_ONLY_COPY_LABEL] = "true"

        def k8s_opts(
            *,
            protect: bool = False,
            depends_on: Sequence[pulumi.Resource] = (),
            ignore_changes: Sequence[str] = (),
        ) -> pulumi.ResourceOptions:
            # Stateful objects (Namespace, PV, PVC) never delete-before-replace: a replacement
            # that cannot coexist with the old object must fail loudly rather than drop the
            # binding to the data first.
            return pulumi.ResourceOptions(
                parent=self,
                provider=args.provider,
                protect=protect,
                retain_on_delete=protect,
                delete_before_replace=False,
                depends_on=list(depends_on),
                ignore_changes=list(ignore_changes),
            )

        namespace_deps: list[pulumi.Resource] = list(args.namespace_depends_on)
        self.namespace_resource = None
        if args.create_namespace:
            self.namespace_resource = k8s.core.v1.Namespace(
                f"{name}-namespace",
                metadata=k8s.meta.v1.ObjectMetaArgs(
                    name=args.namespace, labels=dict(COMMON_LABELS)
                ),
                opts=k8s_opts(protect=args.protect),
            )
            namespace_deps.append(self.namespace_resource)

        volume_attributes: dict[str, pulumi.Input[str]] = {
            "resourceGroup": args.resource_group_name,
            "storageAccount": args.storage_account_name,
            "shareName": args.share_name,
        }
        if smb:
            # Without nodeStageSecretRef the driver first looks for a Secret named
            # azure-storage-account-<account>-secret, whose account name it would mount instead
            # (pkg/azurefile/azurefile.go, GetAccountInfo), and only then lists the key with
            # the kubelet identity (docs/driver-parameters.md, "Tips"). It looks in this
            # namespace: kube-system, where only cluster administrators create Secrets, so no
            # workload namespace can redirect the mount.
            volume_attributes["secretNamespace"] = KEY_LOOKUP_NAMESPACE
        else:
            volume_attributes["protocol"] = "nfs"

        self.pv = k8s.core.v1.PersistentVolume(
            f"{name}-pv",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=self.pv_name,
                labels=labels,
                annotations={
                    "pv.kubernetes.io/provisioned-by": CSI_DRIVER,
                    **{
                        key: str(target)
                        for key, target in (
                            (THROUGHPUT_TARGET_ANNOTATION, args.volume.throughput_mibps),
                            (IOPS_TARGET_ANNOTATION, args.volume.iops),
                        )
                        if target is not None and not args.read_only
                    },
                },
            ),
            spec=k8s.core.v1.PersistentVolumeSpecArgs(
                capacity={"storage": self.capacity},
                access_modes=["ReadWriteMany"],
                persistent_volume_reclaim_policy="Retain",
                storage_class_name="",
                volume_mode="Filesystem",
                # Reserve the PV for its claim. The claim's volumeName alone only picks the PV
                # from the claim's side: until it binds, another claim with
                # storageClassName "" could bind this PV first. A claimRef (namespace + name)
                # makes the binder skip every other claim. See "Reserving a PersistentVolume",
                # https://kubernetes.io/docs/concepts/storage/persistent-volumes/#reserving-a-persistentvolume
                # claimRef is mutable, so adding it to an existing PV is an update.
                claim_ref=k8s.core.v1.ObjectReferenceArgs(
                    namespace=args.namespace, name=self.pvc_name
                ),
                mount_options=smb_mount_options(
                    uid=args.volume.uid,
                    gid=args.volume.gid,
                    dir_mode=args.volume.dir_mode,
                    file_mode=args.volume.file_mode,
                )
                if smb
                else list(NFS_MOUNT_OPTIONS),
                csi=k8s.core.v1.CSIPersistentVolumeSourceArgs(
                    driver=CSI_DRIVER,
                    volume_handle=pulumi.Output.format(
                        "{0}#{1}#{2}{3}",
                        args.resource_group_name,
                        args.storage_account_name,
                        args.share_name,
                        f"##{args.namespace}" if args.read_only else "",
                    ),
                    volume_attributes=volume_attributes,
                    read_only=True if args.read_only else None,
                ),
            ),
            opts=k8s_opts(protect=args.protect, depends_on=namespace_deps),
        )

        self.pvc = k8s.core.v1.PersistentVolumeClaim(
            f"{name}-pvc",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=self.pvc_name, namespace=args.namespace, labels=labels
            ),
            spec=k8s.core.v1.PersistentVolumeClaimSpecArgs(
                access_modes=["ReadWriteMany"],
                storage_class_name="",
                volume_name=self.pv_name,
                volume_mode="Filesystem",
                resources=k8s.core.v1.VolumeResourceRequirementsArgs(
                    requests={"storage": self.capacity}
                ),
            ),
            # Kubernetes refuses to resize a statically bound claim ("only dynamically
            # provisioned pvc can be resized"). When the share grows, the PV's capacity
            # follows and the claim keeps its original request, which still binds.
            opts=k8s_opts(
                protect=args.protect,
                depends_on=[*namespace_deps, self.pv],
                ignore_changes=["spec.resources.requests"],
            ),
        )

        self.register_outputs(
            {
                "namespace": self.namespace,
                "pvName": self.pv_name,
                "pvcName": self.pvc_name,
                "capacity": self.capacity,
            }
        )
