"""Helpers for the Lambda tests: zip packages built in memory."""

from __future__ import annotations

import io
import textwrap
import zipfile


ROLE = "arn:aws:iam::123456789012:role/lambda-role"


def make_zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, textwrap.dedent(text))
    return buffer.getvalue()


def create(client, name: str, files: dict[str, str], handler: str = "app.handler", **kwargs):
    kwargs.setdefault("Runtime", "python3.12")
    return client.create_function(FunctionName=name, Role=ROLE, Handler=handler,
                                  Code={"ZipFile": make_zip(files)}, **kwargs)


