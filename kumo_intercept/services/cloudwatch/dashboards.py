"""CloudWatch dashboards (PutDashboard, GetDashboard, ListDashboards, DeleteDashboards), mixed into the
CloudWatch backend. Dashboards belong to the account, not a region (their ARN is
``arn:<partition>:cloudwatch::<account>:dashboard/<name>``); the body is kept as given and its size is its
length in bytes.

Facts: LocalStack's AWS-recorded test_cloudwatch.py::test_dashboard_lifecycle (the ARN, ``Size``,
prefix filtering, an empty ``DashboardEntries`` list) and test_invalid_dashboard_name (the
InvalidParameterValue message, ending in a newline); the API reference (DashboardInvalidInputError with
``dashboardValidationMessages`` for a body that is not a JSON object, DashboardNotFoundError, 1,000
dashboards a ListDashboards page).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from ...api import cloudwatch as api
from ...core.clock import from_epoch
from ...core.dispatch import Ctx, RequestContext
from ...core.errors import AwsError

if TYPE_CHECKING:
    from ...store.store import Table

_NAME = re.compile(r"[A-Za-z0-9_-]+")
_PAGE = 1000


def _arn(ctx: RequestContext, name: str) -> str:
    """Dashboards are global: no region in the ARN, the partition still the calling region's."""
    return ctx.arn(f"dashboard/{name}", region="")


def _not_found(message: str) -> AwsError:
    # botocore names the shape DashboardNotFoundError; AWS's code for it is ResourceNotFound
    return AwsError("ResourceNotFound", message, 404, fields={"message": message})


class DashboardOperations:
    """The dashboard handlers of ``CloudWatchBackend`` (``self`` is the backend)."""

    if TYPE_CHECKING:
        dashboards: Table

    def put_dashboard(self, ctx: Ctx[api.PutDashboardRequest]) -> api.PutDashboardResult:
        name, body = ctx.params["DashboardName"], ctx.params["DashboardBody"]
        if not _NAME.fullmatch(name):
            message = ("The value for field DashboardName contains invalid characters. It can only contain "
                       "alphanumerics, dash (-) and underscore (_).\n")
            raise AwsError("InvalidParameterValue", message, 400, fields={"message": message})
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            # the code botocore maps to DashboardInvalidInputError (api's factory names the shape instead)
            message = "The input for the dashboard body is invalid."
            raise AwsError("InvalidParameterInput", message, 400, fields={"message": message, "dashboardValidationMessages": [
                {"DataPath": "", "Message": "The field DashboardBody must be a valid JSON object"}]})
        key = (ctx.account, name)
        tags = {**(self.dashboards.get(key) or {}).get("Tags", {}),
                **{t["Key"]: t["Value"] for t in ctx.params.get("Tags") or []}}
        self.dashboards.put(key, {"Body": body, "LastModified": ctx.time(), "Tags": tags})
        return {"DashboardValidationMessages": []}

    def get_dashboard(self, ctx: Ctx[api.GetDashboardRequest]) -> api.GetDashboardResult:
        name = ctx.params["DashboardName"]
        record = self.dashboards.get((ctx.account, name))
        if record is None:
            raise _not_found(f"Dashboard {name} does not exist")
        return {"DashboardArn": _arn(ctx, name), "DashboardBody": record["Body"], "DashboardName": name}

    def list_dashboards(self, ctx: Ctx[api.ListDashboardsRequest]) -> api.ListDashboardsResult:
        prefix = ctx.params.get("DashboardNamePrefix", "")
        names = sorted(key[1] for key in self.dashboards.keys()
                       if key[0] == ctx.account and key[1].startswith(prefix))
        start = ctx.params.get("NextToken")
        if start is not None:
            names = [n for n in names if n > start]
        entries: list[api.DashboardEntry] = []
        for name in names[:_PAGE]:
            record = self.dashboards[(ctx.account, name)]
            entries.append({"DashboardName": name, "DashboardArn": _arn(ctx, name),
                            "LastModified": from_epoch(record["LastModified"]),
                            "Size": len(record["Body"].encode("utf-8"))})
        out: api.ListDashboardsResult = {"DashboardEntries": entries}
        if len(names) > _PAGE:
            out["NextToken"] = names[_PAGE - 1]
        return out

    def delete_dashboards(self, ctx: Ctx[api.DeleteDashboardsRequest]) -> api.DeleteDashboardsResult:
        names = ctx.params["DashboardNames"]
        missing = [n for n in names if (ctx.account, n) not in self.dashboards]
        if missing:  # nothing is deleted when one is missing
            raise _not_found(f"The specified dashboard does not exist. [{', '.join(missing)}]")
        for name in names:
            self.dashboards.delete((ctx.account, name))
        return {}
