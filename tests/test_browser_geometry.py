"""Every state of every explorer readable (issue 26): in Chromium, each explorer of 02, 03, 04 and 07 is walked
through its presets, its messages and the extreme values of its sliders, and after every step every control is
measured in the page: its label and its number visible, not cut, inside its own box, inside the notebook's visible
width, and no control overlapping another. At the laptop scale on a 1366×768 screen and at the presenter scale on a
1920×1080 screen in JupyterLab's Presentation Mode; with the file browser open and closed; in both editions.

The explorers are built in one scratch notebook with the notebooks' own names for images and kernels (the longest
texts are what breaks a layout; a test below checks that the names are still the notebooks'). Screenshots of a
few states go to test-artifacts/; the case count and any problem to test-artifacts/geometry-<edition>-<scale>.json.
"""

import importlib
import json
import re
import shutil

import pytest
from browser_support import ARTIFACTS, NOTEBOOK_DONE, ROOT, jupyterlab, needs_chromium

pytestmark = needs_chromium
# Chromium, as tests/test_browser.py starts it (its fixture, shared as tests/test_browser_explain.py shares it)
browser = importlib.import_module("test_browser").browser

# The explorers' inputs, named as in the notebooks of each edition.
NAMES = {
    "en": {
        "conv_images": ["digit 4", "digit 8", "photo (camera, 48×48)"],
        "conv_kernels": [
            "slide kernel",
            "sharpen",
            "vertical edges (Sobel x)",
            "horizontal edges (Sobel y)",
            "Laplacian",
        ],
        "filter_images": ["a 4", "an 8", "camera (96×96)"],
        "filter_extra": "slide's 'vertical' (wrong)",
        "pool_map": "{name} on a {label}",
    },
    "ru": {
        "conv_images": ["цифра 4", "цифра 8", "фото (camera, 48×48)"],
        "conv_kernels": [
            "со слайда",
            "повышение резкости",
            "вертикальные границы (Собель x)",
            "горизонтальные границы (Собель y)",
            "лапласиан",
        ],
        "filter_images": ["четвёрка", "восьмёрка", "фото (camera, 96×96)"],
        "filter_extra": "«вертикальное» со слайда (неверное)",
        "pool_map": "{name}, цифра {label}",
    },
}
SOURCES = {"conv": "02_convolution", "filter": "03_edge_filters", "pool": "04_pooling"}

SETUP = """\
import numpy as np
import helpers
from helpers import tr
from helpers.conv import conv2d
from helpers.data import load_mnist
from helpers.explain_widgets import fgsm_explorer, occlusion_explorer
from helpers.explorer import presenter
from helpers.filters import NAMES, kernel, relu
from helpers.train import trained_lecture_cnn
from helpers.widgets import conv_explorer, filter_explorer, pool_explorer
from skimage import data, transform

helpers.set_language({lang!r})
presenter({presenter})
names = {names!r}
images, labels = load_mnist("test")
four, eight, five = images[4] / 1.0, images[61] / 1.0, images[8] / 255
sobel_x = np.array([[1.0, 0, -1], [2, 0, -2], [1, 0, -1]])
cnn, _ = trained_lecture_cnn(progress=False)
"""
EXPLORERS = [
    """conv_explorer(
    images=dict(zip(names["conv_images"], [four, eight, transform.resize(data.camera(), (48, 48)) * 255])),
    kernels=dict(zip(names["conv_kernels"], [[[1, 2, 3], [-4, 7, 4], [2, -5, 1]],
                                              [[0, -1, 0], [-1, 5, -1], [0, -1, 0]], sobel_x, sobel_x.T,
                                              [[0, 1, 0], [1, -4, 1], [0, 1, 0]]])))""",
    """filter_explorer(
    dict(zip(names["filter_images"], [four, eight, transform.resize(data.camera(), (96, 96)) * 255])),
    {name: kernel(name) for name in NAMES} | {names["filter_extra"]: -sobel_x})""",
    """pool_explorer({names["pool_map"].format(name=tr(name), label=labels[8]):
                  relu(conv2d(five, kernel(name), padding=1))
               for name in ("prewitt x", "sobel y", "vertical line", "laplacian")})""",
    "occlusion_explorer(cnn, images, labels, indices=[0, 1, 2, 3, 4, 7, 9, 18])",
    "fgsm_explorer(cnn, images, labels, indices=[0, 1, 2, 3, 4, 7, 9, 18])",
]


