"""The preview's section for a reviewer (infra.readers.review): node pools, images and Job
mounts, as text lines and as Markdown, each fact said once in the same words."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from infra.readers.review import Chart, Image, JobMounts, Mount, NodePool, ReviewFacts
from infra.render.color import YELLOW, Paint
from infra.render.escape import md_code, md_text, terminal

NO_DIGEST = "no digest: the tag can move"
CHART_IMAGES = "its images are the chart's"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' * (count != 1)}"


def pool_size(pool: NodePool) -> str:
    """`3 nodes`, or `0 to 8 nodes (autoscaling)` (as `infra cost` spells a range)."""
    if pool.autoscaling:
        return f"{pool.min_count} to {pool.max_count} nodes (autoscaling)"
    return _plural(pool.max_count, "node")


def pool_gpus(pool: NodePool, source: str) -> str:
    if pool.gpus_per_node is None:
        return f"GPUs unknown: {pool.vm_size} is not in {source}"
    if pool.gpus_per_node == 0:
        return "no GPU"
    return f"{pool.gpus_per_node} GPU per node, up to {_plural(pool.max_gpus or 0, 'GPU')}"


def _labels(images: tuple[Image, ...]) -> list[str]:
    """The workload, with the container when the workload runs more than one."""
    counts = Counter(i.workload for i in images)
    return [i.workload + (f" [{i.container}]" if counts[i.workload] > 1 else "") for i in images]


def chart_text(chart: Chart) -> str:
    return f"chart {chart.chart} {chart.version} ({CHART_IMAGES})"


def job_size(job: JobMounts) -> str:
    gpus = f", {_plural(job.gpus_per_pod, 'GPU')} each" if job.gpus_per_pod else ""
    return _plural(job.pods, "pod") + gpus


def mount_text(mount: Mount) -> str:
    claim = f"{mount.claim}/{mount.sub_path}" if mount.sub_path else mount.claim
    return f"{claim} → {mount.mount_path} {'read-only' if mount.read_only else 'read-write'}"


def review_text(facts: ReviewFacts, paint: Paint) -> list[str]:
    """`Node pools:`, `Images:` and `Jobs:` blocks, each left out when the plan has none."""
    lines: list[str] = []
    if facts.node_pools:
        rows: list[tuple[str, ...]] = [
            (p.name, p.mode, p.vm_size, pool_size(p), pool_gpus(p, facts.gpu_source))
            for p in facts.node_pools
        ]
        unknown = [p.gpus_per_node is None for p in facts.node_pools]
        lines += ["Node pools:", *_rows(rows, paint, unknown), ""]
    if facts.images or facts.charts:
        labels = _labels(facts.images)
        images: list[tuple[str, ...]] = [
            (label, i.image) for label, i in zip(labels, facts.images, strict=True)
        ]
        images += [(f"HelmRelease {c.release}", chart_text(c)) for c in facts.charts]
        flagged = [i.digest is None for i in facts.images] + [False] * len(facts.charts)
        lines += ["Images:", *_rows(images, paint, flagged, f"  ({NO_DIGEST})"), ""]
    if facts.jobs:
        lines.append("Jobs:")
        for job in facts.jobs:
            lines.append(f"    {terminal(job.job)}  {job_size(job)}")
            lines += [f"        {terminal(mount_text(m))}" for m in job.mounts]
            if not job.mounts:
                lines.append("        no claim mounted")
        lines.append("")
    return lines


def _rows(
    rows: Sequence[tuple[str, ...]], paint: Paint, flagged: Sequence[bool], note: str = ""
) -> list[str]:
    """Aligned columns; a flagged row (a fact left open) in yellow, with `note`."""
    safe = [tuple(terminal(cell) for cell in row) for row in rows]
    widths = [max(len(row[i]) for row in safe) for i in range(len(safe[0]) - 1)]
    lines = []
    for row, flag in zip(safe, flagged, strict=True):
        cells = [cell.ljust(w) for cell, w in zip(row, widths, strict=False)]
        line = "    " + "  ".join([*cells, row[-1]]) + (note if flag else "")
        lines.append(paint(YELLOW, line) if flag else line)
    return lines


def review_markdown(facts: ReviewFacts) -> list[str]:
    """The same facts as GitHub tables."""
    lines: list[str] = []
    if facts.node_pools:
        lines += _table(
            ("Node pool", "Mode", "VM size", "Nodes", "GPUs"),
            [
                (
                    md_code(p.name),
                    md_text(p.mode),
                    md_code(p.vm_size),
                    pool_size(p),
                    md_text(pool_gpus(p, facts.gpu_source)),
                )
                for p in facts.node_pools
            ],
        )
    if facts.images or facts.charts:
        images = [
            (md_text(label), f"{md_code(i.image)}{'' if i.digest else f' ⚠️ {NO_DIGEST}'}")
            for label, i in zip(_labels(facts.images), facts.images, strict=True)
        ]
        images += [
            (
                f"HelmRelease {md_text(c.release)}",
                f"chart {md_code(c.chart)} {md_text(c.version)} ({CHART_IMAGES})",
            )
            for c in facts.charts
        ]
        lines += _table(("Workload", "Image"), images)
    if facts.jobs:
        lines += _table(
            ("Job", "Pods", "Mounts"),
            [
                (
                    md_code(j.job),
                    job_size(j),
                    "<br>".join(md_text(mount_text(m)) for m in j.mounts) or "no claim mounted",
                )
                for j in facts.jobs
            ],
        )
    return lines


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A GitHub table of cells already escaped for Markdown, then a blank line."""
    return [
        f"| {' | '.join(headers)} |",
        "|" + "---|" * len(headers),
        *(f"| {' | '.join(row)} |" for row in rows),
        "",
    ]
