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


#: The functions that translate one of their arguments, and which: tr and the checks' Feedback sentences (_no,
#: _yes, the homework's _t), N_ (a text marked for translation where it is shown) and the homework's readers,
#: whose second argument names what was wanted. A decorator's `wanted=` is translated too.
TRANSLATES = {"tr": 0, "_t": 0, "_no": 0, "_yes": 0, "N_": 0, "_number": 1, "_array": 1}


def _texts_given_to_tr(root=None) -> dict[str, str]:
    """Every literal text that helpers hand to a translating function (TRANSLATES), every `wanted=` text of a
    check's decorator and the values of a MESSAGES table, with where it is."""
    import ast
    from pathlib import Path

    root = root or Path(__file__).resolve().parent.parent / "helpers"
    found = {}
    for path in sorted(Path(root).rglob("*.py")):
        if path.name == "i18n_ru.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", None))
                at = TRANSLATES.get(name)
                texts = [node.args[at]] if at is not None and len(node.args) > at else []
                texts += [k.value for k in node.keywords if k.arg == "wanted"]
                for text in texts:
                    if isinstance(text, ast.Constant) and isinstance(text.value, str):
                        found.setdefault(text.value, f"{path.name}:{node.lineno}")
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "MESSAGES" for t in node.targets):
                for text in ast.literal_eval(node.value).values():
                    found.setdefault(text, f"{path.name}:{node.lineno}")
    return found


def _catalogue_mistakes(texts: dict[str, str], catalogue: dict[str, str]) -> dict[str, list[str]]:
    """What is wrong between the texts helpers show and a catalogue: missing entries, orphans (an entry nothing
    shows: a notebook's own text belongs in the Russian notebook, a removed text's entry goes too) and
    placeholders that differ."""
    import string

    fields = lambda text: sorted(f for _, f, _, _ in string.Formatter().parse(text) if f)
    return {
        "missing": sorted(text for text in texts if text not in catalogue),
        "orphan": sorted(text for text in catalogue if text not in texts),
        "placeholders": sorted(en for en, ru in catalogue.items() if fields(en) != fields(ru)),
    }


def test_every_text_a_helper_shows_has_its_russian_and_every_entry_is_shown():
    texts = _texts_given_to_tr()
    assert len(texts) > 300  # the scan finds them (a broken scan would pass an empty list)
    assert _catalogue_mistakes(texts, RU) == {"missing": [], "orphan": [], "placeholders": []}


def test_the_catalogue_check_catches_a_missing_an_orphaned_and_a_mismatched_entry(tmp_path):
    (tmp_path / "shown.py").write_text(
        "from helpers.i18n import N_, tr\n"
        "NAMES = {N_('sobel x'): 1}\n"
        "def f(n):\n    return tr('{n} digits', n=n) + tr('Clear')\n"
    )
    texts = _texts_given_to_tr(tmp_path)
    assert set(texts) == {"sobel x", "{n} digits", "Clear"}
    catalogue = {"sobel x": "Собель x", "{n} digits": "{k} цифр", "digit 4": "цифра 4"}
    assert _catalogue_mistakes(texts, catalogue) == {
        "missing": ["Clear"],
        "orphan": ["digit 4"],
        "placeholders": ["{n} digits"],
    }


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


def _counted_nouns() -> dict[str, str]:
    """Every noun given to `count(n, "noun")` as a literal, in helpers and in the English notebooks' code."""
    import ast
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    sources = {p.name: p.read_text(encoding="utf-8") for p in (root / "helpers").rglob("*.py")}
    for path in sorted((root / "notebooks").rglob("*.ipynb")):
        if "ru" not in path.relative_to(root / "notebooks").parts:
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
            code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
            sources[path.name] = "\n".join(line for cell in code for line in cell.splitlines() if line[:1] not in "%!")
    found = {}
    for where, source in sources.items():
        for node in ast.walk(ast.parse(source)):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", None)) == "count"
                and len(node.args) > 1
                and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[1].value, str)
            ):
                found.setdefault(node.args[1].value, where)
    return found


def test_every_counted_noun_has_its_three_russian_forms_and_no_other_is_kept():
    from helpers.i18n_ru import PLURALS

    nouns = _counted_nouns()
    assert {"parameter", "input", "weight"} <= set(nouns)  # the scan finds them
    assert set(nouns) == set(PLURALS), (set(nouns) - set(PLURALS), set(PLURALS) - set(nouns))
    # the forms as 1, 2 and 5 take them: a form in the wrong slot reads wrong in one of these
    for noun, forms in PLURALS.items():
        assert len(forms) == 3 and len(set(forms)) == 3, noun
