"""The GPUs of a VM size, for the preview's node pools: from the one table the program sizes
node pools by (azure_facts/vm_sizes.py VM_SIZES), so the preview and the deploy agree."""

from __future__ import annotations

from azure_facts.vm_sizes import vm_size
from infra.readers.review import GpuTable


def _gpus(name: str) -> int | None:
    size = vm_size(name)
    return None if size is None else size.gpus


GPU_TABLE = GpuTable(_gpus, "azure_facts/vm_sizes.py VM_SIZES")
