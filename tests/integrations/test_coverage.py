"""The coverage tables say exactly what the emulator does: every operation marked emulated has a
handler, every other one raises NotEmulatedError through a real client."""

from __future__ import annotations

import io
from pathlib import Path

import boto3
import pytest

from kumo_intercept import NotEmulatedError, kumo
from kumo_intercept.core.dispatch import BACKENDS, backend_class
from kumo_intercept.integrations.coverage import all_coverage, main, render, service_coverage, stale_services

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_sts_coverage_matches_the_dispatcher():
    coverage = service_coverage("sts")
    assert {"AssumeRole", "GetCallerIdentity", "GetSessionToken"} <= set(coverage.emulated)
    assert "AssumeRoot" in coverage.missing
    assert coverage.total == len(coverage.emulated) + len(coverage.missing)
    emulator = kumo()
    for operation in coverage.emulated:
        assert callable(emulator.handler("sts", operation))
    for operation in coverage.missing:
        with pytest.raises(NotEmulatedError):
            emulator.handler("sts", operation)


def test_an_operation_marked_not_emulated_raises_a_helpful_error():
    assert "AssumeRoot" in service_coverage("sts").missing
    with kumo() as aws:
        with pytest.raises(NotEmulatedError) as caught:
            boto3.client("sts").assume_root(TargetPrincipal="111122223333", TaskPolicyArn={
                "arn": "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"})
    message = str(caught.value)
    assert "sts.AssumeRoot" in message
    assert "No request was sent anywhere" in message and "docs/coverage.md" in message
    assert "botocore.stub.Stubber" in message
    assert aws.calls.names() == [], "a call that was not served is not in the ledger"


def test_the_page_has_a_summary_and_a_table_per_service():
    page = render([service_coverage("sts")])
    assert "| [AWS Security Token Service](#sts) | `sts` |" in page
    assert "## sts" in page
    assert "| GetCallerIdentity | emulated |" in page
    assert "| AssumeRoot | NotEmulatedError |" in page


def test_main_writes_the_page_for_the_named_services():
    out = io.StringIO()
    main(["sts"], out)
    assert out.getvalue().startswith("# Coverage\n") and "## sts" in out.getvalue()
    assert "## sqs" not in out.getvalue()


def test_the_committed_page_lists_every_service_of_the_registry():
    page = (DOCS / "coverage.md").read_text()
    for service in BACKENDS:
        assert f"## {service}\n" in page, f"regenerate docs/coverage.md: {service} is missing"


def test_the_committed_page_is_current():
    """What docs/coverage.md marks emulated is exactly what the dispatcher serves, service by service."""
    stale = stale_services((DOCS / "coverage.md").read_text())
    assert not stale, f"regenerate docs/coverage.md (python -m kumo_intercept.integrations.coverage): {stale}"


def test_the_check_command_compares_only_what_is_emulated(tmp_path):
    """docs/ci.md's check passes on a page made with another botocore (operations it does not know are
    listed as not emulated or missing), and fails when an emulated operation is left out."""
    page = (DOCS / "coverage.md").read_text()
    other_botocore = page.replace("| GetFederationToken | NotEmulatedError |\n", "") + "| FutureOperation | NotEmulatedError |\n"
    (tmp_path / "other.md").write_text(other_botocore)
    assert main(["--check", str(tmp_path / "other.md")], io.StringIO()) == 0
    (tmp_path / "stale.md").write_text(page.replace("| GetCallerIdentity | emulated |\n", ""))
    out = io.StringIO()
    assert main(["--check", str(tmp_path / "stale.md")], out) == 1
    assert "stale for sts: GetCallerIdentity" in out.getvalue()


def test_operations_left_out_on_purpose_are_real_missing_operations_and_say_why():
    """A backend's ``not_emulated`` reasons name operations of its model that it does not handle, and the
    NotEmulatedError of such a call carries the reason."""
    for service in BACKENDS:
        cls = backend_class(service)
        reasons = getattr(cls, "not_emulated", {}) if cls is not None else {}
        assert set(reasons) <= set(service_coverage(service).missing), service
    with kumo():
        with pytest.raises(NotEmulatedError, match="needs AWS Organizations"):
            boto3.client("iam").list_organizations_features()
