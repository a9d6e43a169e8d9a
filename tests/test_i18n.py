"""helpers.i18n: the language switch that lets one code base speak English or Russian."""

import subprocess
import sys

import pytest

from helpers import i18n
from helpers.i18n_ru import RU


@pytest.fixture
def russian():
    before = i18n.language()
    yield i18n.set_language("ru")
    i18n.set_language(before)


def test_english_text_passes_through_with_its_fields_filled(monkeypatch):
    monkeypatch.setattr(i18n, "_current", "en")
    monkeypatch.setitem(RU, "got {n}", "получено {n}")
    assert i18n.tr("got {n}", n=3) == "got 3"


def test_russian_text_is_looked_up_and_filled(russian, monkeypatch):
    monkeypatch.setitem(RU, "got {n} maps", "получено карт: {n}")
    assert i18n.tr("got {n} maps", n=16) == "получено карт: 16"
    assert i18n.tr("a text nobody translated") == "a text nobody translated"


def test_an_unknown_language_is_a_value_error_naming_it():
    with pytest.raises(ValueError, match="code must be one of"):
        i18n.set_language("de")


@pytest.mark.parametrize("folder, expected", [("ru", "ru"), ("notebooks", "en")])
def test_a_kernel_started_in_the_russian_folder_speaks_russian(tmp_path, folder, expected):
    (tmp_path / folder).mkdir()
    out = subprocess.run([sys.executable, "-c", "import helpers; print(helpers.language())"], cwd=tmp_path / folder,
                         capture_output=True, text=True, check=True, env={"PATH": "/usr/bin:/bin"})
    assert out.stdout.strip() == expected


def test_every_placeholder_of_a_russian_text_is_the_english_ones():
    import string

    fields = lambda text: sorted(f for _, f, _, _ in string.Formatter().parse(text) if f)  # noqa: E731
    wrong = {en: ru for en, ru in RU.items() if fields(en) != fields(ru)}
    assert not wrong, f"placeholders differ: {wrong}"


def _texts_given_to_tr() -> dict[str, str]:
    """Every literal text that helpers pass to tr() (or to checks' _no/_yes, which call it), and the values of
    a MESSAGES table, with where it is."""
    import ast
    from pathlib import Path

    found = {}
    for path in sorted((Path(__file__).resolve().parent.parent / "helpers").rglob("*.py")):
        if path.name == "i18n_ru.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and node.args:
                name = getattr(node.func, "id", getattr(node.func, "attr", None))
                if name in {"tr", "_no", "_yes"} and isinstance(node.args[0], ast.Constant) \
                        and isinstance(node.args[0].value, str):
                    found.setdefault(node.args[0].value, f"{path.name}:{node.lineno}")
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "MESSAGES" for t in node.targets):
                for text in ast.literal_eval(node.value).values():
                    found.setdefault(text, f"{path.name}:{node.lineno}")
    return found


def test_every_text_a_helper_shows_has_its_russian():
    texts = _texts_given_to_tr()
    assert len(texts) > 100  # the scan finds them (a broken scan would pass an empty list)
    missing = {text: where for text, where in texts.items() if text not in RU}
    assert not missing, f"add to helpers/i18n_ru.py: {missing}"
