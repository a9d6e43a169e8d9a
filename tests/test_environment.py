"""pyproject.toml and environment.yml pin the same packages, and the running environment has them."""

import ast
import json
import os
import re
import subprocess
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# conda-forge names that differ from PyPI's
CONDA_TO_PYPI = {"pytorch": "torch"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(deps: list) -> dict[str, str]:
    pins = {}
    for dep in deps:
        if isinstance(dep, dict):  # {include-group = "..."}
            continue
        name, sep, version = dep.partition("==")
        assert sep, f"pyproject.toml: {dep!r} is not pinned with =="
        pins[_norm(name)] = version
    return pins


def pyproject_pins() -> dict[str, str]:
    """A student's kernel: [project] dependencies."""
    return _pins(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"])


def group_pins() -> dict[str, dict[str, str]]:
    """The instructor's and the tests' packages: [dependency-groups]."""
    groups = tomllib.loads((ROOT / "pyproject.toml").read_text())["dependency-groups"]
    return {name: _pins(deps) for name, deps in groups.items()}


def environment_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "environment.yml").read_text().splitlines():
        m = re.fullmatch(r"\s+-\s+([A-Za-z0-9_.-]+)=([^=\s]+)\s*", line)
        if m and m.group(1) != "python":
            pins[_norm(CONDA_TO_PYPI.get(m.group(1), m.group(1)))] = m.group(2)
    return pins


def test_environment_yml_lists_the_same_pins_as_pyproject():
    assert environment_pins() == pyproject_pins()


def test_environment_yml_uses_conda_forge_only():
    text = (ROOT / "environment.yml").read_text()
    channels = re.search(r"channels:\n((?:\s+- .*\n)+)", text).group(1)
    assert [c.strip("- \n") for c in channels.splitlines()] == ["conda-forge"]


def test_installed_versions_are_the_pinned_ones():
    wrong = {}
    pins = pyproject_pins()
    for group in group_pins().values():
        pins.update(group)
    for name, version in pins.items():
        installed = metadata.version(name).split("+")[0]  # torch reports 2.14.1+cu130
        if installed != version:
            wrong[name] = (installed, version)
    assert not wrong, f"installed vs pinned: {wrong}; run `make install` again"


def _supported_minors() -> list[str]:
    """The Python 3 minor versions pyproject.toml's requires-python admits (>=3.A,<3.B)."""
    spec = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    low, high = (int(v) for v in re.fullmatch(r">=3\.(\d+),<3\.(\d+)", spec).groups())
    return [f"3.{m}" for m in range(low, high)]


def test_python_311_to_313_are_supported_and_this_one_is_among_them():
    import sys

    assert _supported_minors() == ["3.11", "3.12", "3.13"]
    assert f"{sys.version_info.major}.{sys.version_info.minor}" in _supported_minors()


def test_binder_and_jupyterhub_images_install_the_helpers_package():
    # repo2docker builds the conda environment from environment.yml (it needs an exact `python=X.Y`, else it
    # falls back to its own default, 3.10, which pip would refuse), then runs postBuild.
    text = (ROOT / "environment.yml").read_text()
    python = re.search(r"^\s+-\s+python=(\d+\.\d+)\s*$", text, re.M)
    assert python and python.group(1) in _supported_minors()
    post_build = ROOT / "postBuild"
    assert post_build.stat().st_mode & 0o111, "postBuild must be executable"
    steps = [line.strip() for line in post_build.read_text().splitlines() if line.strip() and not line.startswith("#")]
    assert "python -m pip install --no-deps -e ." in steps
    assert any(step.startswith("cp jupyter/overrides.json ") for step in steps), "the class settings, as make lab"
    assert not (ROOT / "binder").exists() and not (ROOT / ".binder").exists(), (
        "a binder/ folder would make repo2docker ignore environment.yml and postBuild at the root"
    )


def test_the_cpu_only_torch_route_installs_the_pinned_versions():
    """`make lab CPU_TORCH=1` takes torch and torchvision from PyTorch's CPU index, at the versions pyproject pins."""
    pins = pyproject_pins()
    dry = subprocess.run(
        ["make", "-n", "--always-make", "install", "CPU_TORCH=1", "VENV=/nonexistent"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout
    route = re.search(
        r"pip install .* (torch==\S+) (torchvision==\S+) --index-url https://download.pytorch.org/whl/cpu", dry
    )
    assert route, f"make's CPU-only torch step is missing:\n{dry}"
    assert route.groups() == (f"torch=={pins['torch']}", f"torchvision=={pins['torchvision']}")
    assert "--no-install-package torch " in dry and "--no-install-package nvidia-cublas" in dry
    assert "make lab CPU_TORCH=1" in (ROOT / "README.md").read_text()


def test_the_lock_matches_pyproject():
    """uv.lock pins every package for every platform; `uv lock --locked` fails when pyproject.toml changed since."""
    found = sorted(ROOT.glob(".tools/uv-*/bin/uv"))
    if not found:
        pytest.skip("uv is bootstrapped by make (.tools/); run through `make test`")
    out = subprocess.run(
        [str(found[-1]), "lock", "--locked", "--offline"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"},
    )
    assert out.returncode == 0, f"uv.lock and pyproject.toml disagree; run `uv lock`:\n{out.stderr}"


# import name -> distribution, where the two differ
IMPORT_TO_DIST = {
    "PIL": "pillow",
    "skimage": "scikit-image",
    "sklearn": "scikit-learn",
    "IPython": "ipython",
    "yaml": "pyyaml",
}
# imported, but arrive with a declared package (IPython with ipykernel), or are the project's own
IMPLIED = {"ipython"}
# declared, never imported by name: a JupyterLab extension, a pytest plugin and runners called as commands
NOT_IMPORTED = {"jupyterlab-widgets", "jupyterlab", "ipykernel", "pytest-xdist", "nbval", "ruff"}


def _imports() -> set[str]:
    """Top-level modules imported by helpers/, tools/, tests/, benchmarks/ and every notebook's code."""
    sources = [
        p.read_text(encoding="utf-8")
        for d in ("helpers", "tools", "tests", "benchmarks")
        for p in (ROOT / d).rglob("*.py")
    ]
    for nb in (ROOT / "notebooks").rglob("*.ipynb"):
        sources += [
            "\n".join(line for line in "".join(c["source"]).splitlines() if not line.lstrip().startswith("%"))
            for c in json.loads(nb.read_text(encoding="utf-8"))["cells"]
            if c["cell_type"] == "code"
        ]
    found = set()
    for source in sources:
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                found |= {alias.name.partition(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                found.add(node.module.partition(".")[0])
    return found


def test_every_imported_package_is_declared_and_every_declared_one_used():
    import sys

    # the project's own modules; `wire` is tools/grading/wire.py as the sandbox's worker imports it (by file)
    own = {"helpers", "tools", "tests", "benchmarks", "lesson_code", "solutions", "browser_support", "conftest", "wire"}
    third_party = {m for m in _imports() if m not in sys.stdlib_module_names and m not in own and m != "__future__"}
    used = {_norm(IMPORT_TO_DIST.get(m, m)) for m in third_party}
    declared = set(pyproject_pins())
    for group in group_pins().values():
        declared |= set(group)
    assert used - declared - IMPLIED == set(), "imported but not declared in pyproject.toml"
    assert declared - used - NOT_IMPORTED == set(), "declared in pyproject.toml but never imported"
