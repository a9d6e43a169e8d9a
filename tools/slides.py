"""`make slides`: one reveal.js deck per notebook in slides/ (git-ignored), that opens with the network off.

nbconvert's slides load reveal.js, jQuery, require.js and MathJax from CDNs. Here they come from
slides/vendor/, installed once from the npm registry (this step needs Node.js's npm and the network;
the decks it builds then need neither), and every URL in a deck is checked to be local.

    python -m tools.slides [notebooks/NN_name.ipynb ...]
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
# A script, style sheet or image loaded from elsewhere (a link in the text is only followed when clicked).
_REMOTE = re.compile(r'''<(?:script|link|img)\b[^>]*?(?:src|href)\s*=\s*["'](https?://[^"']+)["']''')


def ensure_vendor() -> None:
    """Install the JavaScript the decks need into slides/vendor/, once."""
    needed = [VENDOR / "node_modules" / p.rsplit("@", 1)[0] for p in PACKAGES]
    if all(path.exists() for path in needed):
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("make slides needs npm (Node.js) once, to fetch reveal.js, jQuery, require.js and "
                           "MathJax into slides/vendor/. Install Node.js, or copy slides/vendor/ from a machine "
                           "that has built the slides.")
    VENDOR.mkdir(parents=True, exist_ok=True)
    subprocess.run([npm, "install", "--no-save", "--no-audit", "--no-fund", "--prefix", str(VENDOR), *PACKAGES],
                   check=True)


def remote_urls(html: str) -> list[str]:
    """The http(s) URLs a page loads scripts or styles from (links in the text do not count)."""
    return [url for url in _REMOTE.findall(html) if not url.startswith(("http://localhost", "http://127."))]


def build(notebook: Path | str) -> Path:
    """Write slides/<name>.slides.html for a notebook, with every script and style loaded locally."""
    from nbconvert import SlidesExporter
    from traitlets.config import Config

    notebook = Path(notebook)
    config = Config()
    for name, url in URLS.items():
        exporter = "SlidesExporter"
        setattr(config[exporter], name, url)
    config.SlidesExporter.reveal_theme = "simple"
    config.SlidesExporter.reveal_scroll = True
    html, _ = SlidesExporter(config=config).from_filename(str(notebook))
    remote = remote_urls(html)
    if remote:
        raise RuntimeError(f"{notebook.name}: the deck would load {remote} from the network")
    SLIDES.mkdir(exist_ok=True)
    out = SLIDES / f"{notebook.stem}.slides.html"
    out.write_text(html, encoding="utf-8")
    return out


def main(argv: list[str]) -> int:
    ensure_vendor()
    notebooks = [Path(a) for a in argv] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    for nb in notebooks:
        out = build(nb)
        print(f"{out.relative_to(ROOT)}: {out.stat().st_size / 1e6:.1f} MB")
    print(f"Open them in a browser (no network needed), e.g. {SLIDES.relative_to(ROOT)}/02_convolution.slides.html")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
