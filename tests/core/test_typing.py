"""The public API is typed: mypy (from the `test` extra) catches a misspelt ``kumo(...)`` option and
accepts ordinary use of the emulator it returns.

Runs mypy in-process on small snippets against this checkout of kumo_intercept (``MYPYPATH``), with
a cache of its own, so it needs no network and leaves nothing behind.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from mypy import api as mypy_api

import kumo_intercept

PACKAGE_ROOT = Path(kumo_intercept.__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for the module: the second run re-reads kumo_intercept's types instead of re-checking."""
    return tmp_path_factory.mktemp("mypy-cache")


def _mypy(snippet: str, tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, int]:
    source = tmp_path / "snippet.py"
    source.write_text(snippet)
    monkeypatch.setenv("MYPYPATH", str(PACKAGE_ROOT))
    out, err, status = mypy_api.run([
        str(source), "--config-file", "", "--follow-imports", "silent",
        "--cache-dir", str(cache), "--no-error-summary",
    ])
    assert not err, err
    return out, status


def test_a_misspelt_option_is_a_type_error(tmp_path: Path, mypy_cache: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    out, status = _mypy("from kumo_intercept import kumo\n\naws = kumo(sed=1)\n", tmp_path, mypy_cache, monkeypatch)
    assert status == 1
    assert 'snippet.py:3: error: Unexpected keyword argument "sed"' in out
    assert 'did you mean "seed"?' in out


def test_ordinary_use_type_checks(tmp_path: Path, mypy_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    snippet = (
        "from kumo_intercept import kumo\n"
        "\n"
        "with kumo(clock=\"virtual\", seed=1, region=\"eu-west-1\") as aws:\n"
        "    aws.clock.advance(5)\n"
        "    now: float = aws.clock.time()\n"
    )
    out, status = _mypy(snippet, tmp_path, mypy_cache, monkeypatch)
    assert (out, status) == ("", 0)
