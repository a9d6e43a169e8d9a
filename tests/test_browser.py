"""The explorers in a real browser: JupyterLab on localhost, Debian's Chromium driven by Playwright.

For notebooks 00, 02, 03 and 04 (explorers found by their output, wherever their cell is):
- opened fresh, before any cell runs, each explorer's output shows its static picture (no widget text, no
  "Error displaying widget"), and JupyterLab shows no news pop-up (jupyter/overrides.json, as `make lab`);
- at 1366×768 (the laptop scale): run all cells, the whole explorer fits on the screen, a slider redraws it;
- at 1920×1080 (the presenter scale, after the instructor's key sequence: Ctrl+B, Ctrl+Shift+D, Presentation
  Mode from View → Appearance): the explorer fits, its text is 16 px or more, a slider redraws it, and in
  02 Play walks the window and the time from a slider change to the new picture is measured.
Screenshots and the measurements (test-artifacts/browser-measurements.json) are kept in test-artifacts/.

Two decks (make slides) open from file:// with every non-file request blocked and counted: zero.

Skipped when Chromium is missing, unless REQUIRE_BROWSER=1 (as .ci/run sets, after installing it).
"""

import json
import os
import shutil
import statistics
from pathlib import Path

import pytest
from browser_support import ARTIFACTS, NOTEBOOK_DONE, ROOT, jupyterlab, launch_chromium, needs_chromium

WIDGET = "application/vnd.jupyter.widget-view+json"
#: The notebooks under test; BROWSER_TEST_NOTEBOOKS points at another folder (freshly executed copies, say).
NOTEBOOKS = Path(os.environ.get("BROWSER_TEST_NOTEBOOKS") or ROOT / "notebooks")

pytestmark = needs_chromium

# The indices of the cells whose stored outputs hold a widget: the explorers, wherever they are.
EXPLORER_CELLS = """() => {
  const nb = window.jupyterapp.shell.currentWidget.content;
  const found = [];
  nb.widgets.forEach((c, i) => {
    if (c.model.type !== 'code') return;
    const outs = c.model.outputs.toJSON();
    if (outs.some(o => o.data && o.data['WIDGET'])) found.push(i);
  });
  return found;
}""".replace("WIDGET", WIDGET)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving a copy of notebooks/ (so nothing it saves touches the committed notebooks), with
    the course's settings (jupyter/overrides.json, which `make lab` installs into the venv)."""
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(NOTEBOOKS, root / "notebooks", ignore=shutil.ignore_patterns("*.log"))
    app_settings = root / "app-settings"
    app_settings.mkdir()
    shutil.copy(ROOT / "jupyter" / "overrides.json", app_settings / "overrides.json")
    token = "browser-test"
    with jupyterlab(
        root, token, [f"--LabApp.app_settings_dir={app_settings}"], env={**os.environ, "CNN_PRESENTER": "0"}, timeout=90
    ) as url:
        yield url, token


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()


@pytest.fixture(scope="module")
def measurements():
    results = {}
    yield results
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "browser-measurements.json"
    old = json.loads(path.read_text()) if path.exists() else {}
    path.write_text(json.dumps(old | results, indent=1))


def _readout(page, explorer, description: str):
    slider = explorer.locator(".widget-slider").filter(has=page.locator(".widget-label", has_text=description))
    return slider.first.locator(".widget-readout")


def _set_slider(page, explorer, description: str, value: int):
    """Type a value into the slider's readout, as a person can, and press Enter."""
    readout = _readout(page, explorer, description)
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(str(value))
    page.keyboard.press("Enter")


# An explorer's picture: one <img> (an ipywidgets.Image) whose source is replaced on every change.
PICTURE = "img.cnn-picture"


def _picture(explorer) -> str:
    img = explorer.locator(PICTURE)
    return img.first.get_attribute("src") if img.count() else ""


