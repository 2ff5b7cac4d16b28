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
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [output for output in outputs if output.output_type == "error"]
    views = [output.data for output in outputs
             if output.output_type == "execute_result" and "text/html" in output.data]
    shown = views[-1]  # the cell that displays `aws` after the SNS calls
    assert "<h4>sns · topics (1)</h4>" in shown["text/html"]
    assert "sns.Publish" in shown["text/html"]
    assert "sns · topics (1)" in shown["text/plain"]
