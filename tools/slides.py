"""`make slides`: one reveal.js deck per notebook in slides/ (git-ignored), that opens with the network off.

nbconvert's slides load reveal.js, jQuery, require.js and MathJax from CDNs, import mermaid from a CDN as
a JavaScript module, and reveal's "simple" theme `@import`s two Google fonts. Here the scripts come from
slides/vendor/, installed once from the npm registry (this step needs Node.js's npm and the network; the
decks it builds then need neither), the theme is "white" (its font ships with reveal.js), the mermaid
import is left out (no notebook draws a mermaid diagram), and every URL a deck or its local style sheets
could fetch (src/href, CSS `@import` and `url()`, module imports) is checked to be local.

The slide is 1280×720. Long code lines wrap; a picture is shown at its own width or, when wider, shrunk to the
slide, never stretched; a section is cut into vertical slides (↓) at each text that follows a code cell, so that a
slide holds one idea (text, code, its picture) and is rarely taller than two screens; a taller one scrolls.
The In/Out prompts are left out, so a picture has the slide's width (1,272 px) to itself. An explorer's slide
shows the static picture of its first view, drawn for this slide (helpers.explorer.STILL: every text 20 px or
more at its own size); the live explorers run in JupyterLab (see the README's instructor's guide).

Both editions: notebooks/NN_name.ipynb gives slides/NN_name.slides.html, notebooks/ru/NN_name.ipynb gives
slides/NN_name.ru.slides.html (beside it, so that both load the same vendor/ folder).

    python -m tools.slides [notebooks/NN_name.ipynb notebooks/ru/NN_name.ipynb ...]
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SLIDES = ROOT / "slides"
VENDOR = SLIDES / "vendor"
#: The versions nbconvert's reveal template was written for (jQuery 2.0.3 is not on npm; 2.2.4 is its
#: compatible successor).
PACKAGES = ["reveal.js@4.0.2", "jquery@2.2.4", "requirejs@2.1.10", "mathjax@2.7.7"]
_MODULES = "vendor/node_modules"
URLS = {
    "reveal_url_prefix": f"{_MODULES}/reveal.js",
    "jquery_url": f"{_MODULES}/jquery/dist/jquery.min.js",
    "require_js_url": f"{_MODULES}/requirejs/require.js",
    "mathjax_url": f"{_MODULES}/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe",
}
THEME = "white"
#: The slide's own size: reveal.js scales it to the screen (×1.5 on a 1920×1080 projector).
WIDTH, HEIGHT = 1280, 720
#: A code cell this many lines long gets a slide to itself: the next code cell starts another.
LONG_CODE = 12
#: Lines of text that fill one 720-px screen of a slide: a section is cut before it grows past two screens.
SCREEN_LINES = 24

# Everything a page or style sheet can fetch by itself (a link in the text is only followed when clicked).
_FETCHES = [
    re.compile(
        r"""<(?:script|link|img|iframe|source|video|audio|embed|object)\b[^>]*?"""
        r"""(?:src|href|data)\s*=\s*["']([^"']+)["']""",
        re.I,
    ),
    re.compile(r"""@import\s+(?:url\()?\s*["']?([^"')\s;]+)""", re.I),
    re.compile(r"""url\(\s*["']?([^"')\s]+)""", re.I),
    re.compile(r"""\bimport\s*(?:[\w{}\s,*]+\sfrom\s*)?\(?\s*["']([^"']+)["']"""),
]
_REMOTE = re.compile(r"^(?:https?:)?//", re.I)
_MERMAID = re.compile(r'<script type="module">\s*import mermaid from [^<]*</script>\s*')

#: Added to every deck: code wraps, pictures fit the slide, a tall slide scrolls, no prompts.
CSS = """<style>
.reveal pre, .reveal code, .reveal .jp-RenderedText pre { white-space: pre-wrap; overflow-wrap: anywhere; }
.reveal pre { font-size: 0.5em; width: 100%; box-shadow: none; }
.reveal .jp-Cell, .reveal .jp-OutputArea-output { max-width: 100%; overflow-x: hidden; }
.reveal img { max-width: 100% !important; width: auto !important; height: auto !important; }
.reveal .slides > section, .reveal .slides > section > section {
  max-height: 100%; overflow-y: auto !important; overflow-x: hidden; }
.reveal table { font-size: 0.7em; }
.reveal .jp-InputPrompt, .reveal .jp-OutputPrompt { display: none; }
.reveal .jp-Cell, .reveal .jp-Cell-inputWrapper, .reveal .jp-Cell-outputWrapper, .reveal .jp-OutputArea-output {
  padding-left: 0; padding-right: 0; margin-left: 0; margin-right: 0; }
</style>
"""


def ensure_vendor() -> None:
    """Install the JavaScript the decks need into slides/vendor/, once."""
    if vendor_ready():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(
            "make slides needs npm (Node.js) once, to fetch reveal.js, jQuery, require.js and "
            "MathJax into slides/vendor/. Install Node.js, or copy slides/vendor/ from a machine "
            "that has built the slides."
        )
    VENDOR.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [npm, "install", "--no-save", "--no-audit", "--no-fund", "--prefix", str(VENDOR), *PACKAGES], check=True
    )


def vendor_ready() -> bool:
    return all((VENDOR / "node_modules" / p.rsplit("@", 1)[0]).exists() for p in PACKAGES)


def fetched_urls(text: str) -> list[str]:
    """Every URL a page, style sheet or script module would fetch by itself (not links in the text)."""
    found = []
    for pattern in _FETCHES:
        found += [m for m in pattern.findall(text) if not m.startswith(("#", "data:", "javascript:"))]
    return list(dict.fromkeys(found))