def _steps(lang: str) -> list[list[tuple]]:
    """For each explorer, the changes walked through: (kind, control label, value). Labels and menu entries are
    the reader's (helpers.i18n)."""
    import helpers
    from helpers.filters import NAMES as FILTER_NAMES
    from helpers.i18n import tr

    helpers.set_language(lang)
    try:
        n = NAMES[lang]
        size, stride, padding, dilation = tr("size"), tr("stride"), tr("padding"), tr("dilation")
        conv = [("select", tr("kernel"), k) for k in n["conv_kernels"][1:]] + [
            ("select", tr("kernel"), tr("box blur")),
            ("slider", size, 7),  # the 7×7 kernel: the grid's line grows longer
            ("slider", dilation, 5),  # 31 > 28 + 2: a message
            ("slider", padding, 0),
            ("slider", padding, 3),
            ("slider", tr("position"), 999),  # past the end: the last window
            ("slider", stride, 4),
            ("select", tr("image"), n["conv_images"][2]),
            ("slider", dilation, 1),
            ("slider", size, 1),
            ("select", tr("kernel"), tr("identity")),
            ("select", tr("kernel"), n["conv_kernels"][0]),  # a 3×3 kernel at size 1: a message
        ]
        filt = [("select", tr("kernel"), tr(k)) for k in FILTER_NAMES[1:]] + [
            ("select", tr("kernel"), n["filter_extra"]),
            ("select", tr("image"), n["filter_images"][2]),
        ]
        pool = [
            ("toggle", tr("kind"), tr("average")),
            ("slider", size, 6),
            ("slider", stride, 1),
            ("slider", padding, 3),
            ("slider", size, 1),  # padding 3 > half of 1: a message
            ("slider", padding, 0),
            ("slider", stride, 6),
            ("select", tr("activation map"), n["pool_map"].format(name=tr("laplacian"), label=5)),
        ]
        occlusion = [
            ("slider", tr("patch size"), 3),
            ("slider", tr("stride"), 7),  # larger than the patch: a message
            ("slider", tr("patch size"), 14),
            ("slider", tr("stride"), 1),
        ]
        fgsm = [("fslider", tr("ε"), 0.3), ("fslider", tr("ε"), 0.0)]
        return [conv, filt, pool, occlusion, fgsm]
    finally:
        helpers.set_language("en")


