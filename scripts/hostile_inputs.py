#!/usr/bin/env python3
"""Run a declared corpus of hostile inputs through the `infra` CLI and count what happened.

usage: hostile_inputs.py [--only SUBSTRING] [--timeout SECONDS] [--json]

Each case copies this repository's Pulumi project (Pulumi.yaml, pyproject.toml, stacks/,
components/, policies/) into a temporary folder, breaks one thing in it (a stack file, a
policy config, a flag, the environment, a change to diff) and runs `python -m infra` there,
as a user would. Every run is classified, first match wins:

- hang: it did not exit within --timeout seconds (then killed);
- traceback: "Traceback (most recent call last)" in its output;
- secret printed: a fake secret the offline mocks hand out (infra.engine.fakes), its base64,
  or the ciphertext of a `secure:` value the case wrote, in its output;
- silent wrong result: an exit code the case does not accept (a refusal that passed, exit 0
  for a data loss, exit 1 for a usage error...);
- misattributed error: the expected exit 2, but its message does not name what the case
  broke (the file, key or flag): the user is sent to the wrong place;
- noisy error: the expected exit 2 with more than one line on stderr;
- clean: the expected exit code, and an error in one line.

Prints one line per case and the totals (--json: a document), and exits 1 unless every case
was clean. The figures in the README's reliability section come from this script (the
command it prints last), not from counting tests.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PARTS = ("Pulumi.yaml", "pyproject.toml", "stacks", "components", "policies")
NS = "aks-rwx-training"
STACK_FILE = "stacks/Pulumi.dev.yaml"
CIPHERTEXT = "v1:HOSTILEciphertextNEVERprintED0123456789=="
TRACEBACK = "Traceback (most recent call last)"
OUTCOMES = (
    "clean",
    "hang",
    "traceback",
    "secret printed",
    "silent wrong result",
    "misattributed error",
    "noisy error",
)


def _secrets() -> list[str]:
    sys.path.insert(0, str(ROOT))
    from infra.engine.fakes import FAKE_KUBECONFIG_B64, FAKE_SECRETS

    plain = [*FAKE_SECRETS, CIPHERTEXT]
    return [*plain, *(base64.b64encode(s.encode()).decode() for s in plain), FAKE_KUBECONFIG_B64]


Setup = Callable[[Path], None]


@dataclass(frozen=True)
class Case:
    name: str
    argv: tuple[str, ...]
    # Exit codes that are the right answer (0 ok, 1 policy violation, 2 error, 3 data at risk).
    expect: frozenset[int]
    setup: Setup | None = None
    env: dict[str, str | None] = field(default_factory=dict)
    # Text that must never reach the output (raw control characters, for example).
    forbid: tuple[str, ...] = ()
    # What a refusal must name (a file, key or flag): refused for another reason is wrong.
    names: str = ""
    # After the run, in the project: why the result is wrong, or None.
    after: Callable[[Path], str | None] | None = None


def _edit(path: str, change: Callable[[str], str]) -> Setup:
    def setup(project: Path) -> None:
        target = project / path
        target.write_text(change(target.read_text()))

    return setup


def _write(path: str, data: bytes | str) -> Setup:
    def setup(project: Path) -> None:
        target = project / path
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        elif target.exists() or target.is_symlink():
            target.unlink()
        target.write_bytes(data if isinstance(data, bytes) else data.encode())

    return setup


def _add(line: str) -> Setup:
    """Append a config line (a key of the dev stack) to its file."""
    return _edit(STACK_FILE, lambda text: text + f"  {NS}:{line}\n")


def _replace(key: str, value: str) -> Setup:
    """Replace (or add) one top-level key of the dev stack."""

    def change(text: str) -> str:
        lines = [ln for ln in text.splitlines() if not ln.startswith(f"  {NS}:{key}:")]
        return "\n".join(lines) + f"\n  {NS}:{key}: {value}\n"

    return _edit(STACK_FILE, change)


def _special(kind: str) -> Setup:
    def setup(project: Path) -> None:
        target = project / STACK_FILE
        target.unlink()
        if kind == "fifo":
            os.mkfifo(target)
        elif kind == "dev-zero":
            target.symlink_to("/dev/zero")
        elif kind == "folder":
            target.mkdir()

    return setup


def _committed(change: Setup) -> Setup:
    """A git repository of the project, then ``change`` in its work tree (for `infra diff`)."""

    def setup(project: Path) -> None:
        git = ["git", "-c", "user.email=h@example.invalid", "-c", "user.name=h"]
        for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "base"]):
            subprocess.run([*git, *args], cwd=project, check=True, capture_output=True)
        change(project)

    return setup


def _policy_config(change: Callable[[dict], None]) -> Setup:
    """Edit dev's policy config (policies/config/dev.json) as JSON."""

    def setup(project: Path) -> None:
        target = project / "policies/config/dev.json"
        document = json.loads(target.read_text())
        change(document)
        target.write_text(json.dumps(document))

    return setup


