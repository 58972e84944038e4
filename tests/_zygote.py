"""A fork server for the preview's child process, for the test suite's in-process previews.

`infra.engine.apart` runs each program in a fresh interpreter (`python -P -c <boot>`), which
spends about a second importing the Pulumi SDKs before the program's first line: most of a
child's time, and the suite starts some three hundred. Here one interpreter per test process
(the zygote) imports those SDK modules once and forks a child per preview, which runs the same
`child_main` with the same arguments, standard streams, environment and working directory that
`subprocess.Popen` would have given it. Only modules from the virtual environment are
preloaded, never the project's own (`components`, `stacks`, ...): each child imports those
from the project under preview, as the real child does.

What only a real process start shows (`-P`, signals, exit codes of a dying child) is tested
through `run_infra`, which runs `infra` as a process of its own and never comes here.

Run as a script, this file is the zygote: ``python -P tests/_zygote.py TOOL_ROOT SCAN_ROOT FD``.
It imports nothing from `tests`.
"""

from __future__ import annotations

import ast
import gc
import importlib
import importlib.util
import json
import os
import selectors
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO

# Folders whose sources the zygote does not scan for imports: caches, environments and the
# test suite (a test imports what no program does).
_SKIPPED = {".git", ".venv", ".venv-scan", "__pycache__", "tests", "node_modules"}


def _imported_names(scan_root: Path) -> Iterator[str]:
    """Every absolute module name the sources under ``scan_root`` import (``from a import b``
    gives ``a`` and ``a.b``: b may be a submodule, as azure-native's lazily loaded ones are),
    and the dotted names they reach through an imported name (``import pulumi_kubernetes as
    k8s`` then ``k8s.core.v1.Pod`` gives ``pulumi_kubernetes.core`` and
    ``pulumi_kubernetes.core.v1``: the provider SDKs load those on first attribute access)."""
    for folder, dirs, files in os.walk(scan_root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED)
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            try:
                tree = ast.parse(Path(folder, name).read_bytes())
            except (SyntaxError, ValueError):
                continue
            bound: dict[str, str] = {}
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    for alias in node.names:
                        yield alias.name
                        if alias.asname:
                            bound[alias.asname] = alias.name
                        else:
                            top = alias.name.partition(".")[0]
                            bound[top] = top
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    yield node.module
                    for alias in node.names:
                        yield f"{node.module}.{alias.name}"
                        bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute):
                    yield from _reached(node, bound)


def _reached(node: ast.Attribute, bound: Mapping[str, str]) -> Iterator[str]:
    """``a.b.c`` where ``a`` is an imported name bound to module M: M.b and M.b.c (either may
    be a class or a function; importing it then fails, and the caller skips it)."""
    chain: list[str] = []
    current: ast.expr = node
    while isinstance(current, ast.Attribute):
        chain.append(current.attr)
        current = current.value
    if not isinstance(current, ast.Name) or current.id not in bound:
        return
    name = bound[current.id]
    for attr in reversed(chain):
        name = f"{name}.{attr}"
        yield name


def _from_environment(name: str) -> bool:
    """Whether ``name``'s top-level package is installed in the virtual environment's
    site-packages (not the standard library, not a folder of the project)."""
    try:
        spec = importlib.util.find_spec(name.partition(".")[0])
    except (ImportError, ValueError):
        return False
    if spec is None:
        return False
    origins = [spec.origin] if spec.origin else list(spec.submodule_search_locations or [])
    return bool(origins) and all("site-packages" in Path(o).parts for o in origins)


def _preload(tool_root: str, scan_root: Path) -> None:
    sys.path.insert(0, tool_root)
    # What `child_main` imports before it leaves the tool's folder off the path.
    for name in ("infra.interrupts", "infra.engine.project", "infra.engine.runtime"):
        importlib.import_module(name)
    for name in sorted(set(_imported_names(scan_root))):
        if _from_environment(name):
            try:
                module = importlib.import_module(name)
            except ImportError:  # `from a import b` where b is a name, not a module
                # ... which a package may import on first access (pydantic's __getattr__).
                parent, _, attr = name.rpartition(".")
                if parent in sys.modules:
                    getattr(sys.modules[parent], attr, None)
                continue
            # The provider SDKs load a module on its first attribute (pulumi/_utils.py
            # _LazyModule): this one loads it here, once, rather than in each child.
            hasattr(module, "__all__")
    if threading.active_count() != 1:
        raise RuntimeError("a preloaded module started a thread: forking would be unsafe")


