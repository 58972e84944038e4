"""`infra export`: write each stack's plan for the scanners users already run (Checkov, ...)."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
from pathlib import Path

from infra.commands.options import add_stacks, epilog
from infra.errors import UsageError
from infra.exit_codes import ExitCode

# --format -> the file each stack gets in --out.
SUFFIXES = {"arm": ".arm.json", "k8s": ".k8s.yaml"}


def add_subparser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export",
        help="write each stack's plan as an ARM template or Kubernetes manifests",
        description=(
            "Write each stack's plan, offline, as an ARM deployment template (its azure-native "
            "resources: --format arm, STACK.arm.json) and/or as Kubernetes manifests (--format "
            "k8s, STACK.k8s.yaml; not Helm releases, whose chart's objects exist only once "
            "Helm renders it). Secrets and values known only once deployed become ARM "
            "parameters, or [secret] and [unknown] in the manifests."
        ),
        epilog=epilog(
            "infra export --format arm --out export/",
            "infra export --format arm --format k8s --out export/ -s prod",
            command="export",
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--format",
        required=True,
        action="append",
        choices=sorted(SUFFIXES),
        help="what to write (repeatable: one preview serves both)",
    )
    p.add_argument("--out", required=True, type=_folder, metavar="DIR", help="folder to write to")
    add_stacks(p, "export")
    p.set_defaults(handler=run)


def _folder(text: str) -> Path:
    # Path("") is Path("."): an empty --out (an unset variable in a script) would silently
    # write into the current directory.
    if not text.strip():
        raise argparse.ArgumentTypeError("empty; name the folder to write to")
    return Path(text)


def run(args: argparse.Namespace) -> int:
    from infra.pipeline import preview_stacks
    from infra.readers.arm import arm_template
    from infra.readers.manifests import render_manifests

    out: Path = args.out
    if out.is_symlink():
        raise UsageError(f"--out {out}: a symlink; name the folder itself")
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: not a folder")
    plans = preview_stacks(args.cwd, args.stack, evaluate_policies=False)
    # Every plan is rendered before anything is written: a stack that cannot be exported
    # leaves no half-written folder behind.
    documents = {
        out / f"{plan.stack}{SUFFIXES[fmt]}": json.dumps(arm_template(plan), indent=2) + "\n"
        if fmt == "arm"
        else render_manifests(plan)
        for plan in plans
        for fmt in dict.fromkeys(args.format)
    }
    try:
        out.mkdir(parents=True, exist_ok=True)
        _write_all(out, documents)
    except OSError as error:
        raise UsageError(f"--out {out}: cannot write ({error.strerror})") from None
    for path in documents:
        print(path)
    return ExitCode.OK


def _write_all(out: Path, documents: dict[Path, str]) -> None:
    """Every file is written in full to a scratch folder inside `out` first, then renamed into
    place: a full disk leaves no half-written file, and a rename replaces a symlink already at
    a file's name instead of writing through it to its target."""
    scratch = Path(tempfile.mkdtemp(prefix=".infra-export-", dir=out))
    try:
        staged = {}
        for path, text in documents.items():
            staged[path] = scratch / path.name
            staged[path].write_text(text)
        for path, written in staged.items():
            os.replace(written, path)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
