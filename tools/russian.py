"""The Russian edition, notebooks/ru/: the same notebooks, the prose in Russian, the code the same as the English.

    python -m tools.russian check              which code cells of notebooks/ru/ differ from the English ones
    python -m tools.russian start NN_name      a new notebooks/ru/NN_name.ipynb to translate, from the English one
    python -m tools.russian sync [NN_name ...] copy the English code into the Russian notebooks, keeping the Russian
                                               prose and the Russian texts of code cells whose code is unchanged

What may differ between the editions, and nothing else:
- markdown cells (the prose), matched one to one by cell id;
- in code cells, comments and the texts a reader sees: a string literal may differ when the English one holds a
  space or the Russian one holds a Cyrillic letter (a figure title, a label); a name-like string ("train",
  "gray", "RdBu_r") must stay the same, and so must the code inside an f-string's braces, where a string literal may
  differ by the same rule (`{'split' if split else 'whole'}` may read `{'делённые' if split else 'целые'}`);
- the language switch: the Russian first code cell starts with `import helpers` / `helpers.set_language("ru")`.
"""

from __future__ import annotations

import io
import json
import re
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENGLISH = ROOT / "notebooks"
RUSSIAN = ENGLISH / "ru"
SWITCH = 'import helpers\nhelpers.set_language("ru")\n'
_CYRILLIC = re.compile(r"[А-Яа-яЁё]")
_TEXT_TOKENS = {tokenize.STRING}


def _strip_switch(source: str) -> str:
    return source[len(SWITCH) :] if source.startswith(SWITCH) else source


