"""Each notebook's Run All time as a student or the instructor meets it: JupyterLab in Chromium, a fresh kernel,
*Run → Run All Cells*, from the command to the last cell done with the kernel idle. Both editions.

    python -m tools.browser_times [--presenter] [NN_name ...]     (the README's and the guide's timings)

It serves a copy of notebooks/ (nothing it runs is saved), with the course's `cache/` as it is: run it twice to see
both the first run (training, caching) and the usual one. Needs Chromium (Debian's `chromium`) and the test set-up.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser_support import NOTEBOOK_DONE, jupyterlab, launch_chromium  # noqa: E402

KERNEL_READY = (
    "() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
    " && window.jupyterapp.shell.currentWidget.sessionContext"
    " && window.jupyterapp.shell.currentWidget.sessionContext.session"
    " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel"
    " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle'"
)


def run_all_times(names=(), presenter: bool = False) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    root = Path(tempfile.mkdtemp(prefix="browser-times-"))
    shutil.copytree(ROOT / "notebooks", root / "notebooks", ignore=shutil.ignore_patterns("homework", "*.log"))
    paths = sorted((root / "notebooks").glob("0*.ipynb")) + sorted((root / "notebooks" / "ru").glob("0*.ipynb"))
    paths = [p for p in paths if not names or p.stem in names]
    env = {**os.environ, "CNN_PRESENTER": "1" if presenter else "0"}
    times = {}
    size = {"width": 1920, "height": 1080} if presenter else {"width": 1366, "height": 768}
    with jupyterlab(root, "times", env=env, timeout=120) as url, sync_playwright() as p:
        browser = launch_chromium(p)
        for path in paths:
            rel = path.relative_to(root / "notebooks").as_posix()
            page = browser.new_page(viewport=size)
            page.goto(f"{url}/lab/tree/{rel}?reset&token=times")
            page.wait_for_function(KERNEL_READY, timeout=120_000, polling=200)
            start = time.monotonic()
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
            page.wait_for_function(NOTEBOOK_DONE, timeout=900_000, polling=250)
            times[rel] = time.monotonic() - start
            print(f"{rel:40s} {times[rel]:6.1f} s", flush=True)
            page.evaluate("() => window.jupyterapp.commands.execute('kernelmenu:shutdown')")
            page.close()
        browser.close()
    shutil.rmtree(root, ignore_errors=True)
    return times


if __name__ == "__main__":
    args = sys.argv[1:]
    run_all_times([a for a in args if not a.startswith("--")], presenter="--presenter" in args)