def _qa_copy_of_prod(project: Path) -> None:
    shutil.copy(project / "stacks/Pulumi.prod.yaml", project / "stacks/Pulumi.qa.yaml")
    shutil.copy(project / "policies/config/prod.json", project / "policies/config/qa.json")


def _victim_intact(project: Path) -> str | None:
    victim = project / "victim.txt"
    return None if victim.read_text() == "keep me\n" else "the symlink's target was overwritten"


def _export_into_symlink(project: Path) -> None:
    out = project / "out"
    out.mkdir()
    (project / "victim.txt").write_text("keep me\n")
    (out / "dev.arm.json").symlink_to(project / "victim.txt")


def _chain(*setups: Setup) -> Setup:
    def setup(project: Path) -> None:
        for step in setups:
            step(project)

    return setup


PREVIEW = ("preview", "-s", "dev")
ERR = frozenset({2})
OK = frozenset({0})
AT_RISK = frozenset({3})
NESTED = "config:\n  x: " + "[" * 200 + "]" * 200 + "\n"
BOMB = (
    "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    "config: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
)

CORPUS: tuple[Case, ...] = (
    # --- the dev stack file, broken -----------------------------------------------------
    Case(
        "stack file: not YAML",
        PREVIEW,
        ERR,
        _write(STACK_FILE, "config: [\n"),
        names="stacks/Pulumi.dev.yaml",
    ),
    Case("stack file: empty", PREVIEW, ERR, _write(STACK_FILE, ""), names="stacks/Pulumi.dev.yaml"),
    Case(
        "stack file: a list document",
        PREVIEW,
        ERR,
        _write(STACK_FILE, "- a\n- b\n"),
        names="stacks/Pulumi.dev.yaml",
    ),
    Case(
        "stack file: not UTF-8",
        PREVIEW,
        ERR,
        _write(STACK_FILE, b"config:\n  x: \xff\xfe\n"),
        names="stacks/Pulumi.dev.yaml",
    ),
    Case(
        "stack file: !!binary",
        PREVIEW,
        ERR,
        _write(STACK_FILE, "config: !!binary aGk=\n"),
        names="stacks/Pulumi.dev.yaml",
    ),
    Case(
        "stack file: !!python/object",
        PREVIEW,
        ERR,
        _write(STACK_FILE, "config: !!python/object:os.system ls\n"),
        names="stacks/Pulumi.dev.yaml",
    ),
    Case(
        "stack file: alias bomb",
        PREVIEW,
        ERR,
        _write(STACK_FILE, BOMB),
        names="stacks/Pulumi.dev.yaml",
    ),
    Case(
        "stack file: nested 200 deep",
        PREVIEW,
        ERR,
        _write(STACK_FILE, NESTED),
        names="stacks/Pulumi.dev.yaml",
    ),
    Case(
        "stack file: over 1 MiB",
        PREVIEW,
        ERR,
        _write(STACK_FILE, "# x\n" * 300_000),
        names="stacks/Pulumi.dev.yaml",
    ),
    Case("stack file: a FIFO", PREVIEW, ERR, _special("fifo"), names="stacks/Pulumi.dev.yaml"),
    Case(
        "stack file: a link to /dev/zero",
        PREVIEW,
        ERR,
        _special("dev-zero"),
        names="stacks/Pulumi.dev.yaml",
    ),
    Case("stack file: a folder", PREVIEW, ERR, _special("folder"), names="stacks/Pulumi.dev.yaml"),
    Case(
        "stack file: duplicate key",
        PREVIEW,
        ERR,
        _add("clusterName: aks-twice"),
        names="clusterName",
    ),
    Case(
        "stack file: CRLF line ends",
        PREVIEW,
        OK,
        _edit(STACK_FILE, lambda t: t.replace("\n", "\r\n")),
    ),
    Case("stack file: UTF-8 BOM", PREVIEW, OK, _edit(STACK_FILE, lambda t: "\ufeff" + t)),
    # --- values --------------------------------------------------------------------------
    Case(
        "config: wrong type",
        PREVIEW,
        ERR,
        _replace("systemNodeCount", "many"),
        names="systemNodeCount",
    ),
    Case(
        "config: misspelt key",
        PREVIEW,
        ERR,
        _add("storageAcountName: stx"),
        names="storageAcountName",
    ),
    Case(
        "config: unknown namespace",
        PREVIEW,
        ERR,
        _edit(STACK_FILE, lambda t: t + "  aks-rwx-trainin:gpuPool: {}\n"),
        names="aks-rwx-trainin:gpuPool",
    ),
    Case(
        "config: secure tag value",
        PREVIEW,
        frozenset({0, 2}),
        _replace("tags", f"{{owner: a, cost-center: b, team: {{secure: '{CIPHERTEXT}'}}}}"),
    ),
    Case(
        "config: secure tag in cost",
        ("cost", "-s", "dev"),
        frozenset({0, 2}),
        _replace("tags", f"{{owner: a, cost-center: b, team: {{secure: '{CIPHERTEXT}'}}}}"),
    ),
    Case(
        "config: ESC in a tag value",
        PREVIEW,
        frozenset({0, 2}),
        _replace("tags", '{owner: "a\\e[31mred", cost-center: b}'),
        forbid=("\x1b",),
    ),
    Case(
        "config: 51 tags",
        PREVIEW,
        ERR,
        _replace(
            "tags", "{" + ", ".join(f"t{i}: v" for i in range(51)) + ", owner: a, cost-center: b}"
        ),
        names="tags",
    ),
    Case(
        "config: unknown region", PREVIEW, ERR, _replace("location", "moon-south"), names="location"
    ),
    Case(
        "config: pod range in loopback",
        PREVIEW,
        ERR,
        _replace("podCidr", "127.0.0.0/16"),
        names="podCidr",
    ),
    Case(
        "config: AKS-reserved service range",
        PREVIEW,
        ERR,
        _chain(_replace("serviceCidr", "172.31.0.0/16"), _replace("dnsServiceIp", "172.31.0.10")),
        names="serviceCidr",
    ),
    Case(
        "config: DNS address on the range's network address",
        PREVIEW,
        ERR,
        _replace("dnsServiceIp", "10.0.0.0"),
        names="dnsServiceIp",
    ),
    Case(
        "config: duplicate availability zones",
        PREVIEW,
        ERR,
        _replace("availabilityZones", "['1', '1']"),
        names="availabilityZones",
    ),
    Case(
        "config: a qa stack reusing prod's names",
        ("preview", "-s", "qa"),
        ERR,
        _qa_copy_of_prod,
        names="Pulumi.qa.yaml",
    ),
    # --- policy config ---------------------------------------------------------------------
    Case(
        "policy config: not JSON",
        PREVIEW,
        ERR,
        _write("policies/config/dev.json", "{"),
        names="policies/config/dev.json",
    ),
    Case(
        "policy config: unknown policy",
        PREVIEW,
        ERR,
        _policy_config(lambda d: d.update({"no-such-policy": "mandatory"})),
        names="no-such-policy",
    ),
    Case(
        "policy config: bad level",
        PREVIEW,
        ERR,
        _policy_config(lambda d: d.update({"all": "sometimes"})),
        names="sometimes",
    ),
    Case(
        "policy config: nested 200 deep",
        PREVIEW,
        ERR,
        _write("policies/config/dev.json", '{"all": ' + "[" * 200 + "]" * 200 + "}"),
        names="policies/config/dev.json",
    ),
    # --- flags -------------------------------------------------------------------------------
    Case("flag: --stack ../x", ("preview", "-s", "../x"), ERR, names="../x"),
    Case("flag: --stack ''", ("preview", "-s", ""), ERR, names="stack"),
    Case("flag: unknown", ("preview", "--frobnicate"), ERR, names="--frobnicate"),
    Case(
        "flag: config without a pack",
        ("preview", "-s", "dev", "--policy-pack-config", "x.json"),
        ERR,
        names="x.json",
    ),
    Case(
        "flag: -C a missing folder",
        ("preview", "-C", "/nonexistent/hostile"),
        ERR,
        names="/nonexistent/hostile",
    ),
    Case(
        "export: --out ''",
        ("export", "-s", "dev", "--format", "arm", "--out", ""),
        ERR,
        names="--out",
    ),
    Case(
        "export: a symlink in --out",
        ("export", "-s", "dev", "--format", "arm", "--out", "out"),
        # Refused, or replaced by the new file (written aside, then renamed): never followed.
        frozenset({0, 2}),
        _export_into_symlink,
        names="dev.arm.json",
        after=_victim_intact,
    ),
    Case(
        "diff: unknown base",
        ("diff", "--base", "no-such-ref", "-s", "dev"),
        ERR,
        _committed(lambda p: None),
        names="no-such-ref",
    ),
    Case(
        "diff: base that looks like a flag",
        ("diff", "--base=-x", "-s", "dev"),
        ERR,
        _committed(lambda p: None),
        names="-x",
    ),
    # --- environment ------------------------------------------------------------------------
    Case("env: ASCII-only stdout", PREVIEW, OK, env={"PYTHONIOENCODING": "ascii"}),
    Case("env: no HOME", PREVIEW, OK, env={"HOME": None}),
    Case(
        "env: bad policy timeout",
        PREVIEW,
        ERR,
        env={"INFRA_POLICY_START_TIMEOUT": "soon"},
        names="INFRA_POLICY_START_TIMEOUT",
    ),
    # --- data loss the gate must block (infra diff --strict) --------------------------------
    Case(
        "diff: renamed storage account",
        ("diff", "--base", "HEAD", "-s", "dev", "--strict"),
        AT_RISK,
        _committed(_replace("storageAccountName", "staksrwxhostile")),
    ),
    Case(
        "diff: moved resource group",
        ("diff", "--base", "HEAD", "-s", "dev", "--strict"),
        AT_RISK,
        _committed(_replace("resourceGroupName", "rg-hostile-moved")),
    ),
)


