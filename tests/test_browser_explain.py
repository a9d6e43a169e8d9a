"""Notebook 07's two explorers in a real browser (JupyterLab on localhost, Chromium, as tests/test_browser.py):
opened fresh each shows its static picture; after Run All, at 1920×1080 with the instructor's key sequence and the
presenter scale, each fits the screen, its text is 16 px or more, and the time from a slider change to the new
picture on screen is measured (the issue's goal: median ≤ 150 ms, max ≤ 300 ms; recorded, not asserted, as
tests/test_browser.py records the convolution explorer's: on a shared, busy CPU the times say more about the
machine than about the code). Screenshots and the timings go to test-artifacts/browser-measurements.json."""

import importlib
import statistics

import pytest
from browser_support import ARTIFACTS, NOTEBOOK_DONE, needs_chromium

# The JupyterLab and Chromium fixtures and the page helpers of tests/test_browser.py, shared (a test module, loaded
# by name: tests/test_environment.py reads `import` lines as packages to declare).
_shared = importlib.import_module("test_browser")
lab, browser, measurements = _shared.lab, _shared.browser, _shared.measurements
EXPLORER_CELLS, MEASURE = _shared.EXPLORER_CELLS, _shared.MEASURE
_explorer_text_px, _kernel_run, _picture = _shared._explorer_text_px, _shared._kernel_run, _shared._picture
_presenter_key_sequence, _scroll_to_top = _shared._presenter_key_sequence, _shared._scroll_to_top
_set_slider, _wait_new_picture = _shared._set_slider, _shared._wait_new_picture

pytestmark = [needs_chromium, pytest.mark.slow]
NOTEBOOK = "07_what_it_looks_at.ipynb"


def _time_changes(page, explorer, changes) -> dict:
    """Milliseconds from Enter in a slider's readout to the new picture on screen, for each (slider, value)."""
    page.evaluate(
        """(el) => {
      window.__t0 = null; window.__times = [];
      el.addEventListener('keydown', e => {
        if (e.key !== 'Enter') return;
        window.__src = el.querySelector('img.cnn-picture').src; window.__t0 = performance.now();
      }, true);
      new MutationObserver(() => {
        const img = el.querySelector('img.cnn-picture');
        if (window.__t0 !== null && img && img.src !== window.__src) {
          const t0 = window.__t0; window.__t0 = null;
          const done = () => window.__times.push(performance.now() - t0);
          if (img.complete) requestAnimationFrame(done);
          else img.addEventListener('load', () => requestAnimationFrame(done), {once: true});
        }
      }).observe(el, {childList: true, subtree: true, attributes: true, attributeFilter: ['src']});
    }""",
        explorer.element_handle(),
    )
    for k, (slider, value) in enumerate(changes):
        before = _picture(explorer)
        _set_slider(page, explorer, slider, value)
        _wait_new_picture(page, explorer, before)
        page.wait_for_function("(k) => window.__times.length > k", arg=k, timeout=30_000)
    times = page.evaluate("() => window.__times")
    return {"n": len(times), "median": statistics.median(times), "max": max(times), "all": times}


# Changes an instructor makes: every patch size and stride the sliders allow, back and forth; ε in steps.
OCCLUSION = (
    [("patch size", v) for v in (10, 14, 5, 7)]
    + [("stride", v) for v in (2, 4, 3, 5)]
    + [("patch size", 12), ("stride", 2), ("patch size", 4)]
)
FGSM = [("ε", v) for v in (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.12, 0.18, 0.02, 0.08)]


def test_the_explorers_of_07_at_presenter_scale(lab, browser, measurements):
    url, token = lab
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page_errors = []
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    page.goto(f"{url}/lab/tree/{NOTEBOOK}?reset&token={token}")
    page.wait_for_function(
        "() => window.jupyterapp && window.jupyterapp.shell.currentWidget "
        "&& window.jupyterapp.shell.currentWidget.sessionContext "
        "&& window.jupyterapp.shell.currentWidget.sessionContext.session "
        "&& window.jupyterapp.shell.currentWidget.sessionContext.session.kernel",
        timeout=90_000,
    )
    page.wait_for_function("() => window.jupyterapp.shell.currentWidget.content.widgets.length > 0")
    cells = page.evaluate(EXPLORER_CELLS)
    assert len(cells) == 2, f"{NOTEBOOK}: expected two explorers, found cells {cells}"
    for i in cells:
        node = page.evaluate(
            "(i) => { const n = window.jupyterapp.shell.currentWidget.content.widgets[i].node"
            ".querySelector('.jp-OutputArea'); return {img: !!n.querySelector('img'),"
            " text: n.innerText}; }",
            i,
        )
        assert node["img"] and "Error" not in node["text"], f"cell {i}: no static picture ({node['text'][:200]!r})"

    _presenter_key_sequence(page)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(NOTEBOOK_DONE, timeout=300_000, polling=1000)
    _kernel_run(page, "import helpers.widgets; helpers.widgets.presenter(True)")
    record = measurements.setdefault("07_what_it_looks_at", {})
    for n, (cell, name, changes) in enumerate(zip(cells, ("occlusion", "fgsm"), (OCCLUSION, FGSM))):
        page.evaluate(
            "async (i) => { const app = window.jupyterapp; const nb = app.shell.currentWidget.content;"
            " nb.activeCellIndex = i; await app.commands.execute('notebook:run-cell'); }",
            cell,
        )
        page.wait_for_function(
            f"() => document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) "
            f".widget-interact.cnn-explorer-presenter img.cnn-picture[src]').length > {n}",
            timeout=60_000,
        )
        page.wait_for_function(NOTEBOOK_DONE, timeout=60_000, polling=500)
        explorer = page.locator(".jp-NotebookPanel:visible .widget-interact.cnn-explorer-presenter").nth(n)
        _scroll_to_top(page, cell)
        m = page.evaluate(MEASURE, explorer.element_handle())
        m["figure_text_px_min"] = _explorer_text_px(page, m)
        m["redraw_ms"] = _time_changes(page, explorer, changes)
        record[name] = m
        page.screenshot(path=str(ARTIFACTS / f"07-{name}-explorer-1920x1080.png"))
        assert m["height"] <= 1080 - m["top"] + 1 and m["image"]["bottom"] <= 1080, f"does not fit: {m}"
        assert m["control_font_px_min"] >= 16 and m["figure_text_px_min"] >= 16, f"text under 16 px: {m}"
        assert explorer.locator(".explorer-message").count() == 0
    assert not page_errors, page_errors
    page.close()
