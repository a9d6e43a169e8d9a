"""The grader's end of a sandbox: start one (isolated when the machine allows), run cells, fetch values, call
functions, with a time limit on every request; kill it and start another when it hangs or dies.

Isolation, the first that works on this machine (`isolation()` probes once):
  "namespace"  root on Linux: `unshare` (util-linux) makes new mount, PID, network, IPC and UTS namespaces,
               isolate.py builds a root that shows only the Python installation, the venv, helpers/, data/ and
               cache/ (read-only) and two empty tmpfs (/sandbox, /tmp), chroots into it and becomes an unprivileged
               uid of its own (no account, group nogroup), with at most 256 processes.
  "userns"     a non-root user on Linux with user namespaces: the same, as the user's own uid mapped to root
               inside (everything read-only but the two tmpfs).
  "none"       anything else (macOS, a container without namespaces): a plain process in a fresh temporary
               folder, with the memory and file-size limits only. A warning says that a submission can then
               read and write whatever the instructor's user can: grade untrusted work on Linux.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

from tools.grading import wire

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
MEMORY = 3 << 30  # address space a notebook may add to the zygote's (numpy and torch loaded)
FILE_BYTES = 64 << 20  # the largest file a notebook may write
DISK_MB = 256  # each of /sandbox and /tmp in the isolated root


class SandboxError(Exception):
    """The sandbox could not answer: it ended, hung past its time, or sent something unreadable."""


class Timeout(SandboxError):
    pass


class NotStarted(SandboxError):
    """The sandbox itself does not start: the machine's fault, not a student's. Grading stops and says why."""


class Ended(SandboxError):
    pass


def _visible() -> list[str]:
    """What the isolated root shows, read-only: the interpreter, the venv, helpers/, data/, cache/."""
    import helpers

    project = Path(helpers.__file__).resolve().parent.parent
    paths = {
        sys.base_prefix,
        sys.prefix,
        str(Path(sys.executable).resolve().parent.parent),
        str(Path(helpers.__file__).resolve().parent),
        str(project / "data"),
        str(project / "cache"),
    }
    return sorted(p for p in paths if p and not p.startswith("/usr") and os.path.exists(p))


def _unshare(user_namespace: bool) -> list[str]:
    flags = ["--mount", "--net", "--pid", "--ipc", "--uts", "--fork", "--kill-child"]
    return ["unshare", *(["--user", "--map-root-user"] if user_namespace else []), *flags]


def _python() -> str:
    """The venv's python (its site-packages hold numpy, torch and the editable helpers)."""
    return str(Path(sys.prefix) / "bin" / "python") if sys.prefix != sys.base_prefix else sys.executable


def _config(mode: str, language: str = "en", probe: bool = False) -> dict:
    return {
        "read_only": _visible(),
        "python": _python(),
        "memory": MEMORY,
        "file_bytes": FILE_BYTES,
        "disk_mb": DISK_MB,
        "language": language,
        "probe": probe,
        "user": _uid() if mode == "namespace" else None,
        "group": 65534,
    }


def _uid() -> int:
    """An unprivileged uid of this grader process's own, so that two sandboxes graded at once do not share a uid
    (nor its process limit) with each other or with the machine's `nobody`."""
    return 3_000_000 + os.getpid() % 1_000_000


@functools.cache
def isolation() -> str:
    """ "namespace", "userns" or "none": the strongest isolation this machine allows (see the module's text),
    found by building the isolated root once and running Python in it."""
    if sys.platform != "linux" or not shutil.which("unshare") or not shutil.which("mount"):
        return "none"
    for mode in ("namespace", "userns"):
        if mode == "namespace" and os.geteuid() != 0:
            continue
        cmd = [
            *_unshare(mode == "userns"),
            sys.executable,
            "-I",
            str(HERE / "isolate.py"),
            json.dumps(_config(mode, probe=True)),
        ]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=60, check=False, cwd="/")
        except (OSError, subprocess.TimeoutExpired):
            continue
        if done.returncode == 0:
            return mode
    return "none"


def warn_if_not_isolated() -> str:
    mode = isolation()
    if mode == "none":
        warnings.warn(
            "grading without isolation (no Linux namespaces here): a submission's code can read and "
            "write what your user can, the solutions included. Grade untrusted work on Linux.",
            stacklevel=2,
        )
    return mode


