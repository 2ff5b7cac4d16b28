"""The layout rules of the code base, checked: no module reaches into another module's underscore
names, and services never import each other (they meet through core/ports.py)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "kumo_intercept"

#: private names of code that is not ours, each with the reason it is read
FOREIGN_PRIVATES = {
    "_is_owned": "threading.RLock: whether this thread holds the emulator lock (no public API)",
    "_release_save": "threading.RLock: release a re-entrant lock fully around user code (as Condition does)",
    "_acquire_restore": "threading.RLock: re-take it at the same depth (as Condition does)",
    "_credentials": "botocore.Session: credentials set explicitly (our get_credentials replaces its own)",
    "_session": "boto3.Session: the botocore session of a boto3 default session made before import",
    "_handlers": "botocore.hooks.HierarchicalEmitter: who listens to an event (the fast path, core/fastpath.py)",
    "_check_special_validation_cases": "botocore.validate.ParamValidator: which of its methods validates a shape "
                                       "(the fast path's validator asks once per shape, core/fastpath.py)",
    "_emit_api_params": "botocore.client.BaseClient: runs the params customisations (provide-client-params, "
                        "before-parameter-build) of a call the fast path answers in process (core/fastpath.py)",
    "_request_signer": "botocore.client.BaseClient: the signer botocore hands to before-call handlers (its "
                       "credentials name the caller)",
    "_create_client": "aiobotocore.AioSession: the coroutine behind create_client (gets the emulator's region)",
    "_repr_html_": "IPython's display protocol, not a private name",
    "_request": "aiohttp.ClientSession: the one method every request goes through (get/post/request call it); "
                "wire/httpclients.py serves AWS hosts there",
}


def _modules() -> list[Path]:
    return [path for path in PACKAGE.rglob("*.py") if "api" not in path.relative_to(PACKAGE).parts[:1]]


def _defined_privates(tree: ast.AST) -> set[str]:
    """Underscore names a module defines: functions, classes, attributes assigned anywhere in it."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return {name for name in names if name.startswith("_")}


def test_no_module_reads_another_modules_underscore_names():
    offences = []
    for path in _modules():
        tree = ast.parse(path.read_text())
        own = _defined_privates(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute) or not node.attr.startswith("_") or node.attr.startswith("__"):
                continue
            if node.attr in own or node.attr in FOREIGN_PRIVATES:
                continue
            offences.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {ast.unparse(node)}")
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported = [alias.name for alias in node.names if alias.name.startswith("_")]
                offences += [f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: imports {name} from {node.module}"
                             for name in imported]
    assert not offences, "modules reach into other modules' underscore names:\n" + "\n".join(offences)


def _service_of(path: Path) -> str | None:
    parts = path.relative_to(PACKAGE).parts
    return parts[1] if parts[0] == "services" and len(parts) > 2 else None


def test_services_never_import_each_other():
    """A service folder imports core/, store/, api/ and itself; eventpatterns is a shared library of
    the services (it has no backend)."""
    offences = []
    for path in _modules():
        service = _service_of(path)
        if service is None:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 2 and node.module:
                other = node.module.split(".")[0]
                if other not in (service, "eventpatterns"):
                    offences.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: from ..{node.module}")
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                for name in names:
                    if name.startswith("kumo_intercept.services."):
                        other = name.split(".")[2]
                        if other not in (service, "eventpatterns"):
                            offences.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: import {name}")
    assert not offences, "services import each other (use core/ports.py):\n" + "\n".join(offences)
