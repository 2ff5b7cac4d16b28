"""DynamoDB resource-based policies of tables (PutResourcePolicy, GetResourcePolicy, DeleteResourcePolicy,
CreateTable's ResourcePolicy), mixed into the DynamoDB backend.

A table's policy lives in its record (``policy``: the text and its revision ID) and goes with the table;
IAM enforcement reads it through ``resource_facts``. A revision ID is the epoch milliseconds of the
change (AWS's IDs are timestamps, so a later revision compares greater); putting the policy a table
already has is a no-op that keeps its revision. Everything completes within the call.

Facts: the DynamoDB API reference (the three operations, ``ExpectedRevisionId`` and its ``NO_POLICY``
value) and the AWS-verified tests of moto's test_dynamodb_resource_policy.py for the wording of
PolicyNotFoundException and ResourceNotFoundException.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...api import dynamodb
from ...core.dispatch import Ctx, RequestContext
from ...core.errors import NotEmulatedError

if TYPE_CHECKING:
    from ...store.store import Table
    from .engine import TableEngine
    from .tables import TableInfo

#: ExpectedRevisionId of a PutResourcePolicy that expects the table to have no policy yet
NO_POLICY = "NO_POLICY"
_NOT_FOUND = "Resource-based policy not found for the provided ResourceArn: "


class PolicyOperations:
    """The resource-policy handlers of ``DynamoDBBackend`` (``self`` is the backend)."""

    if TYPE_CHECKING:  # what the backend provides
        tables: Table
        engine: TableEngine

    def put_resource_policy(self, ctx: Ctx[dynamodb.PutResourcePolicyRequest]) -> dynamodb.PutResourcePolicyResult:
        info = self._policy_table(ctx, ctx.params["ResourceArn"])
        current = info.record.get("policy")
        expected = ctx.params.get("ExpectedRevisionId")
        if expected == NO_POLICY and current is not None:
            raise dynamodb.policy_not_found_exception(
                f"{_NOT_FOUND}Requested policy update expecting none to be present for table {info.name}, but a "
                f"policy exists with revision id {current['revision']}.")
        if expected not in (None, NO_POLICY):
            _check_revision(info, expected)
        text = ctx.params["Policy"]
        if current is not None and current["text"] == text:
            return {"RevisionId": current["revision"]}
        return {"RevisionId": self.set_policy(ctx, info, text)}

    def set_policy(self, ctx: RequestContext[Any], info: TableInfo, text: str) -> str:
        """Give the table the policy ``text`` under a new revision ID, which it returns."""
        current = info.record.get("policy")
        revision = int(ctx.time() * 1000)
        if current is not None:
            revision = max(revision, int(current["revision"]) + 1)
        self.tables.put(info.key, {**info.record, "policy": {"text": text, "revision": str(revision)}})
        return str(revision)

    def get_resource_policy(self, ctx: Ctx[dynamodb.GetResourcePolicyRequest]) -> dynamodb.GetResourcePolicyResult:
        arn = ctx.params["ResourceArn"]
        current = self._policy_table(ctx, arn).record.get("policy")
        if current is None:
            raise dynamodb.policy_not_found_exception(_NOT_FOUND + arn)
        return {"Policy": current["text"], "RevisionId": current["revision"]}

    def delete_resource_policy(self, ctx: Ctx[dynamodb.DeleteResourcePolicyRequest]
                               ) -> dynamodb.DeleteResourcePolicyResult:
        arn = ctx.params["ResourceArn"]
        info = self._policy_table(ctx, arn)
        current = info.record.get("policy")
        if current is None:
            raise dynamodb.policy_not_found_exception(_NOT_FOUND + arn)
        if ctx.params.get("ExpectedRevisionId") is not None:
            _check_revision(info, ctx.params["ExpectedRevisionId"])
        self.tables.put(info.key, {k: v for k, v in info.record.items() if k != "policy"})
        return {"RevisionId": current["revision"]}

    def _policy_table(self, ctx: RequestContext[Any], arn: str) -> TableInfo:
        parts = arn.split(":", 5)
        path = parts[5].split("/") if len(parts) == 6 else []
        if len(path) > 2 and path[2] == "stream":
            raise NotEmulatedError("dynamodb", ctx.operation, "resource policies of streams are not emulated "
                                   "(tables' are)")
        name = path[1] if len(path) >= 2 and path[0] == "table" else arn
        return self.engine.table(ctx, arn, f"Requested resource not found: Table: {name} not found")


def _check_revision(info: TableInfo, expected: str) -> None:
    current = info.record.get("policy")
    if current is None:
        raise dynamodb.policy_not_found_exception(_NOT_FOUND + info.record["arn"])
    if current["revision"] != expected:
        raise dynamodb.policy_not_found_exception(
            f"{_NOT_FOUND}Requested update for policy with revision id {expected}, but the policy associated to "
            f"target table {info.name} has revision id {current['revision']}.")
