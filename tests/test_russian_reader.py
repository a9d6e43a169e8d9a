"""What a Russian student sees in notebooks/ru/: no English beyond an allow list, and one term per concept.

    python -m tests.test_russian_reader      prints every English string found, and the count

The scan reads what a reader of the Russian edition sees: markdown prose (code spans, formulas, links and the
English column of the term tables left out: those are meant to be English), stored outputs, the texts in the code
(figure titles, axis labels, legends, printed lines: every string literal that is reader text, as tools.russian
defines it), and the helpers' texts (explorer labels, figure titles, exercise hints) through `helpers.i18n.tr`,
which must all have a Russian version. A Latin word counts unless it is on ALLOWED (names of libraries, data sets,
networks and methods, code identifiers, units) or sits inside a slide title quoted «…» as the lecture writes it.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from tools import russian

ROOT = Path(__file__).resolve().parent.parent
LECTURE = Path(__file__).resolve().parents[2] / "shared" / "lecture" / "cnn-lecture.ru.txt"  # ../shared

#: Latin words a Russian text may hold: proper names (libraries, data sets, networks, people's methods), standard
#: abbreviations, units and code identifiers that the prose names as such.
ALLOWED = {
    # libraries, tools, formats
    "torch",
    "pytorch",
    "torchvision",
    "numpy",
    "scipy",
    "scikit",
    "image",
    "learn",
    "sklearn",
    "skimage",
    "matplotlib",
    "jupyterlab",
    "jupyter",
    "python",
    "ipywidgets",
    "onednn",
    "blas",
    "nbval",
    "github",
    "nbviewer",
    "vs",
    "code",
    "uv",
    "pip",
    "conda",
    "readme",
    "make",
    "wsl",
    "windows",
    "macos",
    "linux",
    "rgba",
    "rgb",
    "png",
    "reveal",
    "js",
    "lab",
    "tqdm",
    "nist",
    "bench",
    # data sets, contests, networks, methods (names)
    "grad-cam",
    "captum",
    "fgsm",
    "pgd",
    "autograd",
    # authors of the methods named (notebook 07)
    "simonyan",
    "vedaldi",
    "zisserman",
    "zeiler",
    "fergus",
    "selvaraju",
    "goodfellow",
    "shlens",
    "szegedy",
    "madry",
    "mnist",
    "imagenet",
    "ilsvrc",
    "hog",
    "svm",
    "rbf",
    "svc",
    "sift",
    "lbp",
    "cnn",
    "mlp",
    "relu",
    "gpu",
    "gpus",
    "cpu",
    "alexnet",
    "lenet",
    "resnet",
    "googlenet",
    "vgg",
    "zfnet",
    "clarifai",
    "nec",
    "xrce",
    "ocr",
    "gan",
    "gans",
    "r3d",
    "faster",
    "r-cnn",
    "deeplab",
    "mobilenet",
    "keypoint",
    "sobel",
    "prewitt",
    "l2-hys",
    "l2",
    "nan",
    "adam",
    "sgd",
    "top-1",
    "top-5",
    "log-sum-exp",
    "im2col",
    "nystroem",
    "dropout",
    "softmax",
    "log",
    "exp",
    "max",
    "min",
    "sum",
    "argmax",
    "lrn",
    "fc",
    "conv",
    "pool",
    "act",
    "id",
    "groups",
    "inf",
    "px",
    "avgpool",
    "ipycanvas",
    "cpython",
    "widgets",
    "helpers",
    "cache",
    "benchmarks",
    "tests",
    "notebooks",
    "ru",
    "scikit-image",
    "scikit-learn",
    "lenet-5",
    "resnet-18",
    "resnet-50",
    "vgg-19",
    "pil",
    "ho",
    "wo",
    "camera",
    "coins",
    "astronaut",
    # units and maths
    "ms",
    "mb",
    "gb",
    "mib",
    "gib",
    "cos",
    "atan",
    "atan2",
    "std",
    "lr",
    "d",
    "e",
    "k",
    "n",
    "p",
    "s",
    "x",
    "y",
    "h",
    "w",
    "c",
    "i",
    "j",
    "b",
    "kh",
    "kw",
    "gx",
    "gy",
    "hw",
    "th",
    "et",
    "al",
}
#: English words a widget or figure prints as code (layer kinds, dtypes, torch's own names).
ALLOWED |= {
    "conv2d",
    "batchnorm2d",
    "maxpool2d",
    "avgpool2d",
    "adaptiveavgpool2d",
    "linear",
    "flatten",
    "dropout",
    "localresponsenorm",
    "sequential",
    "uint8",
    "float32",
    "float64",
    "int64",
    "dtype",
    "true",
    "false",
    "none",
    "cuda",
}

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:[-'][A-Za-z0-9_]+)*")
_CODE_SPAN = re.compile(r"`[^`]*`|\$\$.*?\$\$|\$[^$\n]*\$|\[([^\]]*)\]\([^)]*\)|<[^>]+>|https?://\S+", re.S)
_QUOTED = re.compile(r"«([^«»]*)»")
_DOTTED = re.compile(r"[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)+(?:\([^)]*\)?)?|\w+=\S+|\b\w+\(\S*\)")
#: English a Russian text may quote whole: the titles of papers.
ALLOWED_PHRASES = ("One weird trick for parallelizing convolutional neural networks",)


def _identifiers() -> set[str]:
    """Names the code uses as identifiers though they hold a space: helpers.filters' kernel names (the Russian
    edition shows them through `tr`, so a reader sees the Russian)."""
    from helpers.filters import NAMES

    legend_places = {f"{v} {h}" for v in ("upper", "lower", "center") for h in ("left", "right", "center")}
    return set(NAMES) | legend_places


def _lecture() -> str:
    return " ".join(LECTURE.read_text(encoding="utf-8").lower().split()) if LECTURE.exists() else ""


def english_words(text: str, lecture: str = "") -> list[str]:
    """The Latin words of `text` that a Russian reader should not meet: not on ALLOWED, not part of a slide title
    quoted «…» (a quote the lecture holds, when the lecture is at hand, else any quote), not a single letter."""
    if text in _identifiers():
        return []
    for phrase in ALLOWED_PHRASES:
        text = text.replace(phrase, " ")
    text = _CODE_SPAN.sub(lambda m: m.group(1) or " ", text)
    text = _DOTTED.sub(" ", text)

    def unquote(m):
        quoted = " ".join(m.group(1).lower().split())[:40]
        return " " if not lecture or quoted in lecture else m.group(1)

    text = _QUOTED.sub(unquote, text)
    return [
        w
        for w in _WORD.findall(text)
        if len(w) > 1
        and w.lower() not in ALLOWED
        and not re.fullmatch(r"[A-Za-z]?\d.*|[A-Z]{1,2}\d*|[a-z]+\d+[a-z0-9]*|e-\d+|\w*_\w*", w)
    ]


def _markdown_prose(source: str) -> str:
    """A markdown cell's text without its term tables' English column (the column named «по-английски» or
    «в коде…»: it is there to be English)."""
    lines, english_column = [], None
    for line in source.splitlines():
        if line.lstrip().startswith("|"):
            cells = line.strip().strip("|").split("|")
            if english_column is None:
                heads = [c.strip().lower() for c in cells]
                english_column = next((i for i, h in enumerate(heads) if "англ" in h or h.startswith("в коде")), -1)
            cells = [c for i, c in enumerate(cells) if i != english_column]
            line = "|".join(cells)
        else:
            english_column = None
        lines.append(line)
    return "\n".join(lines)


def _reader_strings(source: str) -> list[str]:
    """The reader texts among a code cell's string literals (figure titles, labels, printed text): a literal with a
    space or a Cyrillic letter, or an f-string's text parts; comments are not shown to the reader."""
    out = []
    for kind, token in russian._tokens(russian._strip_switch(source)):
        if kind not in russian._TEXT_TOKENS:
            continue
        try:
            node = ast.parse(token, mode="eval").body
        except SyntaxError:
            continue
        parts = (
            [v.value for v in node.values if isinstance(v, ast.Constant)]
            if isinstance(node, ast.JoinedStr)
            else [node.value]
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            else []
        )
        if isinstance(node, ast.JoinedStr):
            parts += [
                c.value
                for v in node.values
                if isinstance(v, ast.FormattedValue)
                for c in ast.walk(v.value)
                if isinstance(c, ast.Constant) and isinstance(c.value, str)
            ]
        out += [p for p in parts if russian._is_reader_text(p, p) and not p.startswith(("#", "%", "."))]
    return out