def remote_urls(text: str) -> list[str]:
    """The URLs among `fetched_urls` that leave the machine (localhost does not count)."""
    return [
        u for u in fetched_urls(text) if _REMOTE.match(u) and not re.match(r"^(?:https?:)?//(?:localhost|127\.)", u)
    ]


def deck_remote_urls(deck: Path) -> list[str]:
    """Remote URLs in a deck and in the local style sheets it loads (followed through `@import`)."""
    remote, seen = [], set()
    todo = [deck]
    while todo:
        path = todo.pop()
        if path in seen or not path.exists():
            continue
        seen.add(path)
        text = path.read_text(encoding="utf-8", errors="replace")
        remote += remote_urls(text)
        for url in fetched_urls(text):
            local = url.split("?")[0].split("#")[0]
            if local.endswith(".css") and not _REMOTE.match(local):
                todo.append((path.parent / local).resolve())
    return remote


def split_sections(nb) -> int:
    """Start a vertical slide (reveal's "subslide") at each markdown cell that follows a code cell inside a
    section, and at a code cell that follows a long one (LONG_CODE lines), so that one slide shows one step: its
    text, its code and what the code drew; and before any cell that would make a slide taller than two screens
    (as `height_in_lines` reckons). Returns how many slides were added. The notebook's own "slide", "skip",
    "fragment" and "notes" marks are kept."""
    added, previous, long_code, lines = 0, None, False, 0
    for cell in nb.cells:
        show = cell.metadata.setdefault("slideshow", {})
        kind = show.get("slide_type", "-")
        after_code = previous == "code" and (cell.cell_type == "markdown" or long_code)
        too_tall = lines and lines + height_in_lines(cell) > SCREEN_LINES * 2
        if kind in ("-", "") and (after_code or too_tall):
            show["slide_type"] = kind = "subslide"
            added += 1
        if kind in ("slide", "subslide"):
            lines = 0
        if kind != "skip":
            previous = cell.cell_type
            long_code = cell.cell_type == "code" and cell.source.count("\n") >= LONG_CODE - 1
            lines += height_in_lines(cell)
    return added


def height_in_lines(cell) -> int:
    """About how tall a cell is on a 1280×720 slide, in lines of text (SCREEN_LINES fill one screen): wrapped
    markdown, code, printed text and pictures (their height in the PNG, shrunk to the slide's width)."""
    import base64
    import struct

    if cell.cell_type == "markdown":
        return 1 + sum(max(1, -(-len(line) // 110)) for line in cell.source.splitlines())
    if cell.cell_type != "code":
        return 0
    total = 1 + cell.source.count("\n") + 1
    for out in cell.get("outputs", []):
        data = out.get("data", {})
        if "image/png" in data:
            head = base64.b64decode(data["image/png"][:44])
            width, height = struct.unpack(">II", head[16:24])
            total += -(-height * min(1, WIDTH / width) // 28)
        elif out.get("output_type") == "stream" or "text/plain" in data:
            text = out.get("text") or data.get("text/plain", "")
            total += min(30, "".join(text).count("\n") + 1)
    return total


def deck_name(notebook: Path) -> str:
    """The deck's file name: NN_name.slides.html, NN_name.ru.slides.html for the Russian edition."""
    return f"{notebook.stem}{'.ru' if notebook.parent.name == 'ru' else ''}.slides.html"


def build(notebook: Path | str) -> Path:
    """Write the deck of a notebook into slides/ (named by `deck_name`), with every script, style and font loaded
    locally."""
    import nbformat
    from nbconvert import SlidesExporter
    from traitlets.config import Config

    notebook = Path(notebook)
    config = Config()
    for name, url in URLS.items():
        setattr(config.SlidesExporter, name, url)
    config.SlidesExporter.reveal_theme = THEME
    config.SlidesExporter.reveal_scroll = True
    config.SlidesExporter.reveal_width = str(WIDTH)
    config.SlidesExporter.reveal_height = str(HEIGHT)
    nb = nbformat.read(notebook, as_version=4)
    split_sections(nb)
    html, _ = SlidesExporter(config=config).from_notebook_node(nb, resources={"metadata": {"name": notebook.stem}})
    html = _MERMAID.sub("", html, count=1)
    html = html.replace("</head>", CSS + "</head>", 1)
    SLIDES.mkdir(exist_ok=True)
    out = SLIDES / deck_name(notebook)
    out.write_text(html, encoding="utf-8")
    # The theme and reveal.css are read from the real vendor folder, wherever the deck is written.
    remote = remote_urls(html) + (
        deck_remote_urls(VENDOR / "node_modules" / "reveal.js" / "dist" / "theme" / f"{THEME}.css")
        if vendor_ready()
        else []
    )
    if remote:
        out.unlink()
        raise RuntimeError(f"{notebook.name}: the deck would load {remote} from the network")
    return out


def main(argv: list[str]) -> int:
    ensure_vendor()
    notebooks = [Path(a) for a in argv] or [
        *sorted((ROOT / "notebooks").glob("*.ipynb")),
        *sorted((ROOT / "notebooks" / "ru").glob("*.ipynb")),
    ]
    for nb in notebooks:
        out = build(nb)
        print(f"{out.relative_to(ROOT)}: {out.stat().st_size / 1e6:.1f} MB")
    print(f"Open them in a browser (no network needed), e.g. {SLIDES.relative_to(ROOT)}/02_convolution.slides.html")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
