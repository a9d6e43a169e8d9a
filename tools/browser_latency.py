"""How long an explorer takes to answer, as the room sees it: JupyterLab in Chromium at 1920×1080, the presenter scale
(`CNN_PRESENTER=1`) and Presentation Mode, a fresh kernel and Run All, then every control of every explorer moved in
turn, the first move after Run All included. A time runs from the change (Enter in a slider's number, a menu choice,
a button's click) to the new picture loaded in the page and one animation frame later (or the message that replaces
it). Then ▶ at its top speed: pictures per second.

    python -m tools.browser_latency [--edition en|ru] [NN_name ...]     (issue 26's table; a tool, not a test)

Writes test-artifacts/latency-<edition>.json and prints a table per explorer and control: n, first, median, max (ms).
Needs Chromium (Debian's `chromium`) and the test set-up (`make .venv/.installed-test`).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser_support import ARTIFACTS, NOTEBOOK_DONE, jupyterlab, launch_chromium  # noqa: E402

from tools.browser_times import KERNEL_READY  # noqa: E402

# Each explorer's moves: (kind, which control of that kind in the explorer, value), the order an instructor might use.
# Controls are found by kind and order, not by label, so the same plan runs in both editions.
_POSITION = [("slider", 4, v) for v in (40, 47, 54, 61, 68, 75, 82, 89)]
PLANS = {
    "00_start_here": [[("slider", 0, v) for v in (5, 17, 120, 3, 999, 42, 7, 64)]],
    "02_convolution": [
        [
            _POSITION[0],
            ("slider", 1, 2),  # stride
            ("slider", 2, 0),  # padding
            ("slider", 0, 5),  # size
            ("select", 1, 3),  # kernel preset
            ("select", 0, 1),  # image
            ("slider", 3, 2),  # dilation
            _POSITION[1],
            ("slider", 1, 1),
            ("slider", 2, 2),
            ("slider", 0, 7),
            ("select", 1, 0),
            ("select", 0, 2),
            ("slider", 3, 1),
            _POSITION[2],
            ("slider", 1, 3),
            ("slider", 2, 1),
            ("slider", 0, 3),
            ("select", 1, 5),
            ("select", 0, 0),
            ("slider", 3, 3),
            _POSITION[3],
            ("text", 0, 2),  # a cell of the 3×3 grid
            ("text", 4, -1),
            ("slider", 1, 1),
            ("slider", 3, 1),
            ("select", 1, 1),
            *_POSITION[4:],
        ]
    ],
    "03_edge_filters": [
        [
            ("select", 1, 2),
            ("select", 0, 1),
            ("select", 1, 4),
            ("text", 0, 3),
            ("select", 0, 2),
            ("select", 1, 0),
            ("text", 4, -2),
            ("select", 0, 0),
            ("select", 1, 6),
            ("select", 1, 1),
        ]
    ],
    "04_pooling": [
        [
            ("slider", 0, 3),  # size
            ("toggle", 1, None),  # average
            ("slider", 1, 1),  # stride
            ("select", 0, 1),
            ("slider", 2, 1),  # padding
            ("toggle", 0, None),
            ("slider", 0, 4),
            ("slider", 1, 3),
            ("select", 0, 2),
            ("slider", 2, 0),
            ("toggle", 1, None),
            ("slider", 0, 2),
            ("slider", 1, 2),
            ("select", 0, 0),
            ("toggle", 0, None),
        ]
    ],
    "07_what_it_looks_at": [
        [
            ("slider", 0, 10),  # patch size
            ("slider", 1, 4),  # stride
            ("select", 0, 1),
            ("slider", 0, 14),
            ("slider", 1, 2),
            ("select", 0, 3),
            ("slider", 0, 5),
            ("slider", 1, 5),
            ("select", 0, 0),
            ("slider", 0, 12),
            ("slider", 1, 3),
        ],
        [("slider", 0, v) for v in (0.05, 0.1, 0.15, 0.2)]
        + [("select", 0, 2), ("slider", 0, 0.25), ("select", 0, 4), ("slider", 0, 0.3), ("select", 0, 0)]
        + [("slider", 0, v) for v in (0.12, 0.18, 0.02)],
    ],
}
NAMES = {  # what the table calls each control, by (kind, index) per explorer
    "00_start_here": [{("slider", 0): "index"}],
    "02_convolution": [
        {
            ("slider", 0): "size",
            ("slider", 1): "stride",
            ("slider", 2): "padding",
            ("slider", 3): "dilation",
            ("slider", 4): "position",
            ("select", 0): "image",
            ("select", 1): "kernel",
            ("text", 0): "kernel cell",
            ("text", 4): "kernel cell",
        }
    ],
    "03_edge_filters": [
        {("select", 0): "image", ("select", 1): "kernel", ("text", 0): "kernel cell", ("text", 4): "kernel cell"}
    ],
    "04_pooling": [
        {
            ("slider", 0): "size",
            ("slider", 1): "stride",
            ("slider", 2): "padding",
            ("select", 0): "map",
            ("toggle", 0): "kind",
            ("toggle", 1): "kind",
        }
    ],
    "07_what_it_looks_at": [
        {("slider", 0): "patch size", ("slider", 1): "stride", ("select", 0): "digit"},
        {("slider", 0): "ε", ("select", 0): "digit"},
    ],
}
EXPLORER_NAMES = {
    "00_start_here": ["digit browser"],
    "02_convolution": ["convolution"],
    "03_edge_filters": ["filters"],
    "04_pooling": ["pooling"],
    "07_what_it_looks_at": ["occlusion", "FGSM"],
}

# The picture is the largest image in the explorer; a message replaces it. The clock starts in the capture phase of
# the event the widget itself listens to, before the widget sees it.
WATCH = """(el) => {
  const picture = () => [...el.querySelectorAll('img')].filter(i => i.offsetParent)
      .sort((a, b) => b.width * b.height - a.width * a.height)[0];
  const message = () => el.querySelector('.explorer-message');
  const state = window.__latency = {t0: null, times: [], seen: [], src: null, msg: null};
  const start = () => { const p = picture(); state.src = p ? p.src : null; state.msg = message();
                        state.t0 = performance.now(); };
  el.addEventListener('keydown', e => { if (e.key === 'Enter') start(); }, true);
  el.addEventListener('change', e => { if (e.target.tagName === 'SELECT') start(); }, true);
  el.addEventListener('click', e => { if (e.target.closest('.widget-toggle-button')) start(); }, true);
  const check = () => {
    if (state.t0 === null) return;
    const p = picture(), m = message();
    const t0 = state.t0;
    const done = () => { state.times.push(performance.now() - t0); };
    if (m && m !== state.msg) { state.t0 = null; requestAnimationFrame(done); return; }
    if (p && p.src !== state.src) {
      state.t0 = null;
      state.seen.push(performance.now() - t0);
      if (p.complete && p.naturalWidth) requestAnimationFrame(done);
      else p.addEventListener('load', () => requestAnimationFrame(done), {once: true});
    }
  };
  new MutationObserver(check).observe(el, {childList: true, subtree: true, attributes: true,
                                           attributeFilter: ['src', 'style', 'class']});
}"""

PLAY = """async ([el, seconds]) => {
  const picture = () => [...el.querySelectorAll('img')].filter(i => i.offsetParent)
      .sort((a, b) => b.width * b.height - a.width * a.height)[0];
  let seen = 0, last = picture() && picture().src;
  const observer = new MutationObserver(() => {
    const p = picture();
    if (p && p.src !== last) { last = p.src; seen++; }
  });
  observer.observe(el, {childList: true, subtree: true, attributes: true, attributeFilter: ['src']});
  await new Promise(r => setTimeout(r, 1000 * seconds));
  observer.disconnect();
  return seen / seconds;
}"""


def _move(page, explorer, kind: str, index: int, value) -> None:
    if kind == "slider":
        readout = explorer.locator(".widget-slider .widget-readout").nth(index)
        readout.click()
        page.keyboard.press("Control+A")
        page.keyboard.type(str(value))
        page.keyboard.press("Enter")
    elif kind == "select":
        explorer.locator("select").nth(index).select_option(index=value)
    elif kind == "toggle":
        explorer.locator(".widget-toggle-button").nth(index).click()
    elif kind == "text":
        box = explorer.locator(".widget-text input").nth(index)
        box.click()
        page.keyboard.press("Control+A")
        page.keyboard.type(str(value))
        page.keyboard.press("Enter")
    else:
        raise ValueError(f"kind must be slider, select, toggle or text, got {kind!r}")


def measure(names=(), edition: str = "en", play_seconds: float = 4.0) -> dict:
    from playwright.sync_api import sync_playwright

    # tests/test_browser.py's page helpers (a test module, loaded by name as tests/test_browser_explain.py does)
    shared = importlib.import_module("test_browser")
    EXPLORER_CELLS, _presenter_key_sequence, _scroll_to_top = (
        shared.EXPLORER_CELLS,
        shared._presenter_key_sequence,
        shared._scroll_to_top,
    )

    root = Path(tempfile.mkdtemp(prefix="browser-latency-"))
    shutil.copytree(ROOT / "notebooks", root / "notebooks", ignore=shutil.ignore_patterns("homework", "*.log"))
    folder = root / "notebooks" / ("ru" if edition == "ru" else "")
    env = {**os.environ, "CNN_PRESENTER": "1"}
    results: dict = {}
    with jupyterlab(root, "latency", env=env, timeout=120) as url, sync_playwright() as p:
        browser = launch_chromium(p)
        for stem, plans in PLANS.items():
            if names and stem not in names:
                continue
            path = next(folder.glob(f"{stem}.ipynb"))
            rel = path.relative_to(root / "notebooks").as_posix()
            page = browser.new_page(viewport={"width": 1920, "height": 1080})
            page.goto(f"{url}/lab/tree/{rel}?reset&token=latency")
            page.wait_for_function(KERNEL_READY, timeout=120_000, polling=200)
            _presenter_key_sequence(page)
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
            page.wait_for_function(NOTEBOOK_DONE, timeout=900_000, polling=250)
            cells = page.evaluate(EXPLORER_CELLS)
            assert len(cells) == len(plans), f"{rel}: {len(cells)} explorers, the plan has {len(plans)}"
            for n, (cell, plan) in enumerate(zip(cells, plans)):
                name = EXPLORER_NAMES[stem][n]
                explorer = page.locator(".jp-NotebookPanel:visible .widget-interact").nth(n)
                _scroll_to_top(page, cell)
                page.evaluate(WATCH, explorer.element_handle())
                rows: dict[str, list[float]] = {}
                for k, (kind, index, value) in enumerate(plan):
                    _move(page, explorer, kind, index, value)
                    page.wait_for_function("(k) => window.__latency.times.length > k", arg=k, timeout=30_000)
                    t = page.evaluate("(k) => window.__latency.times[k]", k)
                    rows.setdefault(NAMES[stem][n][(kind, index)], []).append(t)
                    if k == 0:
                        first = t
                    page.wait_for_timeout(150)
                every = [t for ts in rows.values() for t in ts]
                arrived = page.evaluate("() => window.__latency.seen")  # the new picture's bytes in the page
                record = {
                    "first_ms": round(first, 1),
                    "all": {"n": len(every), "median": round(statistics.median(every), 1), "max": round(max(every), 1)},
                    "arrived_median_ms": round(statistics.median(arrived), 1) if arrived else None,
                    "controls": {
                        c: {"n": len(ts), "median": round(statistics.median(ts), 1), "max": round(max(ts), 1)}
                        for c, ts in rows.items()
                    },
                }
                if stem == "02_convolution":  # ▶ at its top speed
                    _move(page, explorer, "slider", 4, 0)
                    _move(page, explorer, "slider", 5, 10)
                    page.wait_for_timeout(500)
                    explorer.locator(".widget-play button").first.click()
                    record["play_at_10_per_s"] = round(
                        page.evaluate(PLAY, [explorer.element_handle(), play_seconds]), 1
                    )
                    explorer.locator(".widget-play button").nth(1).click()
                results[f"{stem} {name}"] = record
                print(_row(f"{stem} {name}", record), flush=True)
            page.evaluate("() => window.jupyterapp.commands.execute('kernelmenu:shutdown')")
            page.close()
        browser.close()
    shutil.rmtree(root, ignore_errors=True)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"latency-{edition}.json").write_text(json.dumps(results, indent=1, ensure_ascii=False))
    return results


def _row(name: str, r: dict) -> str:
    lines = [
        f"{name}: all n={r['all']['n']} first {r['first_ms']:.0f} median {r['all']['median']:.0f} "
        f"max {r['all']['max']:.0f} ms (picture in the page: median {r['arrived_median_ms']} ms)"
        + (f", ▶ at 10: {r['play_at_10_per_s']}/s" if "play_at_10_per_s" in r else "")
    ]
    for c, s in r["controls"].items():
        lines.append(f"    {c:12s} n={s['n']:2d} median {s['median']:6.0f} max {s['max']:6.0f}")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="notebooks by stem, e.g. 02_convolution (default: every explorer)")
    parser.add_argument("--edition", choices=("en", "ru"), default="en")
    args = parser.parse_args(argv)
    t0 = time.monotonic()
    measure(args.names, args.edition)
    print(f"({time.monotonic() - t0:.0f} s)")


if __name__ == "__main__":
    main()