def _serve(channel: socket.socket) -> None:
    while True:
        request, fds, _, _ = socket.recv_fds(channel, 1 << 20, 3)
        if not request:
            return
        message = json.loads(request)
        pid = os.fork()
        if pid == 0:
            channel.close()
            _child(message, fds)
        for fd in fds:
            os.close(fd)
        _, status = os.waitpid(pid, 0)
        channel.sendall(json.dumps({"code": os.waitstatus_to_exitcode(status)}).encode())


def _child(message: Mapping[str, object], fds: Sequence[int]) -> None:
    """In the forked child: the streams, environment and folder `Popen` would have given it,
    then `child_main`, which ends the process itself."""
    code = 1
    try:
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        os.environ.clear()
        os.environ.update(message["env"])  # type: ignore[arg-type]
        os.chdir(str(message["cwd"]))
        argv = [str(a) for a in message["argv"]]  # type: ignore[attr-defined]
        sys.argv = ["-c", *argv]
        from infra.engine.apart import child_main

        child_main(argv)
        code = 0
    except SystemExit as e:  # as the interpreter would: a program that calls sys.exit()
        code = e.code if isinstance(e.code, int) else int(e.code is not None)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        import atexit

        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


class Zygote:
    """One zygote process, started on the first `run`; `close` (or the test process's exit,
    which closes its socket) ends it."""

    def __init__(self, tool_root: Path, scan_root: Path) -> None:
        self._tool_root, self._scan_root = tool_root, scan_root
        self._proc: subprocess.Popen[bytes] | None = None
        self._channel: socket.socket | None = None
        # Its stderr, read when it stops: a file, which it can never fill as it could a pipe.
        self._said: IO[bytes] | None = None

    def _start(self) -> socket.socket:
        # Message boundaries kept: each request and each answer is one packet.
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._said = tempfile.TemporaryFile()  # noqa: SIM115 - open for the zygote's life; close() closes it
        self._proc = subprocess.Popen(
            [
                sys.executable,
                "-P",
                __file__,
                str(self._tool_root),
                str(self._scan_root),
                str(theirs.fileno()),
            ],
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._said,
        )
        theirs.close()
        self._channel = ours
        return ours

    def run(self, argv: Sequence[str]) -> tuple[bytes, bytes, int]:
        """Fork a child that runs ``child_main(argv)``: its stdout, stderr and exit code."""
        channel = self._channel or self._start()
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        null = os.open(os.devnull, os.O_RDONLY)
        message = {"argv": list(argv), "env": dict(os.environ), "cwd": os.getcwd()}
        try:
            socket.send_fds(channel, [json.dumps(message).encode()], [null, out_w, err_w])
        except OSError:
            for fd in (out_r, err_r):
                os.close(fd)
            raise self._stopped() from None
        finally:
            for fd in (null, out_w, err_w):
                os.close(fd)
        out, err = _read_both(out_r, err_r)
        answer = channel.recv(1 << 16)
        if not answer:
            raise self._stopped()
        return out, err, int(json.loads(answer)["code"])

    def _stopped(self) -> RuntimeError:
        said = self.close().decode(errors="replace").strip().splitlines()
        return RuntimeError(
            "the test suite's zygote (tests/_zygote.py) stopped: "
            + (said[-1] if said else "it said nothing")
        )

    def close(self) -> bytes:
        """End the zygote; what it printed on stderr."""
        said = b""
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        if self._proc is not None:
            self._proc.wait(timeout=30)
            self._proc = None
        if self._said is not None:
            self._said.seek(0)
            said = self._said.read()
            self._said.close()
            self._said = None
        return said


def _read_both(out_fd: int, err_fd: int) -> tuple[bytes, bytes]:
    chunks: dict[int, list[bytes]] = {out_fd: [], err_fd: []}
    with selectors.DefaultSelector() as selector:
        for fd in chunks:
            selector.register(fd, selectors.EVENT_READ)
        while selector.get_map():
            for key, _ in selector.select():
                data = os.read(key.fd, 1 << 16)
                if data:
                    chunks[key.fd].append(data)
                else:
                    selector.unregister(key.fd)
                    os.close(key.fd)
    return b"".join(chunks[out_fd]), b"".join(chunks[err_fd])


if __name__ == "__main__":
    tool, scan, fd = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    _preload(tool, scan)
    # What is preloaded stays: no collection in a child scans it (nor copies its pages).
    gc.freeze()
    with socket.socket(fileno=fd) as zygote_channel:
        _serve(zygote_channel)
