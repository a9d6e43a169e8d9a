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
    html = (
        '<script src="https://cdn.example.org/x.js"></script><link href="vendor/a.css">'
        '<a href="https://docs.example.org">docs</a><img src="http://127.0.0.1:8888/x.png">'
    )
    assert slides.remote_urls(html) == ["https://cdn.example.org/x.js"]


def test_a_deck_loads_its_scripts_from_the_local_vendor_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(slides, "SLIDES", tmp_path)
    out = slides.build(NOTEBOOKS[0])
    html = out.read_text()
    assert out.parent == tmp_path and out.name == f"{NOTEBOOKS[0].stem}.slides.html"
    assert slides.remote_urls(html) == []
    for url in slides.URLS.values():
        assert url.split("?")[0] in html


def test_the_russian_deck_does_not_overwrite_the_english_one(tmp_path, monkeypatch):
    monkeypatch.setattr(slides, "SLIDES", tmp_path)
    english = slides.build(NOTEBOOKS[0])
    russian = slides.build(NOTEBOOKS[0].parent / "ru" / NOTEBOOKS[0].name)
    assert russian.name == f"{NOTEBOOKS[0].stem}.ru.slides.html" and russian.parent == english.parent
    cyrillic = [sum("а" <= ch.lower() <= "я" for ch in deck.read_text(encoding="utf-8")) for deck in (english, russian)]
    assert 10 * cyrillic[0] < cyrillic[1], cyrillic  # the English deck is still English


def test_remote_urls_finds_css_imports_fonts_and_module_imports():
    html = (
        "<style>@import url(https://fonts.googleapis.com/css?family=Lato:400);\n"
        "@import 'https://x.org/a.css'; .a { background: url('//cdn.x.org/bg.png') }\n"
        ".b { src: url(fonts/local.woff) }</style>\n"
        "<script type=\"module\">import mermaid from 'https://cdn.x.org/mermaid.mjs';\n"
        'const m = await import("https://cdn.x.org/elk.mjs");</script>'
    )
    assert sorted(slides.remote_urls(html)) == sorted(
        [
            "https://fonts.googleapis.com/css?family=Lato:400",
            "https://x.org/a.css",
            "//cdn.x.org/bg.png",
            "https://cdn.x.org/mermaid.mjs",
            "https://cdn.x.org/elk.mjs",
        ]
    )


def test_deck_remote_urls_follows_local_style_sheets(tmp_path):
    (tmp_path / "theme.css").write_text("@import url(fonts/f.css); body { color: red }")
    (tmp_path / "fonts").mkdir()
    (tmp_path / "fonts" / "f.css").write_text("@import url(https://fonts.googleapis.com/css?family=News+Cycle);")
    deck = tmp_path / "deck.html"
    deck.write_text('<link rel="stylesheet" href="theme.css">')
    assert slides.deck_remote_urls(deck) == ["https://fonts.googleapis.com/css?family=News+Cycle"]


def test_a_deck_has_no_mermaid_import_wraps_code_and_uses_a_local_theme(tmp_path, monkeypatch):
    monkeypatch.setattr(slides, "SLIDES", tmp_path)
    html = slides.build(NOTEBOOKS[0]).read_text()
    assert "import mermaid" not in html
    assert "white-space: pre-wrap" in html and "overflow-y: auto" in html
    assert f"dist/theme/{slides.THEME}.css" in html and slides.THEME != "simple"  # simple @imports Google fonts


def _cell(kind, source, slide="-", outputs=()):
    import nbformat

    make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
    cell = make(source)
    cell.metadata["slideshow"] = {"slide_type": slide}
    if outputs:
        cell.outputs = list(outputs)
    return cell


def test_a_section_is_cut_at_each_text_after_code_and_after_long_code():
    import nbformat

    nb = nbformat.v4.new_notebook()
    long_code = "\n".join(f"x{i} = {i}" for i in range(slides.LONG_CODE))
    nb.cells = [
        _cell("markdown", "# title", "slide"),
        _cell("markdown", "words"),  # text after text: same slide
        _cell("code", "a = 1"),
        _cell("markdown", "more words"),  # text after code: a new slide (↓)
        _cell("code", long_code),
        _cell("code", "b = 2"),  # code after long code: a new slide
        _cell("markdown", "## next section", "slide"),  # the notebook's own mark stays
        _cell("code", "c = 3", "skip"),
        _cell("markdown", "after a skipped cell"),  # a skipped cell does not count
    ]
    assert slides.split_sections(nb) == 2
    kinds = [c.metadata["slideshow"]["slide_type"] for c in nb.cells]
    assert kinds == ["slide", "-", "-", "subslide", "-", "subslide", "slide", "skip", "-"]


def test_a_section_taller_than_two_screens_is_cut():
    import nbformat

    paragraph = "x" * 220  # two lines of 110 characters
    nb = nbformat.v4.new_notebook()
    nb.cells = [_cell("markdown", "# t", "slide")] + [_cell("markdown", paragraph) for _ in range(30)]
    slides.split_sections(nb)
    kinds = [c.metadata["slideshow"]["slide_type"] for c in nb.cells]
    # each paragraph is 1 + 2 = 3 lines: the title (2 lines) and 15 paragraphs fill 47 of the 48 lines
    assert kinds.index("subslide") == 16 and kinds.count("subslide") == 1  # the other 15 fit in 45 lines


def test_a_picture_counts_its_height_shrunk_to_the_slide():
    import base64
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (2560, 560)).save(buf, format="png")  # twice the slide's width: shown 280 px tall
    out = {"output_type": "display_data", "data": {"image/png": base64.b64encode(buf.getvalue()).decode()}}
    cell = _cell("code", "plot()", outputs=[out])
    assert slides.height_in_lines(cell) == 2 + 10  # the code line and its prompt, then 280 / 28