def _wait_new_picture(page, explorer, before):
    page.wait_for_function(
        "([el, before]) => { const out = el.querySelector('.widget-output');"
        " const img = el.querySelector('img.cnn-picture');"
        " return (img && img.getAttribute('src') !== before && img.complete)"
        "   || (out && /Traceback|Error|explorer-message/.test(out.innerHTML)); }",
        arg=[explorer.element_handle(), before],
        timeout=60_000,
    )


def _scroll_to_top(page, index: int):
    """Put the explorer of cell `index` at the top of the notebook panel (what the instructor scrolls to)."""
    page.evaluate(
        """async (i) => {
      const nb = window.jupyterapp.shell.currentWidget.content;
      nb.activeCellIndex = i;
      nb.mode = 'command';
      await nb.scrollToItem(i, 'start');
      const out = nb.widgets[i].node.querySelector('.widget-interact') || nb.widgets[i].node;
      let scroller = out.parentElement;
      while (scroller && !(scroller.scrollHeight > scroller.clientHeight
                           && ['auto', 'scroll'].includes(getComputedStyle(scroller).overflowY))) {
        scroller = scroller.parentElement;
      }
      if (scroller) scroller.scrollTop += out.getBoundingClientRect().top - scroller.getBoundingClientRect().top - 4;
    }""",
        index,
    )
    settled(page)


def settled(page):
    """Wait until the page has laid out and painted what the last action changed: two animation frames."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


# Sizes an instructor cares about: the explorer on screen, its text, the picture's scale.
MEASURE = """(el) => {
  const r = el.getBoundingClientRect();
  const img = el.querySelector('img.cnn-picture');
  const labels = [...el.querySelectorAll(
      '.widget-label, .widget-readout, select, .widget-toggle-button, .widget-inline-hbox label')]
    .filter(n => n.offsetParent).map(n => parseFloat(getComputedStyle(n).fontSize));
  return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width, height: r.height,
          viewport: [window.innerWidth, window.innerHeight],
          image: img ? {shown: img.getBoundingClientRect().width, natural: img.naturalWidth,
                        bottom: img.getBoundingClientRect().bottom} : null,
          control_font_px_min: Math.min(...labels), control_font_px_max: Math.max(...labels)};
}"""


def _explorer_text_px(page, m):
    """The smallest text of the explorer's picture on screen: font pt × dpi / 72, times the display scale."""
    s = json.loads(
        page.evaluate("""async () => {
      const k = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
      let text = '';
      const code = 'import helpers.widgets as _w, json; '
                   + 'print(json.dumps({"pt": _w.scale().font_pt, "dpi": _w.scale().dpi}))';
      const f = k.requestExecute({code, silent: false, store_history: false});
      f.onIOPub = msg => { if (msg.header.msg_type === 'stream') text += msg.content.text; };
      await f.done;
      return text;
    }""")
    )
    return s["pt"] * s["dpi"] / 72 * m["image"]["shown"] / m["image"]["natural"]


def _kernel_run(page, code: str):
    page.evaluate(
        """async (code) => {
      const k = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
      await k.requestExecute({code, store_history: false}).done;
    }""",
        code,
    )


def _presenter_key_sequence(page):
    """What the instructor presses (README, instructor's guide): Ctrl+B hides the file browser,
    Ctrl+Shift+D gives the Simple Interface, then View → Appearance → Presentation Mode."""
    page.locator(".jp-NotebookPanel:visible .jp-Notebook").first.click(position={"x": 5, "y": 5})
    page.keyboard.press("Escape")
    page.keyboard.press("Control+b")
    page.keyboard.press("Control+Shift+d")
    page.locator(".lm-MenuBar-itemLabel", has_text="View").click()
    try:
        page.locator(".lm-Menu .lm-Menu-itemLabel", has_text="Appearance").first.hover(timeout=10_000)
        page.locator(".lm-Menu .lm-Menu-itemLabel", has_text="Presentation Mode").first.click(timeout=10_000)
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "menu-failed.png"))
        raise
    page.wait_for_function("() => window.jupyterapp.shell.presentationMode", timeout=10_000)


