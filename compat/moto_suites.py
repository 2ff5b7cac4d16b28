"""moto's own public-API tests, run unchanged with kumo_intercept in moto's place (issue 18.10).

    python compat/moto_suites.py --moto-repo PATH [--ref 5.2.1] [--services sqs s3 ...] [-n 2]
                                 [--out results.json] [--keep DIR] [-k EXPR]

PATH is a clone of https://github.com/getmoto/moto (a bare mirror works too). ``--ref`` defaults to the
installed moto's version, so that the helpers the tests import from moto match the tests. The tests of
each service are taken from ``tests/test_<service>/`` at that ref and run under pytest with
``-p compat.moto_shim``, which hands them kumo_intercept's ``mock_aws``. A test counts when it uses only
moto's public API (``mock_aws``, ``settings``, ``DEFAULT_ACCOUNT_ID``, moto's utility functions and
constants); tests that reach into moto's backends, models or server test moto itself and are left out
of the rate (found from the names each test function uses; moto's HTTP-server test modules are not run).

The result per service is passed / failed / errors out of the public tests, written as JSON with every
failing test's id and first error line, so that two runs can be compared. A failure is not by itself a
defect: moto accepts much that AWS refuses; where moto is wrong, a test of ours pins AWS's answer (see
compat/README.md).
"""

from __future__ import annotations

import argparse
import ast
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path

SERVICES = ("sqs", "s3", "dynamodb", "sns", "events", "logs", "cloudwatch")
PROJECT = Path(__file__).resolve().parent.parent
_PUBLIC = {("moto", "mock_aws"), ("moto", "settings"), ("moto.core", "DEFAULT_ACCOUNT_ID")}
_UTILITY_MODULES = ("moto.core.utils", "moto.utilities")


def names_from_moto_internals(tree: ast.Module) -> set[str]:
    """Names a test module binds to moto's internals: backends, models, its server and parsers.

    What a moto user writes in a test is public (``mock_aws``, ``settings``, ``DEFAULT_ACCOUNT_ID``), and
    so are moto's utility functions and constants, which compute values without reaching into moto."""
    internal: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("moto"):
            module = node.module or ""
            for alias in node.names:
                public = ((module, alias.name) in _PUBLIC or module.startswith(_UTILITY_MODULES)
                          or alias.name.isupper())
                if not public:
                    internal.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            internal.update((alias.asname or alias.name).split(".")[0] for alias in node.names
                            if alias.name.startswith("moto.") and not alias.name.startswith(_UTILITY_MODULES))
    return internal


def internal_tests(path: Path, tests_root: Path) -> set[str]:
    """Ids (``module.Class::name``, as junit reports them) of the tests in ``path`` that use moto's
    internals. A helper function of the module that uses them is not followed."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    internal = names_from_moto_internals(tree)
    module = ".".join(path.relative_to(tests_root.parent).with_suffix("").parts)
    found: set[str] = set()
    for owner, function in _test_functions(tree, module):
        if any(isinstance(node, ast.Name) and node.id in internal for node in ast.walk(function)):
            found.add(f"{owner}::{function.name}")
    return found


def _test_functions(tree: ast.Module, module: str) -> Iterator[tuple[str, ast.FunctionDef]]:
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
            yield module, node
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            for member in node.body:
                if isinstance(member, ast.FunctionDef) and member.name.startswith("test"):
                    yield f"{module}.{node.name}", member


def extract_tests(repo: Path, ref: str, into: Path) -> Path:
    """Write ``tests/`` of ``ref`` under ``into`` (git archive works on clones and bare mirrors)."""
    archive = subprocess.run(["git", f"--git-dir={_git_dir(repo)}", "archive", ref, "tests"],
                             check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "tests"


def _git_dir(repo: Path) -> Path:
    return repo / ".git" if (repo / ".git").exists() else repo


def test_files(tests: Path, service: str) -> list[Path]:
    """The service's test modules, without those that test moto's own HTTP server."""
    return sorted(path for path in (tests / f"test_{service}").rglob("test_*.py") if "server" not in path.stem)


def run_pytest(root: Path, files: list[Path], workers: int, keyword: str | None) -> Path:
    report = root / f"junit-{os.getpid()}-{len(files)}.xml"
    command = [sys.executable, "-m", "pytest", "-p", "compat.moto_shim", "-p", "no:cacheprovider", "-q",
               "--no-header", "-rN", "--tb=line", f"--junitxml={report}", "-W", "ignore",
               *(["-n", str(workers)] if workers > 1 else []), *(["-k", keyword] if keyword else []),
               *(str(path.relative_to(root)) for path in files)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PROJECT), str(root)])}
    subprocess.run(command, cwd=root, env=env, stdout=subprocess.DEVNULL, check=False)
    return report


def tally(report: Path, internal: set[str]) -> dict[str, object]:
    """Counts and failing test ids from a junit report, leaving out the tests of moto's internals."""
    passed, skipped, left_out, failures = 0, 0, 0, {}
    for case in ElementTree.parse(report).iter("testcase"):
        name = f"{case.get('classname')}::{case.get('name')}"
        if name.split("[")[0] in internal:
            left_out += 1
            continue
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is not None:
            failures[name] = (problem.get("message") or "").splitlines()[0][:300] if problem.get("message") else ""
        elif case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
    total = passed + len(failures)
    return {"passed": passed, "failed": len(failures), "skipped": skipped, "internal": left_out,
            "rate": round(passed / total, 4) if total else None, "failures": failures}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--moto-repo", type=Path, required=True)
    parser.add_argument("--ref", default=None, help="tag or commit (default: the installed moto's version)")
    parser.add_argument("--services", nargs="+", default=list(SERVICES))
    parser.add_argument("-n", "--workers", type=int, default=2)
    parser.add_argument("-k", dest="keyword", default=None)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--keep", type=Path, default=None, help="extract the tests here and keep them")
    args = parser.parse_args(argv)
    ref = args.ref or _installed_moto_version()
    root = args.keep or Path(tempfile.mkdtemp(prefix="moto-suites-"))
    tests = root / "tests" if (root / "tests").exists() else extract_tests(args.moto_repo, ref, root)
    results: dict[str, object] = {"moto_ref": ref}
    for service in args.services:
        files = test_files(tests, service)
        internal = set().union(*(internal_tests(path, tests) for path in files))
        result = tally(run_pytest(root, files, args.workers, args.keyword), internal)
        results[service] = result
        print(f"{service:<11} {result['passed']:>5} passed {result['failed']:>5} failed "
              f"{result['skipped']:>4} skipped  rate {result['rate']}  ({result['internal']} tests of moto's "
              "internals left out)", flush=True)
    if args.out:
        args.out.write_text(json.dumps(results, indent=1, sort_keys=True), encoding="utf-8")
    return 0


def _installed_moto_version() -> str:
    from importlib.metadata import version
    return version("moto")


if __name__ == "__main__":
    sys.exit(main())