def _tokens(source: str) -> list[tuple[int, str]]:
    """The cell's tokens, comments and line layout left out (IPython's %magics and !shell lines kept as text).
    An f-string is one STRING token, as Python 3.11 reads it; 3.12 and later split it into parts, joined here."""
    lines = [("#%" + line) if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    text = "\n".join(lines) + "\n"
    skip = {
        tokenize.COMMENT,
        tokenize.NL,
        tokenize.NEWLINE,
        tokenize.INDENT,
        tokenize.DEDENT,
        tokenize.ENCODING,
        tokenize.ENDMARKER,
    }
    try:
        toks = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return [(-1, source)]
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    offset = lambda row_col: starts[row_col[0] - 1] + row_col[1]
    fstring_start = getattr(tokenize, "FSTRING_START", None)
    out, depth, begin = [], 0, None
    for t in toks:
        if fstring_start is not None and t.type == fstring_start:
            depth += 1
            begin = t.start if depth == 1 else begin
        elif fstring_start is not None and t.type == tokenize.FSTRING_END:
            depth -= 1
            if depth == 0:
                out.append((tokenize.STRING, text[offset(begin) : offset(t.end)]))
        elif depth == 0 and t.type not in skip:
            out.append((t.type, t.string))
    return out


def _is_reader_text(english: str, russian: str) -> bool:
    return any(c.isspace() for c in english) or bool(_CYRILLIC.search(russian))


def _fstring_parts(token: str) -> tuple[list[str], str, list[str]] | None:
    """For an f-string token (Python 3.11 keeps it whole): its {expressions} (with format specs, every string
    literal inside them replaced by a placeholder), its text, and those string literals in order."""
    prefix = re.match(r"[A-Za-z]*", token).group(0)
    if "f" not in prefix.lower():
        return None
    import ast

    node = ast.parse(token, mode="eval").body
    code, literals = [], []
    for value in node.values:
        if not isinstance(value, ast.FormattedValue):
            continue
        for inner in ast.walk(value.value):
            if isinstance(inner, ast.Constant) and isinstance(inner.value, str):
                literals.append(inner.value)
                inner.value = "<text>"
        code.append(ast.dump(value))
    text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    return code, text, literals


def _same_text_token(english: str, russian: str) -> bool:
    if english == russian:
        return True
    en_f, ru_f = _fstring_parts(english), _fstring_parts(russian)
    if en_f is not None or ru_f is not None:
        return (
            en_f is not None
            and ru_f is not None
            and en_f[0] == ru_f[0]
            and len(en_f[2]) == len(ru_f[2])
            and all(e == r or _is_reader_text(e, r) for e, r in zip(en_f[2], ru_f[2]))
            and (en_f[1] == ru_f[1] or _is_reader_text(en_f[1], ru_f[1]))
        )
    return _is_reader_text(english, russian)


def code_differences(english: str, russian: str) -> list[str]:
    """How the Russian cell's code differs from the English one's, beyond what may differ (empty: the same code)."""
    en, ru = _tokens(english), _tokens(_strip_switch(russian))
    if len(en) != len(ru):
        return [f"{len(en)} tokens in English, {len(ru)} in Russian"]
    out = []
    for (te, se), (tr_, sr) in zip(en, ru):
        if te != tr_ or se != sr and not (te in _TEXT_TOKENS and _same_text_token(se, sr)):
            out.append(f"{se!r} became {sr!r}")
    return out


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def drift(english_path: Path, russian_path: Path) -> list[str]:
    """Every way the Russian notebook's code drifted from the English one (empty: none)."""
    en, ru = _cells(english_path), _cells(russian_path)
    problems = []
    if [c.get("id") for c in en] != [c.get("id") for c in ru]:
        problems.append("the cells (their ids and order) differ from the English notebook's: run `sync`")
        return problems
    first_code = True
    for e, r in zip(en, ru):
        if e["cell_type"] != r["cell_type"]:
            problems.append(f"cell {e.get('id')}: {e['cell_type']} in English, {r['cell_type']} in Russian")
            continue
        if e["cell_type"] != "code":
            continue
        source_ru = "".join(r["source"])
        if first_code and not source_ru.startswith(SWITCH):
            problems.append(f"cell {e.get('id')}: the first code cell must start with the language switch")
        first_code = False
        diff = code_differences("".join(e["source"]), source_ru)
        if diff:
            problems.append(f"cell {e.get('id')}: " + "; ".join(diff[:3]))
        if e.get("metadata", {}).get("tags", []) != r.get("metadata", {}).get("tags", []):
            problems.append(f"cell {e.get('id')}: tags differ")
    return problems


def pairs() -> list[tuple[Path, Path]]:
    """(English, Russian) notebook paths for every Russian notebook, the homework (notebooks/ru/homework/) too."""
    return [(ENGLISH / p.name, p) for p in sorted(RUSSIAN.glob("*.ipynb"))] + [
        (ENGLISH / "homework" / p.name, p) for p in sorted((RUSSIAN / "homework").glob("*.ipynb"))
    ]


def start(name: str) -> Path:
    """notebooks/ru/<name>.ipynb from the English one, the switch added, outputs cleared, prose left to translate."""
    import nbformat

    nb = nbformat.read(ENGLISH / f"{name}.ipynb", as_version=4)
    first = next(c for c in nb.cells if c.cell_type == "code")
    first.source = SWITCH + first.source
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    RUSSIAN.mkdir(exist_ok=True)
    out = RUSSIAN / f"{name}.ipynb"
    nbformat.write(nb, out)
    return out


def sync(name: str) -> list[str]:
    """Bring the English notebook's cells into the Russian one: Russian markdown kept by cell id, a Russian code
    cell kept where its code is still the English code, the English code taken (Russian texts lost) where not.
    Returns the ids of cells that now need translating."""
    import nbformat

    en = nbformat.read(ENGLISH / f"{name}.ipynb", as_version=4)
    ru_path = RUSSIAN / f"{name}.ipynb"
    ru = {c.get("id"): c for c in nbformat.read(ru_path, as_version=4).cells}
    todo, cells, first_code = [], [], True
    for cell in en.cells:
        old = ru.get(cell.get("id"))
        if cell.cell_type != "code":
            if old is None or old.cell_type != cell.cell_type:
                todo.append(cell.get("id"))
                old = cell
            old.metadata = cell.metadata
            cells.append(old)
            continue
        wanted = (SWITCH if first_code else "") + cell.source
        first_code = False
        if (
            old is not None
            and old.cell_type == "code"
            and not code_differences(cell.source, old.source)
            and old.source.startswith(SWITCH) == wanted.startswith(SWITCH)
        ):
            old.metadata = cell.metadata
            cells.append(old)
        else:
            cell = nbformat.from_dict(json.loads(json.dumps(cell)))
            cell.source, cell.outputs, cell.execution_count = wanted, [], None
            cells.append(cell)
            if old is None or old.source != wanted:
                todo.append(cell.get("id"))
    ru_nb = nbformat.read(ru_path, as_version=4)
    ru_nb.cells = cells
    nbformat.write(ru_nb, ru_path)
    return todo


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("check", "start", "sync"):
        print(__doc__)
        return 2
    if argv[0] == "check":
        bad = 0
        for en, ru in pairs():
            problems = drift(en, ru)
            bad += len(problems)
            print(f"{ru.relative_to(ROOT)}: " + ("the same code" if not problems else "\n  " + "\n  ".join(problems)))
        return 1 if bad else 0
    names = argv[1:] or [p.stem for _, p in pairs()]
    for name in names:
        if argv[0] == "start":
            print(f"{start(name).relative_to(ROOT)}: translate its markdown cells and the texts in its code")
        else:
            todo = sync(name)
            print(f"notebooks/ru/{name}.ipynb: " + (f"translate cells {todo}" if todo else "up to date"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
