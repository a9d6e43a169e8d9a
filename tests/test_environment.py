"""pyproject.toml and environment.yml pin the same packages, and the running environment has them."""

import re
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# conda-forge names that differ from PyPI's
CONDA_TO_PYPI = {"pytorch": "torch"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_pins() -> dict[str, str]:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = {}
    for dep in deps:
        name, sep, version = dep.partition("==")
        assert sep, f"pyproject.toml: {dep!r} is not pinned with =="
        pins[_norm(name)] = version
    return pins


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
    for name, version in pyproject_pins().items():
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
    assert not (ROOT / "binder").exists() and not (ROOT / ".binder").exists(), \
        "a binder/ folder would make repo2docker ignore environment.yml and postBuild at the root"


def test_readme_cpu_only_torch_route_names_the_pinned_versions():
    pins = pyproject_pins()
    readme = (ROOT / "README.md").read_text()
    route = re.search(r"pip install (torch==\S+) (torchvision==\S+) --index-url https://download.pytorch.org/whl/cpu",
                      readme)
    assert route, "README: the CPU-only torch command is missing"
    assert route.groups() == (f"torch=={pins['torch']}", f"torchvision=={pins['torchvision']}")