class Sandbox:
    """One student's zygote process; `fork()` gives a fresh child for a notebook."""

    def __init__(self, language: str = "en"):
        self.language = language
        self.proc = None
        self.notebooks = 0
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - open for the worker's lifetime, closed in close()
        self.workdir = None

    # --- life ---------------------------------------------------------------------------------------------
    def start(self, timeout: float = 120) -> None:
        mode = isolation()
        python = _python()
        memory = MEMORY
        if mode == "none":
            self.workdir = tempfile.mkdtemp(prefix="sandbox-")
            cmd = [python, "-I", str(HERE / "worker.py"), str(memory), str(FILE_BYTES)]
            env = {
                "PATH": os.environ.get("PATH", ""),
                "HOME": self.workdir,
                "OMP_NUM_THREADS": "1",
                "MKL_NUM_THREADS": "1",
                "MPLBACKEND": "Agg",
                "CNN_LECTURE_LANG": self.language,
            }
            cwd = self.workdir
        else:
            cmd = [
                *_unshare(mode == "userns"),
                sys.executable,
                "-I",
                str(HERE / "isolate.py"),
                json.dumps(_config(mode, self.language)),
            ]
            env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
            cwd = "/"
        self.proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            cwd=cwd,
            env=env,
            bufsize=0,
            start_new_session=True,
        )
        self.replies = queue.Queue()
        threading.Thread(target=self._reader, args=(self.proc.stdout, self.replies), daemon=True).start()
        try:
            header, _ = self._wait(timeout, "starting")
        except SandboxError as e:
            raise NotStarted(f"the sandbox did not start ({mode}): {e}\n{self.stderr_tail()}") from None
        if header.get("op") != "ready":
            self.kill()
            raise NotStarted(f"the sandbox did not start ({mode}): {header}")

    @staticmethod
    def _reader(stream, replies):
        while True:
            try:
                replies.put(wire.read(stream))
            except (EOFError, OSError):
                replies.put(None)
                return
            except Exception as e:
                replies.put(e)
                return

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            for stream in (self.proc.stdin, self.proc.stdout):
                with contextlib.suppress(OSError):
                    stream.close()
            self.proc = None
        if self.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    def stderr_tail(self, n: int = 2000) -> str:
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")[-n:]

    # --- messages ---------------------------------------------------------------------------------------
    def _wait(self, timeout: float, what: str):
        try:
            reply = self.replies.get(timeout=max(0.01, timeout))
        except queue.Empty:
            self.kill()
            raise Timeout(f"{what} took longer than {timeout:.0f} s") from None
        if reply is None:
            self.kill()
            raise Ended(f"the Python process ended while {what}")
        if isinstance(reply, Exception):
            self.kill()
            raise SandboxError(f"an unreadable answer while {what}: {reply}")
        return reply

    def request(self, header: dict, blobs=(), timeout: float = 60, what: str = "running") -> tuple[dict, list]:
        if not self.alive():
            raise Ended("the sandbox is not running")
        try:
            self.proc.stdin.write(wire.pack(header, list(blobs)))
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            self.kill()
            raise Ended(f"the Python process ended before {what}") from None
        reply, rblobs = self._wait(timeout, what)
        if reply.get("op") == "exited":
            self.child = False
            raise Ended(f"the Python process ended (exit code {reply.get('code')}) while {what}")
        return reply, rblobs

    def fork(self) -> None:
        """A fresh child for the next notebook (the previous one is told to end first)."""
        if getattr(self, "child", False):
            self.end_child()
        if not self.alive():
            self.start()
        self.notebooks += 1
        self.proc.stdin.write(wire.pack({"op": "fork", "n": self.notebooks}))
        self.proc.stdin.flush()
        self.child = True

    def end_child(self, timeout: float = 30) -> None:
        if self.alive() and getattr(self, "child", False):
            self.proc.stdin.write(wire.pack({"op": "end"}))
            self.proc.stdin.flush()
            self.child = False
            header, _ = self._wait(timeout, "ending a notebook")
            if header.get("op") != "exited":
                self.kill()

    def close(self) -> None:
        self.kill()
        self.log.close()


def deadline_left(deadline: float) -> float:
    return deadline - time.monotonic()