@pytest.mark.parametrize(
    "notebook, slider, value",
    [
        ("00_start_here.ipynb", "index", 5),
        ("02_convolution.ipynb", "stride", 2),
        ("03_edge_filters.ipynb", None, None),
        ("04_pooling.ipynb", "size", 3),
    ],
)
def test_explorers_in_a_real_browser(lab, browser, measurements, notebook, slider, value):
    url, token = lab
    stem = Path(notebook).stem
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page_errors = []
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    page.goto(f"{url}/lab/tree/{notebook}?reset&token={token}")  # reset: no tabs restored from another test
    page.wait_for_function(
        "() => window.jupyterapp && window.jupyterapp.shell.currentWidget "
        "&& window.jupyterapp.shell.currentWidget.sessionContext",
        timeout=90_000,
    )
    page.wait_for_function(
        "() => window.jupyterapp.shell.currentWidget.sessionContext.session "
        "&& window.jupyterapp.shell.currentWidget.sessionContext.session.kernel",
        timeout=90_000,
    )
    page.wait_for_function("() => window.jupyterapp.shell.currentWidget.content.widgets.length > 0")
    cells = page.evaluate(EXPLORER_CELLS)
    assert cells, f"{notebook}: no cell with an explorer in its stored output"

    # Fresh open, nothing run: the static picture, not widget text or an error.
    for i in cells:
        node = page.evaluate(
            "(i) => { const n = window.jupyterapp.shell.currentWidget.content.widgets[i].node"
            ".querySelector('.jp-OutputArea'); return {img: !!n.querySelector('img'),"
            " text: n.innerText}; }",
            i,
        )
        assert node["img"] and "interactive(children" not in node["text"] and "Error" not in node["text"], (
            f"{notebook}, cell {i}: no static picture before the cell runs ({node['text'][:200]!r})"
        )
    _scroll_to_top(page, cells[0])
    page.screenshot(path=str(ARTIFACTS / f"{stem}-fresh-open.png"))

    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(NOTEBOOK_DONE, timeout=300_000, polling=1000)
    explorer = page.locator(".jp-NotebookPanel:visible .widget-interact").first
    explorer.wait_for(state="attached", timeout=30_000)
    page.wait_for_function(
        "(el) => el.querySelector('img.cnn-picture[src]')", arg=explorer.element_handle(), timeout=30_000
    )
    record = measurements.setdefault(stem, {})
    # Without jupyter/overrides.json a toast asks "Would you like to get notified about official Jupyter news?"
    # a few seconds after the page opens, over the explorer's colour bar.
    assert page.locator(".Toastify__toast", has_text="news").count() == 0, "JupyterLab asks about news"

    # The laptop: 1366×768, the default scale.
    _scroll_to_top(page, cells[0])
    m = page.evaluate(MEASURE, explorer.element_handle())
    m["figure_text_px_min"] = _explorer_text_px(page, m)
    record["1366x768"] = m
    page.screenshot(path=str(ARTIFACTS / f"{stem}-explorer-1366x768.png"))
    assert m["height"] <= 768 - m["top"] + 1, f"the explorer does not fit a 1366×768 screen: {m}"
    assert m["image"]["bottom"] <= 768, f"the picture (and its formula) is below the fold at 1366×768: {m}"
    if slider:
        before = _picture(explorer)
        _set_slider(page, explorer, slider, value)
        _wait_new_picture(page, explorer, before)
        output_text = explorer.locator(".widget-output").inner_text()
        assert "Traceback" not in output_text and "Error" not in output_text, output_text[-2000:]
        assert _picture(explorer) != before, "the explorer's picture did not change"

    # The projector: 1920×1080, the instructor's key sequence, the presenter scale, the explorer run again.
    page.set_viewport_size({"width": 1920, "height": 1080})
    _presenter_key_sequence(page)
    _kernel_run(page, "import helpers.widgets; helpers.widgets.presenter(True)")
    before = _picture(explorer)
    page.evaluate(
        "async (i) => { const app = window.jupyterapp; const nb = app.shell.currentWidget.content;"
        " nb.activeCellIndex = i; await app.commands.execute('notebook:run-cell'); }",
        cells[0],
    )
    page.wait_for_function(
        "() => document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) "
        ".widget-interact.cnn-explorer-presenter img.cnn-picture[src]')",
        timeout=60_000,
    )
    page.wait_for_function(NOTEBOOK_DONE, timeout=60_000, polling=500)
    explorer = page.locator(".jp-NotebookPanel:visible .widget-interact.cnn-explorer-presenter").first
    _scroll_to_top(page, cells[0])
    m = page.evaluate(MEASURE, explorer.element_handle())
    m["figure_text_px_min"] = _explorer_text_px(page, m)
    record["1920x1080"] = m
    page.screenshot(path=str(ARTIFACTS / f"{stem}-explorer-1920x1080.png"))
    assert m["height"] <= 1080 - m["top"] + 1 and m["image"]["bottom"] <= 1080, (
        f"the explorer does not fit a 1920×1080 screen: {m}"
    )
    assert m["control_font_px_min"] >= 16 and m["figure_text_px_min"] >= 16, f"text under 16 px: {m}"

    if stem == "02_convolution":
        record["redraw_ms"] = _time_redraws(page, explorer)
        # Play walks the window: the position moves by itself.
        start = int(_readout(page, explorer, "position").inner_text() or 0)
        explorer.locator(".widget-play button").first.click()
        page.wait_for_function(
            "([el, start]) => { const r = [...el.querySelectorAll('.widget-slider')]"
            ".find(s => s.innerText.includes('position')).querySelector('.widget-readout');"
            " return parseInt(r.innerText) >= start + 2; }",
            arg=[explorer.element_handle(), start],
            timeout=30_000,
        )
        explorer.locator(".widget-play button").nth(1).click()  # pause
        page.screenshot(path=str(ARTIFACTS / f"{stem}-explorer-playing-1920x1080.png"))

    text = "\n".join(page.locator(".jp-NotebookPanel:visible .jp-OutputArea").all_inner_texts())
    assert "Traceback" not in text and "Error displaying widget" not in text
    assert explorer.locator(".explorer-message").count() == 0
    assert not page_errors, page_errors
    page.close()


