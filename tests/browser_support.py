"""What the two real-browser tests share: JupyterLab on localhost serving a copy of notebooks, and Chromium.

with jupyterlab(root, token="t", app_settings=...) as url: ...     # root/notebooks is served
browser = launch_chromium(playwright)
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

#: Mark a test module: skipped when Chromium is missing, unless REQUIRE_BROWSER=1 (as .ci/run sets).
needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and os.environ.get("REQUIRE_BROWSER") != "1",
    reason="Chromium is not installed (apt-get install chromium); set REQUIRE_BROWSER=1 to make this an error",
)

# Code cells of the current notebook all executed, and the kernel idle.
NOTEBOOK_DONE = """() => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  if (!w || !w.content || !w.sessionContext || !w.sessionContext.session) return false;
  const kernel = w.sessionContext.session.kernel;
  const cells = w.content.widgets.filter(c => c.model.type === 'code' && c.model.sharedModel.getSource().trim());
  return cells.length > 0 && kernel && kernel.status === 'idle'
         && cells.every(c => c.model.executionCount !== null);
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


@contextlib.contextmanager
def jupyterlab(root: Path, token: str, extra_args=(), env=None, timeout: float = 120):
    """JupyterLab serving root/notebooks, with no autosave (nothing it saves touches the committed notebooks) and
    every cell rendered (no virtual scrolling, so a cell exists in the page wherever it is); yields its URL."""
    settings = root / "settings" / "@jupyterlab"
    (settings / "docmanager-extension").mkdir(parents=True, exist_ok=True)
    (settings / "docmanager-extension" / "plugin.jupyterlab-settings").write_text(json.dumps({"autosave": False}))
    (settings / "notebook-extension").mkdir(parents=True, exist_ok=True)
    (settings / "notebook-extension" / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with open(root / "lab.log", "w") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyterlab",
                "--no-browser",
                "--allow-root",
                f"--port={port}",
                # the free port or nothing: with retries the server could move silently to another port
                "--ServerApp.port_retries=0",
                "--ServerApp.ip=127.0.0.1",
                f"--IdentityProvider.token={token}",
                f"--ServerApp.root_dir={root / 'notebooks'}",
                "--LabApp.expose_app_in_browser=True",
                f"--LabApp.user_settings_dir={root / 'settings'}",
                f"--LabApp.workspaces_dir={root / 'workspaces'}",
                *extra_args,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=root,
            env=env,
        )
        try:
            deadline = time.time() + timeout
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/lab?token={token}", timeout=5) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if time.time() > deadline or proc.poll() is not None:
                    pytest.fail(f"JupyterLab did not answer on {url}:\n{(root / 'lab.log').read_text()[-3000:]}")
                time.sleep(0.5)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