@dataclass
class Result:
    case: str
    outcome: str
    exit_code: int | None
    seconds: float
    detail: str = ""


def _classify(
    case: Case, code: int | None, out: str, err: str, secrets: Sequence[str]
) -> tuple[str, str]:
    text = out + err
    if code is None:
        return "hang", ""
    if TRACEBACK in text:
        return "traceback", err.strip().splitlines()[-1] if err.strip() else ""
    leaked = [s for s in (*secrets, *case.forbid) if s and s in text]
    if leaked:
        return "secret printed", f"{len(leaked)} value(s)"
    first = (err.strip().splitlines() or [""])[0][:160]
    if code not in case.expect:
        return "silent wrong result", f"exit {code}, expected {sorted(case.expect)}: {first}"
    if code == 2 and case.names not in err:
        return "misattributed error", f"refused without naming {case.names!r}: {first}"
    if code == 2 and len([ln for ln in err.splitlines() if ln.strip()]) > 1:
        return "noisy error", first
    return "clean", first


def run_case(case: Case, template: Path, timeout: float, secrets: Sequence[str]) -> Result:
    with tempfile.TemporaryDirectory(prefix="hostile-") as tmp:
        project = Path(tmp) / "project"
        shutil.copytree(template, project, symlinks=True)
        if case.setup is not None:
            case.setup(project)
        env = dict(os.environ)
        for key, value in case.env.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        env["PYTHONPATH"] = str(ROOT)  # the infra under test, whatever the venv holds
        start = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-m", "infra", *case.argv],
            cwd=project,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            raw_out, raw_err = proc.communicate(timeout=timeout)
            code: int | None = proc.returncode
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            raw_out, raw_err = proc.communicate()
            code = None
        seconds = time.monotonic() - start
        wrong = case.after(project) if case.after is not None and code is not None else None
    out = raw_out.decode("utf-8", "replace")
    err = raw_err.decode("utf-8", "replace")
    outcome, detail = _classify(case, code, out, err, secrets)
    if wrong and outcome == "clean":
        outcome, detail = "silent wrong result", wrong
    return Result(case.name, outcome, code, round(seconds, 1), detail)


def _template(dest: Path) -> Path:
    dest.mkdir()
    for part in PROJECT_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, dest / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, dest / part)
    return dest


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="run the cases whose name contains this")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds before a hang")
    parser.add_argument("--json", action="store_true", help="print a JSON document")
    args = parser.parse_args(argv)
    cases = [c for c in CORPUS if args.only in c.name]
    secrets = _secrets()
    results = []
    with tempfile.TemporaryDirectory(prefix="hostile-template-") as tmp:
        template = _template(Path(tmp) / "project")
        for case in cases:
            result = run_case(case, template, args.timeout, secrets)
            results.append(result)
            if not args.json:
                line = f"{result.outcome:20} exit {result.exit_code!s:4} {result.seconds:6}s"
                print(f"{line}  {case.name}  {result.detail}", flush=True)
    totals = {"inputs tried": len(results)} | {
        outcome: sum(r.outcome == outcome for r in results) for outcome in OUTCOMES
    }
    if args.json:
        print(json.dumps({"totals": totals, "results": [r.__dict__ for r in results]}, indent=2))
    else:
        print("; ".join(f"{k}: {v}" for k, v in totals.items()))
    return 0 if totals["clean"] == len(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
