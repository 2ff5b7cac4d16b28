"""CloudWatch Logs export tasks to S3 (CreateExportTask, DescribeExportTasks, CancelExportTask), mixed
into the Logs backend. An export runs when it is created: the permission probe object and the group's
events in [from, to) are written to the bucket through S3's port, and the task is COMPLETED at once,
so CancelExportTask finds it finished.

Facts (AWS-recorded in moto's aws_verified test_export_tasks.py and LocalStack's test_logs_export_tasks.py,
and the user guide's "Exporting log
data to Amazon S3"): the task id is a UUID; the bucket first receives ``aws-logs-write-test`` holding
``Permission Check Successful``; the prefix defaults to ``exportedlogs``; objects are
``<prefix>/<task id>/<stream>/000000.gz``, gzipped lines of ``<ISO-8601 timestamp> <message>``;
a missing bucket is InvalidParameterException "The given bucket does not exist. Please make sure the
bucket is valid."; an unknown task is ResourceNotFoundException "The specified export task does not
exist." from CancelExportTask, while DescribeExportTasks finds nothing for it (LocalStack's
AWS-recorded test_logs_export_tasks.py); cancelling a finished task is InvalidOperationException "The specified export task has
already finished". Status codes are botocore's ExportTaskStatusCode enum.
"""

from __future__ import annotations

import gzip
from typing import TYPE_CHECKING, Any, Iterator

from ...api import logs as api
from ...core.clock import from_epoch
from ...core.dispatch import Ctx, RequestContext
from ...core.errors import AwsError
from ...core.tokens import decode_token, encode_token

if TYPE_CHECKING:
    from ...store.store import OrderedTable

_PROBE_KEY = "aws-logs-write-test"
_PROBE_BODY = b"Permission Check Successful"
_DEFAULT_PREFIX = "exportedlogs"
_PAGE = 50


def _invalid(message: str) -> AwsError:
    return api.invalid_parameter_exception(message)


def _line(timestamp_ms: int, message: str) -> str:
    stamp = from_epoch(timestamp_ms / 1000).strftime("%Y-%m-%dT%H:%M:%S.") + f"{timestamp_ms % 1000:03d}Z"
    return f"{stamp} {message}\n"


class ExportOperations:
    """The export-task handlers of ``LogsBackend`` (``self`` is the backend)."""

    if TYPE_CHECKING:
        streams: OrderedTable
        export_tasks: OrderedTable
        emulator: Any

        def _group(self, key: tuple) -> dict: ...

        def _stream_events(self, stream_key: tuple, start: int | None, end: int | None) -> list[tuple[tuple, Any]]: ...

    def export_task_rows(self) -> list[dict[str, Any]]:
        """The inspection rows (``aws.state.logs.summary()["export_tasks"]``) of the export tasks."""
        return [{"id": key[2], "account": key[0], "region": key[1], "name": record.get("taskName"),
                 "log_group": record["logGroupName"], "bucket": record["destination"],
                 "prefix": record["destinationPrefix"], "status": record["status"]}
                for key, record in self.export_tasks.items()]

    def create_export_task(self, ctx: Ctx[api.CreateExportTaskRequest]) -> api.CreateExportTaskResult:
        params = ctx.params
        group_key = (ctx.account, ctx.region, params["logGroupName"])
        self._group(group_key)
        bucket = params["destination"]
        prefix = params.get("destinationPrefix") or _DEFAULT_PREFIX
        task_id = ctx.ids.uuid4()
        self._write_object(ctx, bucket, _PROBE_KEY, _PROBE_BODY)
        for stream, body in self._exported_streams(group_key, params):
            self._write_object(ctx, bucket, f"{prefix}/{task_id}/{stream}/000000.gz", gzip.compress(body, mtime=0))
        now_ms = int(ctx.time() * 1000)
        record: dict[str, Any] = {
            "taskName": params.get("taskName"), "logGroupName": group_key[2], "from": params["from"],
            "to": params["to"], "destination": bucket, "destinationPrefix": prefix, "status": "COMPLETED",
            "creationTime": now_ms, "completionTime": now_ms,
        }
        self.export_tasks.put((ctx.account, ctx.region, task_id), record)
        return {"taskId": task_id}

    def _exported_streams(self, group_key: tuple, params: Any) -> Iterator[tuple[str, bytes]]:
        """Each stream (under the optional name prefix) with events in [from, to): its object's text."""
        prefix = params.get("logStreamNamePrefix") or ""
        for stream_key in self.streams.irange((*group_key, prefix), (*group_key, prefix + "\U0010ffff")):
            events = self._stream_events(stream_key, params["from"], params["to"] + 1)  # `to` is inclusive
            lines = [_line(key[4], message) for key, (message, _ingested) in events]
            if lines:
                yield stream_key[3], "".join(lines).encode()

    def _write_object(self, ctx: RequestContext[Any], bucket: str, key: str, body: bytes) -> None:
        try:
            self.emulator.ports.objects.put_object_internal(bucket, key, body, ctx.account, ctx.region)
        except AwsError as exc:
            if exc.code == "NoSuchBucket":
                raise _invalid("The given bucket does not exist. Please make sure the bucket is valid.") from None
            raise

    def describe_export_tasks(self, ctx: Ctx[api.DescribeExportTasksRequest]) -> api.DescribeExportTasksResult:
        params = ctx.params
        task_id, wanted = params.get("taskId"), params.get("statusCode")
        if task_id is not None:  # an unknown id finds nothing; it is no error (recorded from AWS)
            key = (ctx.account, ctx.region, task_id)
            record = self.export_tasks.get(key)
            found = [(key, record)] if record is not None else []
        else:
            found = list(self.export_tasks.items_range((ctx.account, ctx.region), (ctx.account, ctx.region + "\x00"),
                                                       inclusive=(True, False)))
        tasks = [self._task_view(key, record) for key, record in found if not wanted or record["status"] == wanted]
        tasks.sort(key=lambda task: -task["executionInfo"]["creationTime"])
        start = decode_token(params.get("nextToken"), _invalid("The specified nextToken is invalid.")) or 0
        limit = params.get("limit") or _PAGE
        output: api.DescribeExportTasksResponse = {"exportTasks": tasks[start:start + limit]}
        if start + limit < len(tasks):
            output["nextToken"] = encode_token(start + limit)
        return output

    @staticmethod
    def _task_view(key: tuple, record: dict) -> api.ExportTask:
        view: api.ExportTask = {
            "taskId": key[2], "logGroupName": record["logGroupName"], "from": record["from"], "to": record["to"],
            "destination": record["destination"], "destinationPrefix": record["destinationPrefix"],
            "status": {"code": record["status"], "message": _STATUS_MESSAGES[record["status"]]},
            "executionInfo": {"creationTime": record["creationTime"], "completionTime": record["completionTime"]},
        }
        if record.get("taskName"):
            view["taskName"] = record["taskName"]
        return view

    def cancel_export_task(self, ctx: Ctx[api.CancelExportTaskRequest]) -> api.CancelExportTaskResult:
        record = self.export_tasks.get((ctx.account, ctx.region, ctx.params["taskId"]))
        if record is None:
            raise api.resource_not_found_exception("The specified export task does not exist.")
        # every task of ours has completed by the time anyone can cancel it
        raise AwsError("InvalidOperationException", "The specified export task has already finished", 400)


_STATUS_MESSAGES = {"COMPLETED": "Completed successfully"}
