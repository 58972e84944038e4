"""Measure `infra preview`'s speed targets; the figures go into docs/speed.md and the README.

Targets (issue 2 and 3): all three stacks in one `infra preview` within 3 s warm and
within 2x a bare `python -c` importing the SDK modules the program uses; a synthetic
5,000-resource program under 15 s with cost linear in size; policy evaluation adding at
most 1 s per stack and sustaining at least 1,000 resources/s.

`--setup` measures instead the set-up target (issue 13): `make preview` on a fresh clone of
HEAD with a warm package cache within 20 s on two cores, with uv and, beside it, with pip.

Usage: .venv/bin/python benchmarks/bench.py [--repeat N] [--setup]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SYNTHETIC = REPO / "benchmarks" / "synthetic"
INFRA = str(Path(sys.executable).parent / "infra")
SDK_IMPORTS = (
    "import pulumi, pulumi_kubernetes, pulumi_kubernetes.core.v1, "
    "pulumi_azure_native.storage, pulumi_azure_native.containerservice, "
    "pulumi_azure_native.resources, pulumi_azure_native.authorization"
)


def timed(cmd: list[str], repeat: int, cwd: Path = REPO) -> float:
    """Median wall time of `repeat` warm runs (one untimed run first warms caches)."""
    samples = []
    for i in range(repeat + 1 if repeat > 1 else 1):
        start = time.perf_counter()
        result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - start
        if result.returncode not in (0, 1):
            sys.exit(f"bench: {' '.join(cmd)} failed: {result.stderr.strip()[-500:]}")
        if i or repeat == 1:
            samples.append(elapsed)
    return statistics.median(samples)


def synthetic_project(count: int, azure_share: float, workdir: Path) -> Path:
    target = workdir / f"synthetic-{count}-{azure_share}"
    target.mkdir()
    for name in ("Pulumi.yaml", "__main__.py"):
        (target / name).write_text((SYNTHETIC / name).read_text())
    (target / "Pulumi.bench.yaml").write_text(
        f"config:\n  synthetic:count: {count}\n  synthetic:azureShare: '{azure_share}'\n"
    )
    return target


def policy_throughput(project_dir: Path) -> tuple[int, float]:
    from infra.engine.project import load_project, load_stack_config
    from infra.engine.runtime import run_stack
    from infra.policy.host import PolicyPackSpec, evaluate_policy_packs

    project = load_project(project_dir)
    plan = run_stack(project, "bench", load_stack_config(project, "bench"))
    spec = PolicyPackSpec(REPO / "policies", REPO / "policies" / "config" / "prod.json")
    start = time.perf_counter()
    evaluate_policy_packs([spec], plan)
    return len(plan.resources), time.perf_counter() - start


def fresh_setup(target: str, installer: str, repeat: int) -> float:
    """Median wall time of `make TARGET` in a fresh clone of HEAD, after one untimed run
    has warmed the installer's package cache."""
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    samples = []
    with tempfile.TemporaryDirectory() as tmp:
        clone = Path(tmp) / "clone"
        subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True)
        for i in range(repeat + 1):
            shutil.rmtree(clone / ".venv", ignore_errors=True)
            start = time.perf_counter()
            result = subprocess.run(
                ["make", target, f"INSTALLER={installer}"],
                cwd=clone,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                sys.exit(f"bench: make {target} ({installer}) failed: {result.stderr[-500:]}")
            if i:
                samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def print_table(rows: list[tuple[str, str]]) -> None:
    width = max(len(r[0]) for r in rows)
    print(f"| {'measure'.ljust(width)} | result |")
    print(f"|{'-' * (width + 2)}|--------|")
    for name, value in rows:
        print(f"| {name.ljust(width)} | {value} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--setup", action="store_true", help="time `make preview` from scratch")
    args = parser.parse_args()
    rows: list[tuple[str, str]] = []
    if args.setup:
        # venv-dev is the set-up `make test` does before the suite.
        for target in ("preview", "venv-dev"):
            for installer in ("uv", "pip"):
                seconds = fresh_setup(target, installer, min(args.repeat, 3))
                label = f"fresh clone, warm cache: `make {target} INSTALLER={installer}`"
                rows.append((label, f"{seconds:.1f} s"))
        print_table(rows)
        return

    bare = timed([sys.executable, "-c", SDK_IMPORTS], args.repeat)
    rows.append(("bare `python -c` importing pulumi + SDK modules", f"{bare:.2f} s"))
    no_policy = timed([INFRA, "preview", "--no-policy"], args.repeat)
    rows.append(
        (
            "`infra preview --no-policy`, 3 stacks",
            f"{no_policy:.2f} s ({no_policy / bare:.2f}x bare)",
        )
    )
    with_policy = timed([INFRA, "preview"], args.repeat)
    rows.append(("`infra preview` with the policy pack, 3 stacks", f"{with_policy:.2f} s"))
    rows.append(("policy evaluation per stack", f"{(with_policy - no_policy) / 3:.2f} s"))

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        times = {}
        for count in (1000, 2500, 5000):
            project = synthetic_project(count, 0.5, workdir)
            times[count] = timed([INFRA, "preview", "--no-policy", "-C", str(project)], 1)
            rows.append(
                (
                    f"synthetic {count:,} resources (half azure-native), `--no-policy`",
                    f"{times[count]:.2f} s ({times[count] / count * 1000:.2f} ms/resource)",
                )
            )
        slope_small = (times[2500] - times[1000]) / 1500
        slope_large = (times[5000] - times[2500]) / 2500
        rows.append(
            (
                "marginal cost 1k→2.5k vs 2.5k→5k (linear: ratio ≈ 1)",
                f"{slope_small * 1000:.2f} vs {slope_large * 1000:.2f} ms/resource "
                f"(ratio {slope_large / slope_small:.2f})",
            )
        )
        for share, label in ((0.0, "Kubernetes PVs only"), (1.0, "azure-native FileShares only")):
            count = 5000 if share == 0.0 else 1000
            project = synthetic_project(count, share, workdir)
            seconds = timed([INFRA, "preview", "--no-policy", "-C", str(project)], 1)
            rows.append(
                (
                    f"synthetic {count:,} resources ({label}), `--no-policy`",
                    f"{seconds:.2f} s ({seconds / count * 1000:.2f} ms/resource)",
                )
            )
        count, seconds = policy_throughput(workdir / "synthetic-5000-0.5")
        rows.append(
            (
                "policy evaluation alone, synthetic 5,000 resources",
                f"{seconds:.2f} s ({count / seconds:,.0f} resources/s)",
            )
        )

    print_table(rows)


if __name__ == "__main__":
    main()
