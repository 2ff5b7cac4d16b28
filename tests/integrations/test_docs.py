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
