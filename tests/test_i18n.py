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
    out = subprocess.run(
        [sys.executable, "-c", "import helpers; print(helpers.language())"],
        cwd=tmp_path / folder,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert out.stdout.strip() == expected


def test_every_placeholder_of_a_russian_text_is_the_english_ones():
    import string

    fields = lambda text: sorted(f for _, f, _, _ in string.Formatter().parse(text) if f)
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
                if (
                    name in {"tr", "_no", "_yes"}
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                ):
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


@pytest.mark.parametrize(
    "n, form",
    [
        (1, "параметр"),
        (2, "параметра"),
        (4, "параметра"),
        (5, "параметров"),
        (11, "параметров"),
        (12, "параметров"),
        (21, "параметр"),
        (22, "параметра"),
        (25, "параметров"),
        (111, "параметров"),
        (9122, "параметра"),
        (60965224, "параметра"),
    ],
)
def test_russian_plural_agrees_with_the_number(n, form):
    assert i18n.plural_ru(n, "параметр", "параметра", "параметров") == form


def test_numbers_are_written_the_readers_way(russian):
    assert i18n.number(55000, ",") == "55\u202f000"
    assert i18n.number(0.99134, ".2%") == "99,13\u202f%"
    assert i18n.number(60965224, ">12,") == "  60\u202f965\u202f224"
    assert i18n.count(784, "input") == "784 входа"
    assert i18n.count(9122, "parameter") == "9\u202f122 параметра"


def test_english_numbers_are_pythons(monkeypatch):
    monkeypatch.setattr(i18n, "_current", "en")
    assert i18n.number(55000, ",") == "55,000" and i18n.number(0.99134, ".2%") == "99.13%"
    assert i18n.count(1, "parameter") == "1 parameter" and i18n.count(9122, "parameter") == "9,122 parameters"
