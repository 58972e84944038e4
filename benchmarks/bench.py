"""Measure `infra preview`'s speed targets; the figures go into docs/speed.md and the README.

Targets (issue 2 and 3): all three stacks in one `infra preview` within 3 s warm and
within 2x a bare `python -c` importing the SDK modules the program uses; a synthetic
5,000-resource program under 15 s with cost linear in size; policy evaluation adding at
most 1 s per stack and sustaining at least 1,000 resources/s. Issue 22: `infra preview
--no-policy` on the synthetic 1,000-resource program within 1.05x the same program under the
SDK's bare mock runtime (benchmarks/bare_mocks.py), the two run alternately in one go so that
the machine's load weighs on both alike.

`--setup` measures instead the set-up target (issue 13): `make preview` on a fresh clone of
HEAD with a warm package cache within 20 s on two cores, with uv and, beside it, with pip.

Usage: .venv/bin/python benchmarks/bench.py [--repeat N] [--setup]
"""

from __future__ import annotations

import argparse
import os
import resource
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
FLOOR = Path(__file__).resolve().parent / "bare_mocks.py"
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


def _run_measured(cmd: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, of the child) of one run of ``cmd``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed: {result.stderr.strip()[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def floor_ratio(project: Path, rounds: int) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) seconds of `infra preview --no-policy` and of the bare SDK mock
    runtime on ``project``, run alternately after one untimed run of each."""
    commands = {
        "infra": [INFRA, "preview", "--no-policy", "-C", str(project)],
        "floor": [sys.executable, str(FLOOR), str(project), "bench"],
    }
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for i in range(rounds + 1):
        for name, cmd in commands.items():
            measured = _run_measured(cmd)
            if i:
                samples[name].append(measured)
    return {
        name: (
            statistics.median(wall for wall, _ in runs),
            statistics.median(cpu for _, cpu in runs),
        )
        for name, runs in samples.items()
    }


def synthetic_project(count: int, azure_share: float, workdir: Path) -> Path:
    target = workdir / f"synthetic-{count}-{azure_share}"
    target.mkdir(exist_ok=True)
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
        floor = floor_ratio(synthetic_project(1000, 0.5, workdir), max(args.repeat, 3))
        (infra_wall, infra_cpu), (floor_wall, floor_cpu) = floor["infra"], floor["floor"]
        rows.append(
            (
                "synthetic 1,000 `--no-policy` vs the SDK's bare mock runtime (alternating)",
                f"{infra_cpu / floor_cpu:.2f}x CPU ({infra_cpu:.2f} vs {floor_cpu:.2f} s), "
                f"{infra_wall / floor_wall:.2f}x wall ({infra_wall:.2f} vs {floor_wall:.2f} s)",
            )
        )
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