def _time_redraws(page, explorer, n: int = 12) -> dict:
    """Milliseconds from Enter in the position readout to the new picture on screen, at the presenter scale."""
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
    for k in range(n):
        before = _picture(explorer)
        _set_slider(page, explorer, "position", 40 + 7 * k)
        _wait_new_picture(page, explorer, before)
        page.wait_for_function("(k) => window.__times.length > k", arg=k, timeout=30_000)
    times = page.evaluate("() => window.__times")
    return {"n": len(times), "median": statistics.median(times), "max": max(times), "all": times}


# --- The decks ---------------------------------------------------------------------------------------


def _decks(tmp_path):
    from tools import slides

    if not slides.vendor_ready() and shutil.which("npm") is None:
        pytest.skip("the decks need reveal.js in slides/vendor/ (make slides fetches it once with npm)")
    slides.ensure_vendor()
    out = []
    for name in ("02_convolution", "04_pooling"):
        deck = slides.build(NOTEBOOKS / f"{name}.ipynb")
        copy = slides.SLIDES / f"{name}.test.slides.html"  # beside vendor/, as make slides writes them
        shutil.move(deck, copy)
        out.append(copy)
    return out


def _stills(deck_name: str) -> list[str]:
    """A piece of each explorer still's base64 in the notebook: how the deck's <img> of a still is found."""
    import nbformat

    nb = nbformat.read(NOTEBOOKS / f"{deck_name.split('.')[0]}.ipynb", as_version=4)
    return [
        out["data"]["image/png"][400:480]
        for cell in nb.cells
        for out in cell.get("outputs", [])
        if "application/vnd.jupyter.widget-view+json" in out.get("data", {}) and "image/png" in out["data"]
    ]


