"""examples/notebook.ipynb runs top to bottom in a real Jupyter kernel, so it never rots."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.allow_network  # the kernel talks to nbclient over local ZMQ sockets
def test_the_example_notebook_runs_and_shows_the_emulator():
    notebook = nbformat.read(EXAMPLES / "notebook.ipynb", as_version=4)
    NotebookClient(notebook, timeout=60, kernel_name="python3",
                   resources={"metadata": {"path": str(EXAMPLES)}}).execute()
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert not [output for cell in code for output in cell.outputs if output.output_type == "error"]

    [shown] = [cell.outputs[0].data for cell in code if cell.source == "aws"]
    html, text = shown["text/html"], shown["text/plain"]
    assert "<h4>s3 · buckets (1)</h4>" in html and "<td>photos</td><td>123456789012</td>" in html
    assert "<h4>sqs · queues (1)</h4>" in html and "<h4>sns · topics (1)</h4>" in html
    assert "<td>sqs.ReceiveMessage</td>" in html
    assert "photos  123456789012  us-east-1  3        5.9 KiB" in text
    assert "thumbnails" in text and "recent calls (10 of 12)" in text
