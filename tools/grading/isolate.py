"""Inside fresh Linux namespaces (started by `unshare`, see sandbox.py): build a root that shows only what a
student's code needs, read-only, enter it, drop to an unprivileged uid of its own, and exec the sandbox worker.

Run as `python isolate.py CONFIG_JSON` as PID 1 of new mount, PID, network, IPC and UTS namespaces. The new
root is a tmpfs holding: /usr and the symlinks /bin, /lib, ... of a merged-/usr system; the Python installation
and the virtual environment; the project's helpers/, data/ and cache/; a few files of /etc and /dev; a fresh
/proc; two writable tmpfs, /sandbox (the working folder) and /tmp. Nothing else of the machine is there: not the
repository's notebooks, not the course folder, not the submissions. The network namespace has no interface up.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _bind(source: str, root: str, writable: bool = False) -> None:
    target = root + source
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, "a").close()
    _mount("--rbind", source, target)
    if not writable:
        _mount("-o", "remount,bind,ro", target)


def main(config: dict) -> None:
    base = "/tmp"  # our own tmpfs over /tmp: the host's /tmp is not seen
    _mount("-t", "tmpfs", "-o", "size=64m,mode=755", "isolate", base)
    root = os.path.join(base, "root")
    os.makedirs(root)
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            os.symlink(os.readlink(top), root + top)
        elif os.path.isdir(top):
            _bind(top, root)
    _bind("/usr", root)
    for path in config["read_only"]:
        if os.path.exists(path):
            _bind(path, root)
    for path in ("/etc/passwd", "/etc/group", "/etc/nsswitch.conf", "/etc/ld.so.cache", "/etc/localtime"):
        if os.path.islink(path):
            os.makedirs(root + "/etc", exist_ok=True)
            os.symlink(os.readlink(path), root + path)
        elif os.path.exists(path):
            _bind(path, root)
    for dev in ("null", "zero", "random", "urandom"):
        _bind(f"/dev/{dev}", root, writable=True)
    os.makedirs(root + "/proc")
    _mount("-t", "proc", "-o", "nosuid,nodev,noexec", "proc", root + "/proc")
    grader = root + "/grader"
    os.makedirs(grader)
    for name in ("wire.py", "worker.py"):
        shutil.copy(os.path.join(os.path.dirname(os.path.abspath(__file__)), name), grader)
    for writable in ("/sandbox", "/tmp"):
        os.makedirs(root + writable)
        _mount("-t", "tmpfs", "-o", f"size={config['disk_mb']}m,mode=1777,nosuid,nodev", "sandbox", root + writable)
    _mount("-o", "remount,ro", base)
    os.chroot(root)
    os.chdir("/sandbox")
    if config.get("user") is not None:
        os.setgroups([])
        os.setgid(config["group"])
        os.setuid(config["user"])
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": "/sandbox",
        "TMPDIR": "/tmp",
        "LANG": "C.UTF-8",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        "PYTHONDONTWRITEBYTECODE": "1",
        "CNN_LECTURE_LANG": config.get("language", ""),
        "SANDBOX_OWN_UID": "1" if config.get("user") else "",
    }
    python = config["python"]
    if config.get("probe"):  # sandbox.isolation(): can the root be built and Python run?
        os.execve(python, [python, "-I", "-c", "import os, sys; sys.exit(0 if os.path.isdir('/sandbox') else 1)"], env)
    os.execve(python, [python, "-I", "/grader/worker.py", str(config["memory"]), str(config["file_bytes"])], env)


if __name__ == "__main__":
    try:
        main(json.loads(sys.argv[1]))
    except subprocess.CalledProcessError as e:
        sys.stderr.write(f"isolate: {' '.join(e.cmd)}: {e.stderr.decode(errors='replace').strip()}\n")
        sys.exit(3)
