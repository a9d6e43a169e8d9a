"""The language switch: what helpers show a reader (figure titles, explorer labels, exercise hints) in English
or in Russian.

    import helpers; helpers.set_language("ru")      # the first code cell of every notebook in notebooks/ru/

Every text a reader sees goes through `tr("English text", **values)`: with the language set to "ru" it is looked
up in `helpers/i18n_ru.py` (keyed by the English text; a text missing there stays English), then filled in with
`str.format(**values)`. Code, names and numbers are the same in both editions.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

LANGUAGES = ("en", "ru")


def _default() -> str:
    """ "ru" in a kernel started in notebooks/ru/ (JupyterLab, VS Code and nbval start kernels in the notebook's
    folder), so a Russian notebook's exercise run alone after a restart still answers in Russian; else "en".
    The environment variable CNN_LECTURE_LANG overrides both."""
    chosen = os.environ.get("CNN_LECTURE_LANG", "")
    if chosen in LANGUAGES:
        return chosen
    try:
        return "ru" if Path.cwd().name == "ru" else "en"
    except OSError:
        return "en"


_current = _default()


def set_language(code: str) -> str:
    """Switch what helpers show to `code` ("en" or "ru"); returns it."""
    global _current
    if code not in LANGUAGES:
        raise ValueError(f"code must be one of {LANGUAGES}, got {code!r}")
    _current = code
    return code


def language() -> str:
    """The language helpers show: "en" or "ru"."""
    return _current


def tr(text: str, **values) -> str:
    """`text` in the current language, with `{name}` fields filled from `values`."""
    if _current == "ru":
        from helpers.i18n_ru import RU

        text = RU.get(text, text)
    return text.format(**values) if values else text


def N_(text: str) -> str:
    """Marks `text` as a catalogue text that is translated later, where it is shown (gettext's `gettext_noop`):
    a kernel's name, a task's case, a hint chosen from a table. Returns it unchanged; the i18n test finds every
    marked text, so the catalogue holds no entry that nothing uses and misses none that is shown."""
    return text


def below(value: float, bound: float) -> str:
    """ "< 1e-06" when `value` is below `bound`, else "≥ 1e-06 (2.3e-05)": how a notebook prints a difference that
    float rounding decides. The digits of such a difference depend on the BLAS and the CPU, so a checked output shows
    only which side of the bound it is on. The same text in both editions."""
    value, bound = float(value), float(bound)
    return f"< {bound:.0e}" if value < bound else f"≥ {bound:.0e} ({value:.1e})"


#: How Russian typography groups thousands and sets off a percent sign: a narrow no-break space (55 000, 99,13 %).
THIN_SPACE = "\u202f"


def number(value, spec: str = "") -> str:
    """`value` formatted by `spec` (as in f"{value:spec}"), written the reader's way: "55,000", "99.13%" in
    English; "55 000", "99,13 %" in Russian (a thin space between thousands, a decimal comma, a thin space
    before %). A width in `spec` is applied after that, so columns still line up."""
    width = ""
    match = re.match(r"([<>^]?)(\d*)(.*)", spec)
    align, size, rest = match.groups()
    text = format(value, rest)
    if _current == "ru":
        text = text.replace(",", THIN_SPACE).replace(".", ",")
        if text.endswith("%"):
            text = text[:-1] + THIN_SPACE + "%"
    if size:
        width = f"{align or '>'}{size}"
    return format(text, width) if width else text


def plural_ru(n: int, one: str, few: str, many: str) -> str:
    """The Russian noun form for the number n: 1 параметр, 2 параметра, 5 параметров (21 параметр, 11 параметров,
    22 параметра, 112 параметров)."""
    n = abs(int(n))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def count(n: int, singular: str, plural: str | None = None, spec: str = ",") -> str:
    """ "9,122 parameters" in English, "9 122 параметра" in Russian: the number written as `number(n, spec)` writes
    it and the noun agreeing with it (the Russian forms from `helpers.i18n_ru.PLURALS`, keyed by the English
    singular; English adds "s" unless `plural` is given)."""
    if _current == "ru":
        from helpers.i18n_ru import PLURALS

        if singular in PLURALS:
            return f"{number(n, spec)} {plural_ru(n, *PLURALS[singular])}"
    noun = singular if abs(n) == 1 else (plural or singular + "s")
    return f"{number(n, spec)} {noun}"
