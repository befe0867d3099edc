""".env.example and .env: a newcomer copies the one to the other; what they meet at start, and
where the file must never go (the image, the repository)."""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import _ENV_NAMES, ConfigError, load_settings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / ".env.example"
ASSIGNMENT = re.compile(r"(#\s*)?([A-Z][A-Z0-9_]*)=(.*)")
# Read by compose.yaml, not by inflow.
COMPOSE_ONLY = {"POSTGRES_PASSWORD", "INFLOW_HTTP_PORT"}


def _assignments() -> list[tuple[bool, str, str]]:
    """Every `NAME=value` line of .env.example, commented out or not: (active, name, value)."""
    found = []
    for line in EXAMPLE.read_text().splitlines():
        match = ASSIGNMENT.fullmatch(line)
        if match:
            found.append((match.group(1) is None, match.group(2), match.group(3)))
    return found


@pytest.fixture
def clean_environment(monkeypatch, tmp_path):
    for name in _ENV_NAMES.values():
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_every_setting_and_the_compose_password_are_in_the_example():
    named = {name for _active, name, _value in _assignments()}
    assert named == set(_ENV_NAMES.values()) | COMPOSE_ONLY


def test_no_comment_follows_a_value():
    """`docker run --env-file` takes everything after `=` as the value, comments too."""
    for line in EXAMPLE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            assert ASSIGNMENT.fullmatch(line), f"not NAME=value: {line!r}"
            assert "#" not in line.split("=", 1)[1], f"a comment after a value: {line!r}"
    for _active, name, value in _assignments():  # and once a commented-out line is taken up
        assert "#" not in value, f"a comment after {name}'s example value"


def test_every_example_value_is_accepted_and_every_placeholder_refused(clean_environment):
    for _active, name, value in _assignments():
        if name in COMPOSE_ONLY:
            continue
        overrides = {_field(name): value}
        if "..." in value:
            with pytest.raises(ConfigError, match=f"^{name}: "):
                load_settings(**overrides)
        else:
            load_settings(**overrides)


def test_serving_with_the_example_copied_unchanged_stops_with_a_line_per_placeholder(tmp_path):
    shutil.copy(EXAMPLE, tmp_path / ".env")
    environment = {k: v for k, v in os.environ.items() if k not in _ENV_NAMES.values()}
    started = subprocess.run(
        [sys.executable, "-m", "bot.cli", "serve", "--http"],
        cwd=tmp_path,
        env={**environment, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode == 1
    lines = started.stderr.strip().splitlines()
    assert [line.split(":")[1].strip() for line in lines] == [
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
    ]
    assert all(line.startswith("inflow: ") and "placeholder" in line for line in lines)
    assert "Traceback" not in started.stderr
    assert not (tmp_path / "inflow.db").exists()  # refused before touching the database


def test_the_env_file_stays_out_of_the_image_and_the_repository():
    for ignore_file in (".dockerignore", ".gitignore"):
        patterns = [
            line.strip()
            for line in (ROOT / ignore_file).read_text().splitlines()
            if line.strip() and not line.startswith("#")
        ]
        for secret in (".env", ".env.local") if ignore_file == ".dockerignore" else (".env",):
            assert any(fnmatch.fnmatch(secret, p.rstrip("/")) for p in patterns), (
                f"{ignore_file} lets {secret} through"
            )
    assert not re.search(r"^COPY\s+\.\s", (ROOT / "Dockerfile").read_text(), re.M)


def _field(name: str) -> str:
    [field] = [field for field, alias in _ENV_NAMES.items() if alias == name]
    return field