# One explorer's geometry: what a reader cannot see or read. Each problem is a short line.
GEOMETRY = """(el) => {
  const problems = [];
  const panel = el.closest('.jp-NotebookPanel').getBoundingClientRect();
  const right = Math.min(panel.right, window.innerWidth) + 1;
  const inside = (a, b) => a.left >= b.left - 1 && a.right <= b.right + 1
                           && a.top >= b.top - 1 && a.bottom <= b.bottom + 1;
  const shown = e => { const s = getComputedStyle(e); const r = e.getBoundingClientRect();
    return s.visibility !== 'hidden' && s.display !== 'none' && r.width > 0 && r.height > 0; };
  const name = e => (e.innerText || e.value || e.className).toString().trim().slice(0, 40);
  const controls = [...el.querySelectorAll(
    '.widget-slider, .widget-dropdown, .widget-toggle-buttons, .widget-play, .widget-text')]
    .filter(c => shown(c) && !c.parentElement.closest('.widget-slider, .widget-dropdown, .widget-toggle-buttons'));
  for (const c of controls) {
    const box = c.getBoundingClientRect();
    if (box.right > right)
      problems.push(`"${name(c)}" reaches past the visible notebook (${box.right | 0} > ${right | 0} px)`);
    for (const part of c.querySelectorAll('.widget-label, .widget-readout, button')) {
      const readout = part.classList.contains('widget-readout');
      if (!shown(part)) { if (readout) problems.push(`"${name(c)}": its number is hidden`); continue; }
      const r = part.getBoundingClientRect();
      const text = (part.innerText || '').trim();
      if (readout && (!text || r.width < 8)) problems.push(`"${name(c)}": its number is not shown`);
      if (text && part.scrollWidth > part.clientWidth + 1)
        problems.push(`"${text}" is cut (${part.scrollWidth} > ${part.clientWidth} px)`);
      if (!inside(r, box)) problems.push(`"${text}" sticks out of its control`);
    }
    for (const select of c.querySelectorAll('select')) {
      const s = getComputedStyle(select), ctx = document.createElement('canvas').getContext('2d');
      ctx.font = `${s.fontSize} ${s.fontFamily}`;
      const text = select.options[select.selectedIndex] ? select.options[select.selectedIndex].text : '';
      const room = select.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
      if (ctx.measureText(text).width > room + 1) problems.push(`menu entry "${text}" is cut`);
    }
  }
  for (let i = 0; i < controls.length; i++) for (let j = i + 1; j < controls.length; j++) {
    const a = controls[i].getBoundingClientRect(), b = controls[j].getBoundingClientRect();
    const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
    const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    if (w > 1 && h > 1 && !controls[i].contains(controls[j]) && !controls[j].contains(controls[i]))
      problems.push(`"${name(controls[i])}" overlaps "${name(controls[j])}"`);
  }
  return {problems, controls: controls.length};
}"""


