"""The locks the Docker image and CI install from agree with pyproject.toml, so the two cannot
drift apart silently: a dependency added or bounded in one and not the other fails here."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _requirements(*extras: str) -> list[Requirement]:
    project = _project()
    listed = project["dependencies"] + [
        line for extra in extras for line in project["optional-dependencies"][extra]
    ]
    return [Requirement(line) for line in listed]


def _pins(lock: str) -> dict[str, str]:
    return {
        canonicalize_name(name): version for name, version in PIN.findall((ROOT / lock).read_text())
    }


def _extras_needs(requirement: Requirement) -> set[str]:
    """The packages `psycopg[binary]`'s `binary` brings, from the installed package's metadata."""
    needs = set()
    for line in metadata.requires(requirement.name) or []:
        needed = Requirement(line)
        if needed.marker and any(
            needed.marker.evaluate({"extra": extra}) for extra in requirement.extras
        ):
            needs.add(canonicalize_name(needed.name))
    return needs


@pytest.mark.parametrize(
    ("lock", "extras"),
    [("requirements.lock", ("postgres",)), ("requirements-dev.lock", ("postgres", "dev"))],
)
def test_a_lock_pins_every_dependency_within_its_bounds(lock, extras):
    pins = _pins(lock)
    for requirement in _requirements(*extras):
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{lock} misses {requirement}: regenerate it (README, Developing)"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{lock} pins {name}=={pins[name]}, outside pyproject.toml's {requirement}"
        )
        assert _extras_needs(requirement) <= pins.keys(), f"{lock} misses {requirement}'s extras"


def test_ci_tests_the_versions_the_image_ships():
    shipped, tested = _pins("requirements.lock"), _pins("requirements-dev.lock")
    assert {name: tested.get(name) for name in shipped} == shipped


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-dev.lock"])
def test_every_pin_has_its_hashes(lock):
    text = (ROOT / lock).read_text()
    blocks = [b for b in re.split(r"\n(?=[A-Za-z0-9])", text) if PIN.match(b)]  # one a package
    assert len(blocks) == len(_pins(lock))
    assert all("--hash=sha256:" in block for block in blocks)


def test_cryptography_has_an_upper_bound():
    [cryptography] = [r for r in _requirements() if r.name == "cryptography"]
    assert any(spec.operator == "<" for spec in cryptography.specifier)


def test_the_image_and_ci_install_from_the_locks():
    dockerfile = (ROOT / "Dockerfile").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "pip install --require-hashes -r requirements.lock" in dockerfile
    assert "pip install --no-deps ." in dockerfile
    assert "--require-hashes -r requirements-dev.lock" in ci
    assert "--no-deps -e ." in ci
