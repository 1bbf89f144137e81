"""Fixtures: the `wsim` command line to compare with, and small traces it writes."""

import os
import subprocess
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def wsim_cli() -> str:
    """The `wsim` binary of the same build (`cargo make python` sets WSIM_BIN)."""
    path = os.environ.get("WSIM_BIN")
    if not path or not Path(path).is_file():
        pytest.fail(f"WSIM_BIN must name the wsim binary to compare with (got {path!r})")
    return path


def run_cli(wsim_cli: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([wsim_cli, *args], capture_output=True, text=True, check=False)


@pytest.fixture(scope="session")
def traces(wsim_cli, tmp_path_factory) -> list:
    """Three small traces in three formats, written by `wsim gen`."""
    directory = tmp_path_factory.mktemp("traces")
    made = []
    for name, seed, alpha in [
        ("a.oracleGeneral", 1, 0.7),
        ("b.csv", 2, 0.9),
        ("c.lcs", 3, 1.1),
    ]:
        path = directory / name
        done = run_cli(
            wsim_cli,
            "gen",
            "--output",
            str(path),
            "--requests",
            "20000",
            "--objects",
            "3000",
            "--alpha",
            str(alpha),
            "--seed",
            str(seed),
        )
        assert done.returncode == 0, done.stderr
        made.append(str(path))
    return made
