"""The docs stay true: their links resolve and the guide's quickstart runs as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted((ROOT / "docs").glob("*.md")) + [ROOT / "examples" / "README.md"]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize("page", PAGES, ids=lambda page: f"{page.parent.name}/{page.name}")
def test_relative_links_resolve(page):
    targets = [target for target in LINK.findall(page.read_text()) if "://" not in target]
    missing = [target for target in targets if not (page.parent / target).exists()]
    assert not missing, f"{page.name} links to missing files: {missing}"


def test_the_quickstart_runs_as_written():
    guide = (ROOT / "docs" / "guide.md").read_text()
    quickstart = guide.split("## Quickstart", 1)[1]
    code = re.search(r"```python\n(.*?)```", quickstart, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "docs/guide.md#quickstart", "exec"), namespace)
    assert namespace["aws"].calls.names() == ["sqs.CreateQueue", "sqs.SendMessage"]


def _python_blocks() -> list[tuple[str, str]]:
    blocks = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for number, match in enumerate(re.finditer(r"```python\n(.*?)```", page.read_text(), re.S)):
            blocks.append((f"{page.relative_to(ROOT)}#{number}", match.group(1)))
    return blocks


def _with_marks(blocks: list[tuple[str, str]]) -> list:
    """docs/server.md's blocks open loopback sockets (its examples serve over HTTP)."""
    return [pytest.param(where, code, id=where,
                         marks=[pytest.mark.allow_network] if where.startswith("docs/server.md") else [])
            for where, code in blocks]


@pytest.mark.parametrize(("where", "code"), _with_marks(_python_blocks()))
def test_every_python_block_of_the_docs_runs_as_pasted(where, code, tmp_path, monkeypatch):
    """Each ```python block of README.md and docs/ runs on its own, in a fresh namespace, and leaves no
    emulator active (IPython magics are in ```ipython blocks)."""
    from kumo_intercept import current

    monkeypatch.chdir(tmp_path)
    exec(compile(code, where, "exec"), {"__name__": "__docs__"})
    assert current() is None, f"{where} leaves an emulator active"