def test_two_decks_open_with_every_network_request_blocked(browser, tmp_path, measurements):
    from helpers.explorer import STILL
    from tools import slides

    decks = _decks(tmp_path)
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    attempted = []

    def guard(route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            attempted.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    result = {}
    try:
        for deck in decks:
            page = context.new_page()
            errors = []
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            page.goto(deck.as_uri())
            page.wait_for_selector(".reveal.ready", state="attached", timeout=60_000)
            page.evaluate("""async () => {  // fonts loaded and the formulas typeset, then one frame painted
              await document.fonts.ready;
              if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
              if (window.MathJax && MathJax.Hub) await new Promise(r => MathJax.Hub.Queue(r));
              await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
            }""")
            slides_info = page.evaluate(
                """(stills) => {
              const out = [];
              const sections = [...document.querySelectorAll('.reveal .slides section')]
                .filter(s => !s.querySelector('section'));
              for (const s of sections) {
                const cs = getComputedStyle(s);
                const wide = [...s.querySelectorAll('pre')].filter(p => p.scrollWidth > p.clientWidth + 2).length;
                const tall = s.scrollHeight > s.clientHeight + 2;
                const stack = s.parentElement.closest('section');  // a vertical stack's slide: its stack too
                const display = s.style.display, stackDisplay = stack && stack.style.display;
                s.style.display = 'block';  // a slide not shown now has no height
                if (stack) stack.style.display = 'block';
                const height = s.scrollHeight;
                const stretched = [...s.querySelectorAll('img')].filter(i => i.naturalWidth
                  && i.getBoundingClientRect().width > 0 && i.offsetWidth > i.naturalWidth + 1).length;
                const widths = [...s.querySelectorAll('img')].map(i => i.naturalWidth);
                // an explorer's still: its width on the slide over its own (1: not shrunk, its text as drawn)
                const still = [...s.querySelectorAll('img')].filter(i => stills.some(p => i.src.includes(p)))
                  .map(i => i.offsetWidth / i.naturalWidth);
                s.style.display = display;
                if (stack) stack.style.display = stackDisplay;
                out.push({wide, scrollable: !tall || ['auto', 'scroll'].includes(cs.overflowY),
                          imgs: s.querySelectorAll('img').length, height, stretched, widths, still,
                          widgetText: /interactive\\(children/.test(s.innerText)});
              }
              return out;
            }""",
                _stills(deck.name),
            )
            page.screenshot(path=str(ARTIFACTS / f"{deck.stem}-first-slide.png"))
            result[deck.name] = {
                "slides": len(slides_info),
                "clipped_code": sum(s["wide"] for s in slides_info),
                "not_scrollable": sum(not s["scrollable"] for s in slides_info),
                "widget_text": sum(s["widgetText"] for s in slides_info),
                "tallest_px": max(s["height"] for s in slides_info),
                "stretched_pictures": sum(s["stretched"] for s in slides_info),
                "picture_widths": sorted({w for s in slides_info for w in s["widths"]}),
                # the still's smallest text on the 1280-px slide: 13 pt at STILL's dpi, times its shrink
                "still_text_px": [
                    round(STILL.font_pt * STILL.dpi / 72 * f, 1) for s in slides_info for f in s["still"]
                ],
            }
            # Drawn for a 1280×720 slide: no slide much taller than two screens, no picture stretched.
            assert result[deck.name]["tallest_px"] <= 2 * slides.HEIGHT, result
            assert result[deck.name]["stretched_pictures"] == 0, result
            assert result[deck.name]["clipped_code"] == 0, result
            assert result[deck.name]["not_scrollable"] == 0, result
            assert result[deck.name]["widget_text"] == 0, "an explorer slide shows widget text, not its picture"
            assert len(result[deck.name]["still_text_px"]) == len(_stills(deck.name)) == 1, result
            assert min(result[deck.name]["still_text_px"]) >= 20, result
            assert not errors, errors
            page.close()
    finally:
        context.close()
        for deck in decks:
            deck.unlink(missing_ok=True)
    result["attempted_requests"] = attempted
    measurements["decks"] = result
    assert attempted == [], f"the decks tried to fetch {attempted}"
