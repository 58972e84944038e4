"""RwxVolume under the Pulumi mock runtime."""

from __future__ import annotations

import dataclasses
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest
from component_harness import RunResult, run_pulumi

from components import volume
from components.volume import RwxVolume, RwxVolumeArgs
from policies.rules.stack import fileshare_meets_volume_targets as targets
from stacks.config import VolumeConfig

COMPONENT = "aks-rwx-training:volume:RwxVolume"
NAMESPACE = "kubernetes:core/v1:Namespace"
SECRET = "kubernetes:core/v1:Secret"
PV = "kubernetes:core/v1:PersistentVolume"
PVC = "kubernetes:core/v1:PersistentVolumeClaim"


def volume_settings(name: str, **overrides: Any) -> VolumeConfig:
    """A ``volumes`` entry at the stack config's defaults (declared in stacks/config.py), with
    ``overrides`` by field name."""
    return VolumeConfig.model_validate({"name": name, "quotaGiB": 1024}).model_copy(
        update=overrides
    )


def deploy(protocol: str = "smb", **overrides: Any) -> RunResult:
    """The volume with ``overrides`` by field name; a field of the volume's settings goes to
    ``volume``."""
    settings = {k: overrides.pop(k) for k in list(overrides) if k in VolumeConfig.model_fields}

    def program() -> RwxVolume:
        provider = k8s.Provider("k8s", kubeconfig=pulumi.Output.secret("apiVersion: v1"))
        args = RwxVolumeArgs(
            volume=volume_settings("datasets", **settings),
            namespace="training",
            quota_gib=1024,
            resource_group_name="rg-test",
            storage_account_name=pulumi.Output.from_input("sttraining01"),
            share_name="datasets",
            provider=provider,
            protocol=protocol,  # type: ignore[arg-type]
        )
        return RwxVolume("datasets", dataclasses.replace(args, **overrides))

    result = run_pulumi(program)
    result.raise_error()
    return result


def test_children_use_the_cluster_provider_and_role_names() -> None:
    result = deploy()
    component = result.one(COMPONENT)
    provider = result.one("pulumi:providers:kubernetes")
    children = [r for r in result.registrations if r.parent == component.urn]
    assert sorted(r.name for r in children) == [
        "datasets-namespace",
        "datasets-pv",
        "datasets-pvc",
    ]
    for child in children:
        assert child.provider.startswith(provider.urn + "::"), child.name
    # Stateful objects must not delete-before-replace.
    assert not [c.name for c in children if c.delete_before_replace]


def test_namespace() -> None:
    namespace = deploy().one(NAMESPACE).inputs
    assert namespace["metadata"]["name"] == "training"


def test_smb_volume_creates_no_secret_and_names_no_key() -> None:
    # Issue 21: the key sat in a Kubernetes Secret anyone with secret read in the namespace
    # could take, and in Pulumi state. The driver now lists it on the node itself.
    result = deploy()
    assert not result.by_type(SECRET)
    assert "azurestorageaccountkey" not in repr([r.inputs for r in result.registrations])
    assert "nodeStageSecretRef" not in result.one(PV).inputs["spec"]["csi"]


def test_static_csi_pv_for_smb() -> None:
    result = deploy()
    pv = result.one(PV)
    assert pv.inputs["metadata"]["name"] == "training-datasets"
    assert pv.inputs["metadata"]["annotations"] == {
        "pv.kubernetes.io/provisioned-by": "file.csi.azure.com"
    }
    spec = pv.inputs["spec"]
    assert spec["capacity"] == {"storage": "1024Gi"}
    assert spec["accessModes"] == ["ReadWriteMany"]
    assert spec["persistentVolumeReclaimPolicy"] == "Retain"
    assert spec["storageClassName"] == ""
    assert spec["csi"] == {
        "driver": "file.csi.azure.com",
        "volumeHandle": "rg-test#sttraining01#datasets",
        "volumeAttributes": {
            "resourceGroup": "rg-test",
            "storageAccount": "sttraining01",
            "shareName": "datasets",
            # Only cluster administrators can plant a key Secret the driver would read first.
            "secretNamespace": "kube-system",
        },
    }
    assert spec["mountOptions"] == [
        "dir_mode=0770",
        "file_mode=0770",
        "uid=1000",
        "gid=1000",
        "mfsymlinks",
        "cache=strict",
        "nosharesock",
        "actimeo=30",
    ]


