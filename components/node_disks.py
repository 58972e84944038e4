"""The VM sizes node pools may use: their GPUs and local disk, and the OS disk each pool gets.

An ephemeral OS disk lives on the VM's cache or temp (resource) disk, so the OS disk size must
not exceed that disk (https://learn.microsoft.com/azure/aks/concepts-storage#ephemeral-os-disk,
https://learn.microsoft.com/azure/virtual-machines/ephemeral-os-disks#size-requirements). AKS
rejects an explicit ``Ephemeral`` request that does not fit, so the decision is made here, from a
pinned table of the VM sizes the policy pack allows; any other size gets a managed OS disk and the
reason is logged.

The OS disk also holds every container image the node pulls (containerd's root is on it unless
``kubeletDiskType`` is ``Temporary``, https://learn.microsoft.com/azure/aks/concepts-storage), so
a GPU pool's disk is sized for the training images too: :func:`image_storage_gib` is what a disk
leaves for them, :func:`os_disk_for` picks a disk that holds them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from azure_facts.vm_sizes import vm_size

OsDiskType = Literal["Ephemeral", "Managed"]

# AKS's own default OS disk size for VM sizes of 1-7 vCPUs (P10, 128 GiB): the node image,
# container images and logs fit comfortably (concepts-storage#default-os-disk-sizing).
OS_DISK_SIZE_GB = 128

# --- image storage on a node -----------------------------------------------------------------
# Assumptions, each declared once (not verifiable offline; see docs/offline-limits.md):
# * The node image itself (Ubuntu, kubelet, containerd, the NVIDIA driver of AKS's GPU node
#   image) and the images of the system DaemonSets (kube-proxy or Cilium, CSI drivers, the
#   monitoring agents, the device plugin, DCGM) take NODE_RESERVED_GIB of the OS disk.
NODE_RESERVED_GIB = 40
# * The kubelet deletes unused images once the disk is IMAGE_GC_HIGH_PERCENT full (its
#   imageGCHighThresholdPercent default, kubernetes.io/docs/reference/config-api/
#   kubelet-config.v1beta1), and evicts pods below 15 % free (AKS's imagefs.available<15%,
#   learn.microsoft.com/azure/aks/node-resource-reservations): images must fit below it.
IMAGE_GC_HIGH_PERCENT = 85
# * A training image is at most TRAINING_IMAGE_GIB once unpacked. NVIDIA's PyTorch images are
#   the largest the stacks allow (nvcr.io/nvidia is in every policy config's allowedRegistries);
#   their size could not be read from NGC's manifest data offline, so this is the assumption:
#   reports put nvcr.io/nvidia/pytorch:23.03-py3 at ~20 GB (github.com/d4l3k/torchdrive/pull/4)
#   and the NGC PyTorch image at 22 GB (github.com/hiyouga/LlamaFactory/issues/4974).
TRAINING_IMAGE_GIB = 22
# * containerd keeps the compressed layers (its content store) beside the unpacked snapshot,
#   and compressed layers are never larger than unpacked ones: an image needs at most twice its
#   unpacked size. Every training pod takes at least one GPU, so a node runs at most one
#   training image per GPU; images no pod uses any more are the kubelet's to collect.
IMAGE_COPIES_ON_DISK = 2


def training_image_footprint_gib(image_gib: int, gpus: int) -> int:
    """Disk a node with ``gpus`` GPUs needs for training images of ``image_gib``: one image per
    GPU, each unpacked and compressed (1 GPU, 22 GiB: 1 x 2 x 22 = 44 GiB)."""
    return max(1, gpus) * IMAGE_COPIES_ON_DISK * image_gib


def image_storage_gib(os_disk_gib: int) -> int:
    """What an OS disk of ``os_disk_gib`` leaves for training images: the part below the
    kubelet's image GC threshold, less the node image and system images.

    64 GiB (the NC24ads_A100_v4 temp disk): 64 x 85 % = 54 - 40 = 14 GiB, too small for one
    NGC PyTorch image (44 GiB). 128 GiB: 108 - 40 = 68 GiB, room for it.
    """
    return max(0, os_disk_gib * IMAGE_GC_HIGH_PERCENT // 100 - NODE_RESERVED_GIB)


def os_disk_gib_for_images(image_gib: int, gpus: int) -> int:
    """The smallest OS disk, in the managed disk sizes AKS offers by powers of two from
    :data:`OS_DISK_SIZE_GB`, whose image storage holds the footprint."""
    size = OS_DISK_SIZE_GB
    while image_storage_gib(size) < training_image_footprint_gib(image_gib, gpus):
        size *= 2
    return size


@dataclass(frozen=True)
class OsDisk:
    """A pool's OS disk: its type, its size and, for a managed disk, why it is not ephemeral."""

    type: OsDiskType
    size_gb: int
    managed_because: str | None = None


def os_disk_for(vm_size_name: str, image_gib: int | None = None) -> OsDisk:
    """Ephemeral when the VM size's local disk is known and holds it (the disk then shrinks to
    the local disk when that is smaller than :data:`OS_DISK_SIZE_GB`), else managed.

    With ``image_gib`` (a GPU pool, which pulls training images of that size) the disk must
    also hold their footprint; when the local disk cannot, the pool gets a managed disk of
    :func:`os_disk_gib_for_images`.
    """
    size = vm_size(vm_size_name)
    gpus = size.gpus if size is not None else 1
    needed = OS_DISK_SIZE_GB if image_gib is None else os_disk_gib_for_images(image_gib, gpus)
    if size is None or size.local_disk_gib is None:
        return OsDisk(
            "Managed",
            needed,
            f"the local disk size of {vm_size_name} is not in azure_facts/vm_sizes.py VM_SIZES"
            if size is None
            else f"{vm_size_name} has no cache or SCSI temp disk to hold an ephemeral OS disk",
        )
    if image_gib is None:
        return OsDisk("Ephemeral", min(OS_DISK_SIZE_GB, size.local_disk_gib))
    footprint = training_image_footprint_gib(image_gib, gpus)
    if image_storage_gib(size.local_disk_gib) >= footprint:
        return OsDisk("Ephemeral", size.local_disk_gib)
    return OsDisk(
        "Managed",
        needed,
        f"the {size.local_disk_gib} GiB local disk of {vm_size_name} leaves "
        f"{image_storage_gib(size.local_disk_gib)} GiB for images, less than the {footprint} GiB "
        f"that {gpus} training image(s) of {image_gib} GiB need (components/node_disks.py)",
    )
