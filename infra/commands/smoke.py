"""`infra smoke`: the command line of the RWX smoke test (`infra.repo.smoke` runs it)."""

from __future__ import annotations

import argparse
from pathlib import Path

from infra.commands.options import add_cwd, epilog


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 86_400:
        raise argparse.ArgumentTypeError(f"must be seconds between 0 and 86400 (got {text!r})")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The `infra smoke` flags; `run(args)` executes them."""
    parser.add_argument("-s", "--stack", required=True, metavar="NAME", help="deployed stack")
    add_cwd(parser)
    parser.add_argument(
        "--kubeconfig",
        type=Path,
        metavar="FILE",
        help="kubeconfig for kubectl (default: $KUBECONFIG, else the stack's kubeconfig output)",
    )
    parser.add_argument(
        "--timeout",
        type=_seconds,
        metavar="SECONDS",
        help="how long to wait for the Jobs (default: their activeDeadlineSeconds + 60)",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the Jobs and the test files for debugging (default: delete them)",
    )


def run(args: argparse.Namespace) -> int:
    """Run the smoke test; returns the exit code (0 or 1). Raises SmokeError (exit 2)."""
    # Imported here: it pulls in this repository's components (all of azure-native's modules
    # the program uses), which every other `infra` command would otherwise pay for at start.
    from infra.repo import smoke

    return smoke.run_smoke(
        args.cwd, args.stack, kubeconfig=args.kubeconfig, timeout=args.timeout, keep=args.keep
    )


def add_subparser(sub: argparse._SubParsersAction) -> None:
    """Register `smoke` on infra.commands's subparsers (sets `handler=run`)."""
    parser = sub.add_parser(
        "smoke",
        help="run the RWX smoke Job on a deployed stack's volumes, then remove it",
        description="Prove a deployed stack's volumes are shared: pods on several nodes "
        "write files and read each other's through each ReadWriteMany claim. Unlike the other "
        "commands it runs live: it needs the Pulumi CLI logged in to the stack's state (it "
        "reads the stack's outputs), kubectl, and access to the cluster (--kubeconfig, "
        "$KUBECONFIG or the stack's kubeconfig output). The stack name and its config in "
        "this checkout are checked first.",
        epilog=epilog("KUBECONFIG=~/.kube/staging infra smoke -s staging", command="smoke"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    parser.set_defaults(handler=run)
