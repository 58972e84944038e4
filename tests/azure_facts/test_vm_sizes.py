"""The VM size table (azure_facts/vm_sizes.py) is re-read before it goes stale, and each entry
names the Microsoft size page it was read from."""

from __future__ import annotations

import datetime

from azure_facts.vm_sizes import VM_SIZES, VM_SIZES_MAX_AGE, VM_SIZES_READ, vm_size


def test_the_vm_size_table_is_fresh_and_cited() -> None:
    assert datetime.date.today() - VM_SIZES_READ <= VM_SIZES_MAX_AGE, (
        "azure_facts/vm_sizes.py VM_SIZES was read over a year ago: re-read the size pages"
    )
    for name, size in VM_SIZES.items():
        assert name == name.lower()
        assert size.source.startswith("https://learn.microsoft.com/azure/virtual-machines/sizes/")


def test_a_size_is_found_whatever_its_case_as_azure_compares_them() -> None:
    assert vm_size("Standard_NC24ads_A100_v4") == vm_size("standard_nc24ads_a100_v4")
    assert vm_size("Standard_NC24ads_A100_v4").gpus == 1
    assert vm_size("Standard_E4s_v5") is None
