"""Recording stand-ins for the cloud CLIs (pulumi, az, kubectl, azcopy, gh) on PATH.

Each stand-in appends its argv (and the environment variables a script must pass) to a log
as one JSON line, then answers from canned rules: the first rule whose tool matches and whose
words all occur, in order, in the command line. A rule may print output and exit non-zero,
which is how a test makes one step fail."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tests.delivery._workflows import REPO_ROOT

TOOLS = ("pulumi", "az", "kubectl", "azcopy", "gh", "infra")
# What a stand-in records besides argv: the script must pass these, never print them.
RECORDED_ENV = ("PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE")

# -S: a stand-in needs only the standard library, and the runbook and day-0 tests start some
# six hundred of them; without site-packages (its .pth files) each starts in 2/3 of the time.
_STANDIN = """#!{python} -S
import json, os, sys
tool = os.path.basename(sys.argv[0])
argv = sys.argv[1:]
with open({log!r}, "a") as log:
    env = {{k: os.environ[k] for k in {recorded!r} if k in os.environ}}
    log.write(json.dumps({{"tool": tool, "argv": argv, "env": env}}) + "\\n")
line = " ".join(argv)
for rule in json.load(open({rules!r})):
    if rule["tool"] != tool:
        continue
    at = 0
    for word in rule["match"]:
        at = line.find(word, at)
        if at < 0:
            break
        at += len(word)
    else:
        sys.stdout.write(rule["stdout"])
        sys.stderr.write(rule["stderr"])
        sys.exit(rule["exit"])
"""


@dataclass
class Rule:
    tool: str
    match: list[str]
    stdout: str = ""
    exit: int = 0
    stderr: str = ""


@dataclass
class Call:
    tool: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)

    @property
    def line(self) -> str:
        return " ".join([self.tool, *self.argv])


@dataclass
class StandIns:
    root: Path
    rules: list[Rule] = field(default_factory=list)

    @property
    def bin(self) -> Path:
        return self.root / "bin"

    @property
    def log(self) -> Path:
        return self.root / "calls.jsonl"

    def install(self) -> None:
        self.bin.mkdir(parents=True, exist_ok=True)
        self.log.touch()
        for tool in TOOLS:
            path = self.bin / tool
            path.write_text(
                _STANDIN.format(
                    python=sys.executable,
                    log=str(self.log),
                    rules=str(self.root / "rules.json"),
                    recorded=RECORDED_ENV,
                )
            )
            path.chmod(path.stat().st_mode | stat.S_IXUSR)

    def answer(self, tool: str, *match: str, stdout: str = "", exit: int = 0) -> None:
        """Add a rule; earlier rules win, so a test's own rule goes before the defaults."""
        self.rules.append(Rule(tool, list(match), stdout, exit))

    def calls(self) -> list[Call]:
        return [Call(**json.loads(line)) for line in self.log.read_text().splitlines()]

    def run(
        self, script: str, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        (self.root / "rules.json").write_text(json.dumps([r.__dict__ for r in self.rules]))
        full_env = {
            **os.environ,
            "PATH": f"{self.bin}{os.pathsep}{os.environ['PATH']}",
            "HOME": str(self.root / "home"),
            "PYTHON": sys.executable,
            "INFRA": str(self.bin / "infra"),
            **(env or {}),
        }
        return subprocess.run(
            [str(REPO_ROOT / "scripts" / script), *args],
            cwd=self.root,
            env=full_env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


def standins(root: Path) -> StandIns:
    fakes = StandIns(root)
    fakes.install()
    return fakes