def _is_listing(output: dict) -> bool:
    """helpers.plots.show_source's output: the helpers' source, which the prose presents as English code."""
    text = "".join(output.get("data", {}).get("text/plain", [])) + "".join(output.get("text", []))
    return "def " in text and '"""' in text


def _outputs(cell: dict) -> list[str]:
    out = []
    for o in cell.get("outputs", []):
        if "application/vnd.jupyter.widget-view+json" in o.get("data", {}) or _is_listing(o):
            continue  # a widget's HTML, or a source listing (said to be code)
        if "text" in o:
            out.append("".join(o["text"]))
        elif "text/plain" in o.get("data", {}) and "image/png" not in o.get("data", {}):
            out.append("".join(o["data"]["text/plain"]))
    return out


def notebook_findings(path: Path, lecture: str = "") -> list[tuple[str, str]]:
    """(where, English word) for one Russian notebook."""
    found = []
    for i, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
        source = "".join(cell["source"])
        where = f"{path.name}[{i}]"
        if cell["cell_type"] == "markdown":
            found += [(f"{where} prose", w) for w in english_words(_markdown_prose(source), lecture)]
            continue
        for text in _reader_strings(source):
            found += [(f"{where} code text {text[:40]!r}", w) for w in english_words(text, lecture)]
        for text in _outputs(cell):
            found += [(f"{where} output", w) for w in english_words(text, lecture)]
    return found


