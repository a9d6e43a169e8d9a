"""The drawing pad of notebook 06 in a real browser: JupyterLab on localhost, Debian's Chromium driven by Playwright.

Open the notebook, run all cells, draw a "1" and then a "0" with the mouse on the pad, and read the network's
answer from the page. The time from releasing the mouse button to the last redraw of the activation maps is
measured in the page itself (performance.now() at mouseup, and at each picture drawn on a map's canvas) and
written to test-artifacts/06-draw-a-digit-timings.json, next to screenshots of the pad.

Skipped when Chromium is missing, unless REQUIRE_BROWSER=1 (as tests/test_browser.py does).
"""

import json
import math
import os
import shutil
import time

import pytest
from browser_support import ARTIFACTS, NOTEBOOK_DONE, ROOT, jupyterlab, launch_chromium, needs_chromium

NOTEBOOK = "06_draw_a_digit.ipynb"

pytestmark = needs_chromium

# Before the page loads: note the time of every mouseup, and of every picture drawn on a map's or the input's
# canvas (ipycanvas draws each update onto the visible canvas with drawImage).
TIMING_SCRIPT = """
window.__mouseups = [];
window.__paints = [];
window.__wall = [];   // Date.now() of the same moments: comparable with the kernel's clock (the same machine)
document.addEventListener('mouseup', () => {
  window.__mouseups.push(performance.now()); window.__wall.push(Date.now());
}, true);
window.__statusAt = [];   // Date.now() whenever the pad's status line (written last by each update) arrives
new MutationObserver(() => {
  const el = document.querySelector('.digit-status');
  const done = el && el.getAttribute('data-done');
  if (done && done !== window.__lastDone) { window.__lastDone = done; window.__statusAt.push(Date.now()); }
}).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
const drawImage = CanvasRenderingContext2D.prototype.drawImage;
CanvasRenderingContext2D.prototype.drawImage = function (...args) {
  const c = this.canvas;
  if (c && c.classList && c.classList.contains('digit-maps')) window.__paints.push(performance.now());
  return drawImage.apply(this, args);
};
"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving a copy of notebook 06 (so nothing it saves touches the committed notebook)."""
    root = tmp_path_factory.mktemp("lab")
    (root / "notebooks").mkdir()
    shutil.copy(ROOT / "notebooks" / NOTEBOOK, root / "notebooks" / NOTEBOOK)
    token = "browser-drawing-test"
    with jupyterlab(
        root, token, ["--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    ) as url:
        yield url, token


@pytest.fixture(scope="module")
def page(lab):
    """The notebook open in Chromium at a laptop's size (1366×768), all cells run."""
    from playwright.sync_api import sync_playwright

    url, token = lab
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.page_errors = []
        page.on("pageerror", lambda e: page.page_errors.append(str(e)))
        page.add_init_script(TIMING_SCRIPT)
        page.goto(f"{url}/lab/tree/{NOTEBOOK}?reset&token={token}")
        page.wait_for_function(
            "() => window.jupyterapp && window.jupyterapp.shell.currentWidget "
            "&& window.jupyterapp.shell.currentWidget.sessionContext "
            "&& window.jupyterapp.shell.currentWidget.sessionContext.session "
            "&& window.jupyterapp.shell.currentWidget.sessionContext.session.kernel",
            timeout=120_000,
        )
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        page.wait_for_function(NOTEBOOK_DONE, timeout=600_000, polling=1000)  # trains the CNN if not cached
        # The pad's cell at the top of the screen, through the notebook itself.
        page.evaluate("""async () => {
          const nb = window.jupyterapp.shell.currentWidget.content;
          const i = nb.widgets.findIndex(c => c.node.querySelector('canvas.digit-pad'));
          nb.activeCellIndex = i;
          await nb.scrollToItem(i, 'start');
        }""")
        pad = page.locator(".jp-NotebookPanel:visible canvas.digit-pad").first
        pad.wait_for(state="visible", timeout=60_000)
        page.wait_for_function("() => document.querySelector('.digit-prediction')", timeout=60_000)
        yield page
        browser.close()


def _stroke(page, points):
    """Press the mouse at the first point, move through the others in small steps, release; points in 0..1 of
    the pad's size. Returns the page's time of the release."""
    box = page.locator(".jp-NotebookPanel:visible canvas.digit-pad").first.bounding_box()
    at = [(box["x"] + x * box["width"], box["y"] + y * box["height"]) for x, y in points]
    page.mouse.move(*at[0])
    page.mouse.down()
    for p in at[1:]:
        page.mouse.move(*p, steps=6)
    page.mouse.up()
    return page.evaluate("() => window.__mouseups[window.__mouseups.length - 1]")


def _settled_answer(page, released: float, quiet_ms: float = 1500, timeout_s: float = 30):
    """Wait until the maps have not been redrawn for quiet_ms; return the digit read and the times (ms): from the
    release to the last redraw of the maps ("total"), split into the release reaching the kernel, the kernel's
    last update, its message reaching the page, and the maps drawn (the page's and the kernel's wall clocks are
    one machine's)."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        last = page.evaluate(
            "(t) => { const p = window.__paints.filter(x => x > t); return p.length ? p[p.length - 1] : null; }",
            released,
        )
        now = page.evaluate("() => performance.now()")
        if last is not None and now - last > quiet_ms:
            digit = page.locator(".digit-prediction").first.get_attribute("data-digit")
            status = page.locator(".digit-status").first
            up = page.evaluate("() => window.__wall[window.__wall.length - 1]")
            got, done = float(status.get_attribute("data-released")), float(status.get_attribute("data-done"))
            arrived = page.evaluate("() => window.__statusAt[window.__statusAt.length - 1]")
            total = last - released
            return digit, {
                "total": round(total),
                "to the kernel": round(got - up),
                "in the kernel": round(done - got),
                "back to the page": round(arrived - done),
                "drawn": round(total - (arrived - up)),
            }
        time.sleep(0.25)
    pytest.fail("the maps were not redrawn after the stroke")


def _clear(page):
    page.locator(".jp-NotebookPanel:visible button", has_text="Clear").first.click()
    page.wait_for_function(
        "() => document.querySelector('.digit-prediction').getAttribute('data-digit') === ''", timeout=30_000
    )


def test_drawing_a_one_and_a_zero_in_a_real_browser(page):
    ARTIFACTS.mkdir(exist_ok=True)
    widget = page.locator(".jp-NotebookPanel:visible .jp-OutputArea-output", has=page.locator("canvas.digit-pad"))
    # An empty pad: a message where the prediction would be.
    assert page.locator(".digit-prediction").first.get_attribute("data-digit") == ""
    timings = {}

    released = _stroke(page, [(0.53, 0.15), (0.51, 0.5), (0.49, 0.86)])
    one, timings["1"] = _settled_answer(page, released)
    widget.first.screenshot(path=str(ARTIFACTS / "06-draw-a-digit-one.png"))
    _clear(page)

    ring = [
        (0.5 + 0.25 * math.cos(a / 24 * 2 * math.pi), 0.5 + 0.36 * math.sin(a / 24 * 2 * math.pi)) for a in range(25)
    ]
    released = _stroke(page, ring)
    zero, timings["0"] = _settled_answer(page, released)

    # A click on a block-2 map draws its receptive field and names it.
    maps = page.locator(".jp-NotebookPanel:visible canvas.digit-maps").nth(1)
    maps.click(position={"x": 40, "y": 20})
    page.wait_for_function("() => /sees input rows/.test(document.body.innerText)", timeout=30_000)
    widget.first.screenshot(path=str(ARTIFACTS / "06-draw-a-digit-zero.png"))
    page.screenshot(path=str(ARTIFACTS / "06-draw-a-digit-page.png"))

    # Three more strokes, for the timing only: a 1, cleared, three times.
    for i in range(3):
        _clear(page)
        released = _stroke(page, [(0.5 + 0.04 * i, 0.15), (0.5, 0.5), (0.48 - 0.04 * i, 0.86)])
        _, timings[f"1 again ({i + 1})"] = _settled_answer(page, released)

    size = widget.first.bounding_box()
    totals = sorted(t["total"] for t in timings.values())
    (ARTIFACTS / "06-draw-a-digit-timings.json").write_text(
        json.dumps(
            {
                "ms from mouse release to the maps redrawn, per stroke": timings,
                "median total ms": totals[len(totals) // 2],
                "widget size (px)": [size["width"], size["height"]],
                "load average (1, 5, 15 min) during the test": os.getloadavg(),
            },
            indent=1,
        )
    )
    print(
        f"\nread: {one!r}, {zero!r}; ms from release to the redrawn maps: {timings}; "
        f"widget {size['width']:.0f}×{size['height']:.0f} px; load average {os.getloadavg()}"
    )

    text = "\n".join(page.locator(".jp-NotebookPanel:visible .jp-OutputArea").all_inner_texts())
    assert "Traceback" not in text and "Error displaying widget" not in text
    assert not page.page_errors, page.page_errors
    assert (one, zero) == ("1", "0")
    # It fits a 1366×768 laptop's notebook column (the file browser open) and its screen height.
    assert size["width"] <= 1100 and size["height"] <= 560, size
