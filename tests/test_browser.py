"""The explorers in a real browser: JupyterLab on localhost, Debian's Chromium driven by Playwright.

For notebooks 00, 02 and 04: open the notebook, run all cells, move a slider of the explorer, and check
that its picture changes and that the page shows no error (no traceback, no "Error displaying
widget", no uncaught page error). A screenshot of each is kept in test-artifacts/.

Skipped when Chromium is missing, unless REQUIRE_BROWSER=1 (as .ci/run sets, after installing it).
"""

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

pytestmark = pytest.mark.skipif(
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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving a copy of notebooks/ (so nothing it saves touches the committed notebooks)."""
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    settings = root / "settings" / "@jupyterlab" / "docmanager-extension"
    settings.mkdir(parents=True)
    (settings / "plugin.jupyterlab-settings").write_text(json.dumps({"autosave": False}))
    # Render every cell (no virtual scrolling), so the explorer's cell exists in the page wherever it is.
    notebook_settings = root / "settings" / "@jupyterlab" / "notebook-extension"
    notebook_settings.mkdir(parents=True)
    (notebook_settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    port, token = _free_port(), "browser-test"
    log = open(root / "lab.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", f"--port={port}",
         "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root / 'notebooks'}",
         "--LabApp.expose_app_in_browser=True", f"--LabApp.user_settings_dir={root / 'settings'}",
         f"--LabApp.workspaces_dir={root / 'workspaces'}", "--LabApp.news_url=", "--LabApp.check_for_updates_class="
         "jupyterlab.NeverCheckForUpdate"],
        stdout=log, stderr=subprocess.STDOUT, cwd=root)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while True:
        try:
            with urllib.request.urlopen(f"{url}/lab?token={token}", timeout=5) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if time.time() > deadline or proc.poll() is not None:
            proc.kill()
            pytest.fail(f"JupyterLab did not answer on {url}:\n{(root / 'lab.log').read_text()[-3000:]}")
        time.sleep(0.5)
    yield url, token
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


def _set_slider(page, explorer, description: str, value: int):
    """Type a value into the slider's readout, as a person can, and press Enter."""
    slider = explorer.locator(".widget-slider").filter(has=page.locator(".widget-label", has_text=description))
    readout = slider.first.locator(".widget-readout")
    readout.scroll_into_view_if_needed()
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(str(value))
    page.keyboard.press("Enter")


def _picture(explorer) -> str:
    img = explorer.locator(".widget-output img")
    return img.first.get_attribute("src") if img.count() else ""


@pytest.mark.parametrize("notebook, slider, value", [
    ("00_start_here.ipynb", "index", 5),
    ("02_convolution.ipynb", "stride", 2),
    ("04_pooling.ipynb", "size", 3),
])
def test_explorer_redraws_in_a_real_browser(lab, browser, notebook, slider, value):
    url, token = lab
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page_errors = []
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    page.goto(f"{url}/lab/tree/{notebook}?reset&token={token}")  # reset: no tabs restored from another test
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget "
                           "&& window.jupyterapp.shell.currentWidget.sessionContext", timeout=90_000)
    page.wait_for_function("() => window.jupyterapp.shell.currentWidget.sessionContext.session "
                           "&& window.jupyterapp.shell.currentWidget.sessionContext.session.kernel", timeout=90_000)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(NOTEBOOK_DONE, timeout=240_000, polling=1000)

    # Bring the explorer's cell to the middle of the screen through the notebook itself.
    page.evaluate("""async () => {
      const nb = window.jupyterapp.shell.currentWidget.content;
      const i = nb.widgets.findIndex(c => c.node.querySelector('.widget-interact'));
      nb.activeCellIndex = i;
      await nb.scrollToItem(i, 'center');
    }""")
    explorer = page.locator(".jp-NotebookPanel:visible .widget-interact").first
    explorer.wait_for(state="visible", timeout=30_000)
    page.wait_for_function("(el) => el.querySelector('.widget-output img')", arg=explorer.element_handle(),
                           timeout=30_000)
    before = _picture(explorer)
    _set_slider(page, explorer, slider, value)
    # Either a new picture, or something else (a traceback, a message) where it was.
    page.wait_for_function("([el, before]) => { const out = el.querySelector('.widget-output');"
                           " const img = out && out.querySelector('img');"
                           " return (img && img.getAttribute('src') !== before)"
                           "   || (out && /Traceback|Error|explorer-message/.test(out.innerHTML)); }",
                           arg=[explorer.element_handle(), before], timeout=30_000)
    after = _picture(explorer)
    output_text = explorer.locator(".widget-output").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    explorer.screenshot(path=str(ARTIFACTS / f"{Path(notebook).stem}-explorer.png"))
    page.screenshot(path=str(ARTIFACTS / f"{Path(notebook).stem}-page.png"))

    # Outputs only: the prose may mention these words (00's troubleshooting tip does).
    text = "\n".join(page.locator(".jp-NotebookPanel:visible .jp-OutputArea").all_inner_texts())
    assert "Traceback" not in output_text and "Error" not in output_text, f"the explorer failed:\n{output_text[-2000:]}"
    assert after and after != before, "the explorer's picture did not change"
    assert "Traceback" not in text and "Error displaying widget" not in text
    assert explorer.locator(".explorer-message").count() == 0
    assert not page_errors, page_errors
    page.close()
