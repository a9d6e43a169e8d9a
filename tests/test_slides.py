"""make slides: every notebook has slideshow metadata, and a deck loads nothing from the network."""

import json
from pathlib import Path

import pytest

from tools import slides

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_is_cut_into_slides(path):
    cells = json.loads(path.read_text())["cells"]
    kinds = [c["metadata"].get("slideshow", {}).get("slide_type") for c in cells]
    assert kinds[0] == "slide", "the title cell starts the first slide"
    assert kinds.count("slide") >= 2


def test_remote_urls_finds_cdn_scripts_and_styles_only():
    html = ('<script src="https://cdn.example.org/x.js"></script><link href="vendor/a.css">'
            '<a href="https://docs.example.org">docs</a><img src="http://127.0.0.1:8888/x.png">')
    assert slides.remote_urls(html) == ["https://cdn.example.org/x.js"]


def test_a_deck_loads_its_scripts_from_the_local_vendor_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(slides, "SLIDES", tmp_path)
    out = slides.build(NOTEBOOKS[0])
    html = out.read_text()
    assert out.parent == tmp_path and out.name == f"{NOTEBOOKS[0].stem}.slides.html"
    assert slides.remote_urls(html) == []
    for url in slides.URLS.values():
        assert url.split("?")[0] in html
