"""The Russian edition (notebooks/ru/): its code cannot drift from the English notebooks'."""

import json
import re

import pytest

from tools import russian

PAIRS = russian.pairs()
ENGLISH_NAMES = sorted(p.stem for p in russian.ENGLISH.glob("*.ipynb"))


def test_every_english_notebook_has_a_russian_twin():
    assert [ru.stem for _, ru in PAIRS if ru.parent == russian.RUSSIAN] == ENGLISH_NAMES
    homework = sorted(p.stem for p in (russian.ENGLISH / "homework").glob("*.ipynb"))
    assert [ru.stem for _, ru in PAIRS if ru.parent == russian.RUSSIAN / "homework"] == homework


ENGLISH_CELL = """import numpy as np  # the arrays
x = load_mnist("train")[0]
plt.title("mean of all 4s")
print(f"{len(x):,} digits, mean {x.mean():.1f}")
ax.set(xlabel="step")
"""


@pytest.mark.parametrize(
    "russian_cell",
    [
        ENGLISH_CELL,
        ENGLISH_CELL.replace("# the arrays", "# массивы"),
        ENGLISH_CELL.replace("mean of all 4s", "среднее всех четвёрок"),
        ENGLISH_CELL.replace("digits, mean", "цифр, среднее"),
        ENGLISH_CELL.replace('"step"', '"шаг"'),
        russian.SWITCH + ENGLISH_CELL,
    ],
)
def test_comments_reader_texts_and_the_switch_may_differ(russian_cell):
    assert russian.code_differences(ENGLISH_CELL, russian_cell) == []


@pytest.mark.parametrize(
    "russian_cell",
    [
        ENGLISH_CELL.replace('"train"', '"test"'),  # a name-like string: data would differ
        ENGLISH_CELL.replace("[0]", "[1]"),  # a number
        ENGLISH_CELL.replace("x.mean()", "x.max()"),  # code inside an f-string's braces
        ENGLISH_CELL.replace(":.1f", ":.3f"),  # a format spec
        ENGLISH_CELL + "y = 1\n",  # a line more
        ENGLISH_CELL.replace('"step"', '"steps"'),  # a name-like English string changed
    ],
)
def test_a_changed_code_cell_is_drift(russian_cell):
    assert russian.code_differences(ENGLISH_CELL, russian_cell)


@pytest.mark.parametrize("english, russian_path", PAIRS, ids=lambda p: getattr(p, "name", ""))
def test_russian_code_is_the_english_code(english, russian_path):
    assert russian.drift(english, russian_path) == []


@pytest.mark.parametrize("english, russian_path", PAIRS, ids=lambda p: getattr(p, "name", ""))
def test_russian_prose_is_translated(english, russian_path):
    cells = json.loads(russian_path.read_text(encoding="utf-8"))["cells"]
    english_cells = {c["id"]: "".join(c["source"]) for c in json.loads(english.read_text(encoding="utf-8"))["cells"]}
    untranslated = [
        c["id"]
        for c in cells
        if c["cell_type"] == "markdown"
        and re.search(r"[A-Za-z]{4,}", "".join(c["source"]))
        and not re.search(r"[А-Яа-яЁё]", "".join(c["source"]))
    ]
    assert not untranslated, f"markdown cells still in English: {untranslated}"
    same = [
        c["id"]
        for c in cells
        if c["cell_type"] == "markdown"
        and "".join(c["source"]) == english_cells[c["id"]]
        and re.search(r"[A-Za-z]{4,}", english_cells[c["id"]])
    ]
    assert not same


def test_a_string_inside_an_f_strings_braces_may_be_translated_but_not_the_code():
    english = """print(f"{'split' if split else 'whole'} votes")\n"""
    assert (
        russian.code_differences(
            english, english.replace("'split'", "'делённые'").replace("'whole'", "'целые'").replace(" votes", " голоса")
        )
        == []
    )
    assert russian.code_differences(english, english.replace("if split", "if not split"))
    assert russian.code_differences(english, english.replace("'split'", "'other'"))  # name-like: must stay
