"""The language switch: what helpers show a reader (figure titles, explorer labels, exercise hints) in English
or in Russian.

    import helpers; helpers.set_language("ru")      # the first code cell of every notebook in notebooks/ru/

Every text a reader sees goes through `tr("English text", **values)`: with the language set to "ru" it is looked
up in `helpers/i18n_ru.py` (keyed by the English text; a text missing there stays English), then filled in with
`str.format(**values)`. Code, names and numbers are the same in both editions.
"""

from __future__ import annotations

import os
from pathlib import Path

LANGUAGES = ("en", "ru")


def _default() -> str:
    """"ru" in a kernel started in notebooks/ru/ (JupyterLab, VS Code and nbval start kernels in the notebook's
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


def below(value: float, bound: float) -> str:
    """"< 1e-06" when `value` is below `bound`, else "≥ 1e-06 (2.3e-05)": how a notebook prints a difference that
    float rounding decides. The digits of such a difference depend on the BLAS and the CPU, so a checked output shows
    only which side of the bound it is on. The same text in both editions."""
    value, bound = float(value), float(bound)
    return f"< {bound:.0e}" if value < bound else f"≥ {bound:.0e} ({value:.1e})"
