"""The example training job of docs/training.md: a DDP script that resumes from the newest
complete checkpoint on the shared volume.

``SCRIPTS`` (file name -> text) is what a TrainingJob mounts at ``SCRIPT_DIR`` when a stack
sets ``exampleScript: true``; ``train.py`` imports ``checkpoints.py`` from beside it.
"""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent

SCRIPTS: dict[str, str] = {
    name: (_HERE / name).read_text(encoding="utf-8") for name in ("train.py", "checkpoints.py")
}

# The image the example was written for: NVIDIA's PyTorch 23.08 container (PyTorch 2.1, CUDA
# 12.2, torchrun on PATH). The digest is what the registry resolves the tag to, as public
# `docker buildx build` logs record it ("FROM nvcr.io/nvidia/pytorch:23.08-py3@sha256:12a3...")
# and as singularityhub/shpc-registry's nvcr.io/nvidia/pytorch/container.yaml (commit 0ac059b)
# lists it. It was not pulled from here: check it with `docker buildx imagetools inspect
# nvcr.io/nvidia/pytorch:23.08-py3` before relying on it, and mirror it into your registry.
IMAGE = (
    "nvcr.io/nvidia/pytorch:23.08-py3"
    "@sha256:12a39f22d6e3a3cfcb285a238b6219475181672ff41a557a75bdeeef6d630740"
)
