"""Example DDP training script for a TrainingJob (see docs/training.md).

Started by torchrun on every worker pod (torchrun sets RANK, LOCAL_RANK, WORLD_SIZE,
MASTER_ADDR and MASTER_PORT). It fits a small model to synthetic data, so it needs no dataset;
a real script reads its data from the read-only datasets mount instead. Rank 0 picks the
newest complete checkpoint in $CHECKPOINT_DIR and every rank resumes from that same one, so a
restarted Job carries on where the last checkpoint left it; rank 0 writes a checkpoint every
--checkpoint-every steps (atomically, see checkpoints.py) and keeps the newest --keep.

torch is imported inside main(): the argument parsing and the checkpoint logic run without it.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from pathlib import Path

from checkpoints import newest_complete_checkpoint, prune, write_checkpoint


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000, help="total optimizer steps")
    parser.add_argument(
        "--checkpoint-every", type=int, default=100, help="steps between checkpoints"
    )
    parser.add_argument("--keep", type=int, default=3, help="complete checkpoints to keep")
    parser.add_argument("--batch-size", type=int, default=64, help="samples per rank and step")
    parser.add_argument("--lr", type=float, default=0.01, help="learning rate")
    parser.add_argument(
        "--checkpoint-dir",
        type=Path,
        default=os.environ.get("CHECKPOINT_DIR"),
        help="shared checkpoint directory (default: $CHECKPOINT_DIR)",
    )
    args = parser.parse_args(argv)
    if args.checkpoint_dir is None:
        parser.error("set --checkpoint-dir or CHECKPOINT_DIR")
    for name in ("steps", "checkpoint_every", "keep", "batch_size"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import torch
    import torch.distributed as dist
    from torch.nn.parallel import DistributedDataParallel

    cuda = torch.cuda.is_available()
    dist.init_process_group("nccl" if cuda else "gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    local_rank = int(os.environ["LOCAL_RANK"])
    device = torch.device("cuda", local_rank) if cuda else torch.device("cpu")
    if cuda:
        torch.cuda.set_device(device)

    model = torch.nn.Sequential(
        torch.nn.Linear(32, 64), torch.nn.ReLU(), torch.nn.Linear(64, 1)
    ).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)

    # Rank 0 chooses, the others follow: file listings on a shared volume are cached per node
    # (actimeo), so ranks listing it themselves could pick different checkpoints.
    chosen = [newest_complete_checkpoint(args.checkpoint_dir) if rank == 0 else None]
    dist.broadcast_object_list(chosen, src=0)
    start = 0
    if chosen[0] is not None:
        # weights_only: the file comes from a shared volume; never unpickle code from it.
        state = torch.load(chosen[0].path, map_location=device, weights_only=True)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        start = chosen[0].step
        if rank == 0:
            print(f"resuming from {chosen[0].path} (step {start})", flush=True)

    ddp = DistributedDataParallel(model, device_ids=[local_rank] if cuda else None)
    for step in range(start + 1, args.steps + 1):
        # Data derived from (step, rank): a resumed run sees what the lost one would have.
        generator = torch.Generator().manual_seed(step * world + rank)
        inputs = torch.randn(args.batch_size, 32, generator=generator).to(device)
        loss = torch.nn.functional.mse_loss(ddp(inputs), inputs.sum(dim=1, keepdim=True))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % args.checkpoint_every == 0 or step == args.steps:
            if rank == 0:
                snapshot = {"model": model.state_dict(), "optimizer": optimizer.state_dict()}
                written = write_checkpoint(
                    args.checkpoint_dir, step, functools.partial(torch.save, snapshot)
                )
                prune(args.checkpoint_dir, args.keep)
                print(f"step {step} loss {loss.item():.4f} -> {written.path}", flush=True)
            # No rank runs ahead of a checkpoint being written.
            dist.barrier()
    dist.destroy_process_group()
    return 0


if __name__ == "__main__":
    sys.exit(main())