def helper_texts() -> list[str]:
    """Every literal text the helpers pass to `tr` (the first argument), read from the helpers' source."""
    texts = []
    for path in sorted((ROOT / "helpers").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", "")) == "tr"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                texts.append(node.args[0].value)
    return texts


def helper_findings() -> list[tuple[str, str]]:
    """(where, text) for each helper text that would stay English in the Russian edition."""
    from helpers.i18n_ru import RU

    return [("helpers: tr() without a Russian text", t) for t in helper_texts() if t not in RU and english_words(t)]


def all_findings() -> list[tuple[str, str]]:
    lecture = _lecture()
    found = []
    for path in sorted(russian.RUSSIAN.glob("*.ipynb")):
        found += notebook_findings(path, lecture)
    return found + helper_findings()


def test_a_russian_reader_meets_no_english():
    found = all_findings()
    assert not found, f"{len(found)} English strings in the Russian edition:\n" + "\n".join(
        f"  {where}: {word}" for where, word in found[:60]
    )


@pytest.mark.parametrize(
    "text, words",
    [
        ("Свёртка с шагом 2 (stride) и `conv2d`", ["stride"]),
        ("На слайде «Pooling layer» — пулинг", []),
        ("точность 99,13 % на MNIST, torch и numpy", []),
        ("| термин | по-английски |\n|---|---|\n| ядро | kernel |", []),
    ],
)
def test_the_scan_finds_english_words(text, words):
    assert english_words(_markdown_prose(text)) == words


# --- one term per concept ----------------------------------------------------------------------------------------

#: concept: a banned variant (regular expression, case-insensitive) and the term to use instead.
BANNED = {
    "dilation": (r"расширени\w*|расширенн\w* ядр", "дилатация"),
    "batch": (r"пакет\w*", "батч"),
    "pattern": (r"узор\w*", "паттерн"),
    "edge (a feature, not the image's border)": (
        r"(?<!\w)кра(?:й|я|ю|ем|е|ёв|ев|ям|ями|ях)(?!\w)"
        r"(?! изображени| холста| карты| рамки)",
        "граница",
    ),
    "max pooling": (r"max-пулинг\w*", "макс-пулинг"),
    "tolerance to shifts": (r"(?<!\w)терп(?:ит|ят|им\w*)", "устойчивость к сдвигам"),
    "the explorer": (r"обозревател\w*", "исследователь"),
    "the sharpen kernel": (r"ядр\w* sharpen|(?<!повышения )резкость \(|ядро резкости", "ядро повышения резкости"),
    "notebook (тетрадка; ноутбук is the laptop)": (
        r"(?:эт\w+|в|из|к|по|к этому|остальн\w+) ноутбук\w*|ноутбук\w* \d\d",
        "тетрадка",
    ),
    "recognises": (r"(?<!\w)чита(?:ет|ют|ется|ются)\b", "распознаёт"),
    "calque «Слайд говорит»": (r"слайд говорит", "На слайде сказано"),
    "calque «ядро ручной работы»": (r"ручной работы", "ядро, заданное вручную"),
    "calque «главным поворотом»": (r"главным поворотом", "поворотным моментом"),
    "calque «классификатор с ядром»": (r"классификатор\w* с ядром", "ядерный классификатор"),
    "calque «однопроцессорный»": (r"однопроцессорн\w*", "вариант для одного GPU"),
    "calque «угадывание наугад»": (r"угадывани\w* наугад", "случайное угадывание"),
    "calque «не разносит»": (r"разносит", "не расходится"),
    "«ты» for the reader": (r"(?<!\w)(?:ты|тебе|тебя|твой|твоя|твои|сравниваешь)(?!\w)", "вы"),
}
#: Where a flagged word means something else: (notebook, the phrase as written).
NOT_THE_CONCEPT = {
    ("00_start_here.ipynb", "пакетов"),
    ("00_start_here.ipynb", "пакет"),  # Python packages, not a batch
}


def russian_texts():
    """(notebook name, text) for every markdown cell and every reader text in code of notebooks/ru/."""
    for path in sorted(russian.RUSSIAN.glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            source = "".join(cell["source"])
            if cell["cell_type"] == "markdown":
                yield path.name, source
            else:
                yield from ((path.name, t) for t in _reader_strings(source))


def banned_terms() -> list[str]:
    found = []
    for name, text in russian_texts():
        for concept, (pattern, instead) in BANNED.items():
            for m in re.finditer(pattern, text, re.I):
                if (name, m.group(0).lower()) not in NOT_THE_CONCEPT:
                    context = text[max(0, m.start() - 40) : m.end() + 20]
                    found.append(f"{name}: «{m.group(0)}» for {concept}, use «{instead}»: …{context}…")
    return found


def test_one_term_per_concept():
    found = banned_terms()
    assert not found, f"{len(found)} banned variants in notebooks/ru/:\n" + "\n".join(found[:40])


@pytest.mark.parametrize(
    "text, banned",
    [
        ("расширение ядра d", True),
        ("дилатация ядра d", False),
        ("целого пакета изображений", True),
        ("батч из 128 цифр", False),
        ("тот же узор", True),
        ("паттерн", False),
        ("детекторы краёв", True),
        ("у края изображения", False),
        ("max-пулинг 2×2", True),
        ("макс-пулинг 2×2", False),
        ("пулинг терпит сдвиги", True),
        ("обозреватель свёртки", True),
        ("в этом ноутбуке", True),
        ("на процессоре ноутбука", False),
        ("сеть читает цифру", True),
        ("читаемый код", False),
    ],
)
def test_the_terminology_check_catches_banned_variants(text, banned):
    hits = [c for c, (p, _) in BANNED.items() if re.search(p, text, re.I)]
    assert bool(hits) == banned, hits


if __name__ == "__main__":
    found = all_findings()
    for where, word in found:
        print(f"{where}: {word}")
    print(f"{len(found)} English strings a Russian reader sees")
    terms = banned_terms()
    print("\n".join(terms))
    print(f"{len(terms)} banned term variants")