@pytest.mark.parametrize("protocol", ["smb", "nfs"])
def test_pv_is_reserved_for_its_claim(protocol: str) -> None:
    # kubernetes.io/docs/concepts/storage/persistent-volumes/#reserving-a-persistentvolume:
    # the PV's claimRef and the claim's volumeName name each other.
    result = deploy(protocol=protocol)
    pv, pvc = result.one(PV).inputs, result.one(PVC).inputs
    assert pv["spec"]["claimRef"] == {"namespace": "training", "name": "datasets"}
    assert pv["spec"]["claimRef"] == {
        "namespace": pvc["metadata"]["namespace"],
        "name": pvc["metadata"]["name"],
    }
    assert pvc["spec"]["volumeName"] == pv["metadata"]["name"]


def test_declared_targets_are_annotated_on_the_pv() -> None:
    pv = deploy(throughput_mibps=800, iops=5000).one(PV)
    annotations = pv.inputs["metadata"]["annotations"]
    assert annotations["aks-rwx-training/throughput-target-mibps"] == "800"
    assert annotations["aks-rwx-training/iops-target"] == "5000"
    only_throughput = deploy(throughput_mibps=800).one(PV)
    assert "aks-rwx-training/iops-target" not in only_throughput.inputs["metadata"]["annotations"]
    # A team's read-only copy is another PV of the same share: the owner's PV declares it.
    copy = deploy(throughput_mibps=800, iops=5000, read_only=True).one(PV)
    assert set(copy.inputs["metadata"]["annotations"]) == {"pv.kubernetes.io/provisioned-by"}


def test_mount_ownership_is_configurable() -> None:
    spec = deploy(uid=2000, gid=3000, dir_mode="0777", file_mode="0660").one(PV).inputs["spec"]
    assert spec["mountOptions"][:4] == ["dir_mode=0777", "file_mode=0660", "uid=2000", "gid=3000"]


def test_pvc_binds_to_the_pv() -> None:
    result = deploy()
    pvc = result.one(PVC)
    assert pvc.inputs["metadata"] == {
        "name": "datasets",
        "namespace": "training",
        "labels": pvc.inputs["metadata"]["labels"],
    }
    assert pvc.inputs["spec"] == {
        "accessModes": ["ReadWriteMany"],
        "storageClassName": "",
        "volumeName": "training-datasets",
        "volumeMode": "Filesystem",
        "resources": {"requests": {"storage": "1024Gi"}},
    }
    assert result.one(PV).urn in pvc.dependencies
    assert result.one(NAMESPACE).urn in pvc.dependencies
    component: RwxVolume = result.value
    assert (component.pv_name, component.pvc_name, component.capacity) == (
        "training-datasets",
        "datasets",
        "1024Gi",
    )


def test_nfs_volume_has_no_secret() -> None:
    result = deploy(protocol="nfs")
    assert not result.by_type(SECRET)
    spec = result.one(PV).inputs["spec"]
    assert spec["csi"]["volumeAttributes"]["protocol"] == "nfs"
    assert "nodeStageSecretRef" not in spec["csi"]
    assert spec["mountOptions"] == ["nconnect=4", "noresvport", "actimeo=30"]
    assert not any(option.startswith("uid=") for option in spec["mountOptions"])


def test_protected_data() -> None:
    result = deploy(protect=True)
    for type_ in (NAMESPACE, PV, PVC):
        registration = result.one(type_)
        assert registration.protect and registration.retain_on_delete, type_


def test_unprotected_data() -> None:
    result = deploy(protect=False)
    assert not any(r.protect or r.retain_on_delete for r in result.registrations)


def test_existing_namespace_is_not_created() -> None:
    def program() -> RwxVolume:
        provider = k8s.Provider("k8s", kubeconfig=pulumi.Output.secret("apiVersion: v1"))
        owner = k8s.core.v1.Namespace(
            "shared-ns",
            metadata={"name": "training"},
            opts=pulumi.ResourceOptions(provider=provider),
        )
        return RwxVolume(
            "checkpoints",
            RwxVolumeArgs(
                volume=volume_settings("checkpoints"),
                namespace="training",
                quota_gib=100,
                resource_group_name="rg-test",
                storage_account_name="sttraining01",
                share_name="checkpoints",
                provider=provider,
                create_namespace=False,
                namespace_depends_on=[owner],
            ),
        )

    result = run_pulumi(program)
    result.raise_error()
    owner = result.named("shared-ns")
    assert [r.name for r in result.by_type(NAMESPACE)] == ["shared-ns"]
    assert owner.urn in result.one(PV).dependencies
    assert owner.urn in result.one(PVC).dependencies
    assert result.value.namespace_resource is None


def test_the_target_annotations_are_the_packs() -> None:
    # The pack, which runs without the program, reads the performance a volume needs from
    # these annotations (azure-native-storage-fileshare-meets-volume-targets).
    assert volume.THROUGHPUT_TARGET_ANNOTATION == targets.THROUGHPUT_TARGET_ANNOTATION
    assert volume.IOPS_TARGET_ANNOTATION == targets.IOPS_TARGET_ANNOTATION
