"""What `pip install .` puts on a machine: one package, `bot`, with the shipped guides inside."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The folders at the root that pyproject installs inside `bot` (tool.setuptools.package-dir).
INSTALLED_AS = {"handlers": "bot.handlers", "migrations": "bot.migrations"}


def _python_files() -> list[Path]:
    return [
        path
        for folder in ("bot", "handlers", "migrations", "tests", "bench")
        for path in (ROOT / folder).rglob("*.py")
    ]


def test_nothing_imports_handlers_or_migrations_by_their_folder_names():
    """A wheel has no top-level `handlers` or `migrations`: such an import works in a checkout
    only, and loads a second copy of the module beside bot.handlers' there."""
    wrong = []
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                if name.split(".")[0] in INSTALLED_AS:
                    wrong.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}")
    assert wrong == []


def test_every_package_folder_is_listed_in_pyproject():
    """pyproject lists the packages (a mapped folder cannot be found): a new one must be added."""
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(settings["packages"])
    folders = {"bot": "bot", **INSTALLED_AS}
    found = set()
    for folder, package in folders.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / folder).parts
            found.add(".".join((package, *relative)))
    assert found - listed == set()
    mapped = {package: folder for folder, package in INSTALLED_AS.items()}
    assert settings["package-dir"] == {**mapped, "bot.content": "content"}


def test_a_plain_install_finds_the_shipped_guides(tmp_path):
    """Build the wheel from a copy of the sources, install it into a new virtualenv, lint."""
    source = tmp_path / "source"
    for folder in ("bot", "handlers", "migrations", "content"):
        shutil.copytree(
            ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", tmp_path, source], check=True)
    [wheel] = tmp_path.glob("inflow-*.whl")

    top_level = {Path(name).parts[0] for name in zipfile.ZipFile(wheel).namelist()}
    assert top_level == {"bot", "inflow-0.1.0.dist-info"}
    shipped = zipfile.ZipFile(wheel).namelist()
    for kind in ("guides", "paths"):
        files = [name for name in shipped if name.startswith(f"bot/content/{kind}/")]
        assert len(files) == len(list((ROOT / "content" / kind).glob("*.md"))), kind
    guides = [name for name in shipped if name.startswith("bot/content/guides/")]

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    python = venv / "bin" / "python"
    subprocess.run([*pip, "--python", python, "install", "--no-deps", wheel], check=True)
    # The dependencies come from this interpreter's environment (added after the install, so
    # pip never sees the editable inflow there); its .pth files are not read, so inflow is the
    # wheel's.
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(site) / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    env = {k: v for k, v in os.environ.items() if not k.startswith(("INFLOW_", "PYTHON"))}
    run = subprocess.run(
        [venv / "bin" / "inflow", "content", "lint", "--today", "2026-11-21"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stderr.startswith(f"{len(guides)} guides"), run.stderr
    assert "checked: 0 errors" in run.stderr, run.stderr
    where = subprocess.run(
        [python, "-c", "import bot.config, bot.handlers; print(bot.config.DEFAULT_CONTENT_DIR)"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert where == str(Path(site).resolve() / "bot" / "content" / "guides")