def _notebook(lang: str, presenter: bool) -> dict:
    cells = [SETUP.format(lang=lang, presenter=presenter, names=NAMES[lang])] + EXPLORERS
    return {
        "cells": [
            {"cell_type": "code", "metadata": {}, "source": s, "outputs": [], "execution_count": None, "id": f"c{i}"}
            for i, s in enumerate(cells)
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def test_the_names_are_the_notebooks():
    """The scratch notebook's names for images and kernels are the notebooks' own, in each edition."""
    for lang, names in NAMES.items():
        folder = ROOT / "notebooks" / ("ru" if lang == "ru" else "")
        for kind, stem in SOURCES.items():
            text = "".join("".join(c["source"]) for c in json.loads((folder / f"{stem}.ipynb").read_text())["cells"])
            for key, value in names.items():
                if key.startswith(kind):
                    for v in [value] if isinstance(value, str) else value:
                        for piece in filter(None, re.split(r"\{[^}]*\}", v)):  # the text around placeholders
                            assert piece in text, f"{lang}/{stem} no longer names {v!r}"


SCREENS = {False: (1366, 768), True: (1920, 1080)}


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("geometry")
    (root / "notebooks").mkdir()
    for lang in NAMES:
        for presenter in SCREENS:
            path = root / "notebooks" / f"geometry-{lang}-{'presenter' if presenter else 'laptop'}.ipynb"
            path.write_text(json.dumps(_notebook(lang, presenter)))
    app_settings = root / "app-settings"
    app_settings.mkdir()
    shutil.copy(ROOT / "jupyter" / "overrides.json", app_settings / "overrides.json")
    with jupyterlab(root, "geometry", [f"--LabApp.app_settings_dir={app_settings}"], timeout=90) as url:
        yield url


def _act(page, el, kind, label, value):
    """One change, as a person makes it; returns when the explorer has drawn again (a picture or a message)."""
    page.evaluate(
        "(el) => { if (window.__seen) window.__seen.disconnect(); window.__drawn = 0;"
        " window.__seen = new MutationObserver(() => window.__drawn++);"
        " window.__seen.observe(el, {childList: true, subtree: true, attributes: true, attributeFilter: ['src']}); }",
        el.element_handle(),
    )
    if kind == "select":
        menu = el.locator(".widget-dropdown").filter(has=page.locator("label", has_text=label)).first
        menu.locator("select").select_option(label=value)
    elif kind == "toggle":
        el.locator(".widget-toggle-buttons button", has_text=value).first.click()
    else:
        slider = el.locator(".widget-slider").filter(has=page.locator(".widget-label", has_text=label)).first
        readout = slider.locator(".widget-readout")
        readout.click()
        page.keyboard.press("Control+A")
        page.keyboard.type(str(value))
        page.keyboard.press("Enter")
    page.wait_for_function(
        "(el) => { const img = el.querySelector('img.cnn-picture');"
        " return window.__drawn > 0"
        "   && ((img && img.complete && img.offsetParent) || el.querySelector('.explorer-message'))"
        "   && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle'; }",
        arg=el.element_handle(),
        timeout=30_000,
    )


def _sidebar(page, open_: bool):
    page.evaluate(
        "(open) => { const s = window.jupyterapp.shell;"
        " if (open) s.activateById('filebrowser'); else s.collapseLeft(); }",
        open_,
    )
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


@pytest.mark.parametrize(
    "lang, presenter",
    [
        pytest.param(lang, presenter, id=f"{lang}-{name}")
        for presenter, name in ((False, "1366-laptop"), (True, "1920-presenter"))
        for lang in ("en", "ru")
    ],
)
def test_every_state_of_every_explorer_shows_every_control(browser, lab, lang, presenter):
    width, height = SCREENS[presenter]
    page = browser.new_page(viewport={"width": width, "height": height})
    name = f"geometry-{lang}-{'presenter' if presenter else 'laptop'}"
    page.goto(f"{lab}/lab/tree/{name}.ipynb?reset&token=geometry")  # reset: no tab restored from the last test
    page.wait_for_function(
        "() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
        " return w && w.sessionContext && w.sessionContext.isReady && w.sessionContext.session"
        "   && w.sessionContext.session.kernel && w.sessionContext.session.kernel.status === 'idle'"
        "   && w.content.widgets.length > 0; }",
        timeout=90_000,
    )
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(NOTEBOOK_DONE, timeout=180_000, polling=500)
    if presenter:
        page.evaluate("() => window.jupyterapp.commands.execute('application:toggle-presentation-mode')")
    page.wait_for_selector(".widget-interact img.cnn-picture[src]", timeout=60_000)
    explorers = page.locator(".widget-interact")
    assert explorers.count() == len(EXPLORERS)
    cases, problems, sidebar = 0, [], None
    for k, steps in enumerate(_steps(lang)):
        el = explorers.nth(k)
        for step in [None, *steps]:
            if step:
                _act(page, el, *step)
            el.scroll_into_view_if_needed()
            # Both file-browser states for every state of the explorer; the one it is in first (one toggle each).
            for open_ in (sidebar is not False, sidebar is False):
                if open_ is not sidebar:
                    _sidebar(page, open_)
                    sidebar = open_
                found = page.evaluate(GEOMETRY, el.element_handle())
                cases += 1
                where = f"explorer {k + 1}, after {step or 'opening'}, file browser {'open' if open_ else 'closed'}"
                problems += [f"{where}: {p}" for p in found["problems"]]
                if found["problems"] and len(problems) <= 20:
                    ARTIFACTS.mkdir(exist_ok=True)
                    el.screenshot(path=str(ARTIFACTS / f"{name}-problem-{len(problems)}.png"))
            if step is None or step == steps[-1]:
                ARTIFACTS.mkdir(exist_ok=True)
                el.screenshot(path=str(ARTIFACTS / f"{name}-explorer{k + 1}-{'last' if step else 'first'}.png"))
    text = "\n".join(page.locator(".jp-OutputArea").all_inner_texts())
    assert "Traceback" not in text and "Error displaying widget" not in text
    ARTIFACTS.mkdir(exist_ok=True)
    record = {"cases": cases, "problems": problems}  # one file per test: two workers may write at once
    (ARTIFACTS / f"{name}.json").write_text(json.dumps(record, indent=1, ensure_ascii=False))
    page.close()
    assert not problems, "\n".join(problems[:30])
