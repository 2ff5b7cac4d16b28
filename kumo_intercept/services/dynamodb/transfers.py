"""DynamoDB exports to S3 and imports from S3 (ExportTableToPointInTime, DescribeExport, ListExports,
ImportTable, DescribeImport, ListImports), mixed into the DynamoDB backend.

An export writes the table's items, as they were at the export time, to the bucket through S3's
``ObjectStorePort`` in AWS's layout: ``<prefix>/AWSDynamoDB/<ExportId>/`` holds ``_started``,
``manifest-summary.json``, ``manifest-files.json`` (one JSON line per data file), their ``.checksum``
files (the file's MD5, base64) and ``data/<name>.json.gz``: one ``{"Item": {...}}`` line per item
(DynamoDB JSON, binary values base64). An import creates the table as CreateTable would (the same
checks, answered at once), then reads every object under the key prefix through S3's GetObject:
DYNAMODB_JSON (one ``{"Item": ...}`` per line) or CSV (a header line or ``HeaderList``; key attributes
take their defined type, every other value is a string; empty values are left out). A line that is
no valid item counts in ErrorCount and the import goes on. Both complete within the call: the call
answers IN_PROGRESS, Describe answers COMPLETED (or FAILED with S3NoSuchBucket when the bucket does
not exist; a failed import leaves no table). ION and ZSTD, and incremental exports, are not emulated.

Facts: the DynamoDB API reference (the six operations, ExportDescription, ImportTableDescription) and
developer guide ("DynamoDB table export output format", "Import format quotas and validation"); the
wording of TableNotFoundException, PointInTimeRecoveryUnavailableException and the S3NoSuchBucket
failure as AWS answers them (moto's AWS-verified tests test_export_from_missing_table,
test_export_point_in_time_recovery_not_enabled, test_export_to_missing_s3_bucket,
test_import_from_missing_s3_table).
"""

from __future__ import annotations

import base64
import csv
import gzip
import hashlib
import io
import json
import zlib
from typing import TYPE_CHECKING, Any

from ...api import dynamodb
from ...core.clock import from_epoch
from ...core.dispatch import Ctx, RequestContext
from ...core.errors import AwsError, NotEmulatedError
from . import values as V

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from ...store.store import Table
    from .engine import TableEngine
    from .tables import TableInfo

_LIST_LIMIT = 25
_NO_BUCKET = ("S3NoSuchBucket", "The specified bucket does not exist")
_SUMMARY_FIELDS = ("ImportArn", "ImportStatus", "TableArn", "S3BucketSource", "CloudWatchLogGroupArn",
                   "InputFormat", "StartTime", "EndTime")


class TransferOperations:
    """The export and import handlers of ``DynamoDBBackend`` (``self`` is the backend)."""

    if TYPE_CHECKING:  # what the backend provides
        emulator: Any
        tables: Table
        transfers: Table
        engine: TableEngine

        def create_table(self, ctx: Ctx[dynamodb.CreateTableRequest]) -> dynamodb.CreateTableResult: ...

        def _continuous_backups(self, ctx: RequestContext[Any], record: dict
                                ) -> dynamodb.ContinuousBackupsDescription: ...

    # -- exports ------------------------------------------------------------------------------------
    def export_table_to_point_in_time(self, ctx: Ctx[dynamodb.ExportTableToPointInTimeRequest]
                                      ) -> dynamodb.ExportTableToPointInTimeResult:
        params = ctx.params
        _refuse_unemulated(ctx, "ExportFormat", "DYNAMODB_JSON", "ION exports")
        _refuse_unemulated(ctx, "ExportType", "FULL_EXPORT", "incremental exports")
        arn = params["TableArn"]
        info = self._export_source(arn)
        if not info.record["pitr"]:
            raise dynamodb.point_in_time_recovery_unavailable_exception(
                f"Point in time recovery is not enabled for table '{info.name}'")
        now = ctx.time()
        when = params["ExportTime"].timestamp() if params.get("ExportTime") else now
        pitr = self._continuous_backups(ctx, info.record)["PointInTimeRecoveryDescription"]
        if not pitr["EarliestRestorableDateTime"].timestamp() <= when <= now:
            raise dynamodb.invalid_export_time_exception(
                f"Export time {from_epoch(when).isoformat()} is not within the point in time recovery window "
                f"from {pitr['EarliestRestorableDateTime'].isoformat()} to {from_epoch(now).isoformat()}")
        export_id = f"{int(now * 1000):014d}-{ctx.ids.hex(8)}"
        description = _export_description(ctx, info, export_id, when)
        record = {"kind": "export", "account": ctx.account, "region": ctx.region, "table": arn,
                  "description": description}
        self._write_export(ctx, info, record, when)
        return {"ExportDescription": _with_times(description)}  # type: ignore[typeddict-item]

    def _export_source(self, arn: str) -> TableInfo:
        parts = arn.split(":", 5)
        info = None
        if len(parts) == 6 and parts[5].startswith("table/"):
            info = self.engine.table_info((parts[4], parts[3], parts[5][6:]))
        if info is None:
            raise dynamodb.table_not_found_exception(f"Table not found: {arn}")
        return info

    def _write_export(self, ctx: RequestContext[Any], info: TableInfo, record: dict, when: float) -> None:
        """Write the export's files; the description ends COMPLETED, or FAILED without the bucket."""
        description = record["description"]
        folder = f"{description.get('S3Prefix', '').rstrip('/') + '/' if description.get('S3Prefix') else ''}" \
                 f"AWSDynamoDB/{description['ExportArn'].rsplit('/', 1)[1]}/"
        items = list(self.engine.items_at(info.key, when).values())
        data = gzip.compress("".join(json.dumps({"Item": _to_json(item)}) + "\n" for item in items).encode())
        data_key = f"{folder}data/{ctx.ids.hex(26).lower()}.json.gz"
        size = sum(V.item_size(item) for item in items)
        done = {**description, "ExportStatus": "COMPLETED", "EndTime": ctx.time(), "ItemCount": len(items),
                "BilledSizeBytes": size, "ExportManifest": f"{folder}manifest-summary.json"}
        files = json.dumps({"itemCount": len(items), "md5Checksum": _md5(data), "etag": hashlib.md5(data).hexdigest(),
                            "dataFileS3Key": data_key}) + "\n"
        summary = json.dumps(_manifest_summary(done, f"{folder}manifest-files.json"))
        put = self._export_writer(ctx, description["S3Bucket"])
        try:
            put(f"{folder}_started", b"")
            put(data_key, data)
            for name, text in (("manifest-files", files), ("manifest-summary", summary)):
                put(f"{folder}{name}.json", text.encode())
                put(f"{folder}{name}.checksum", _md5(text.encode()).encode())
        except AwsError as exc:
            if exc.code != "NoSuchBucket":
                raise
            done = {**description, "ExportStatus": "FAILED", "EndTime": ctx.time(),
                    "FailureCode": _NO_BUCKET[0], "FailureMessage": f"{_NO_BUCKET[1]} (Bucket: {description['S3Bucket']})"}
        self.transfers.put(description["ExportArn"], {**record, "description": done})

    def _export_writer(self, ctx: RequestContext[Any], bucket: str) -> Any:
        objects = self.emulator.ports.objects

        def put(key: str, body: bytes) -> None:
            objects.put_object_internal(bucket, key, body, ctx.account, ctx.region)
        return put

    def describe_export(self, ctx: Ctx[dynamodb.DescribeExportRequest]) -> dynamodb.DescribeExportResult:
        return {"ExportDescription": self._transfer(ctx, "export", ctx.params["ExportArn"])}  # type: ignore[typeddict-item]

    def list_exports(self, ctx: Ctx[dynamodb.ListExportsRequest]) -> dynamodb.ListExportsResult:
        rows = self._transfers(ctx, "export", ctx.params.get("TableArn"))
        page, token = _page(rows, ctx.params.get("NextToken"), ctx.params.get("MaxResults", _LIST_LIMIT))
        out: dynamodb.ListExportsResult = {"ExportSummaries": [
            {"ExportArn": r["ExportArn"], "ExportStatus": r["ExportStatus"], "ExportType": r["ExportType"]} for r in page]}
        if token:
            out["NextToken"] = token
        return out

    def _transfer(self, ctx: RequestContext[Any], kind: str, arn: str) -> Any:
        """The caller's export or import ``arn``, described (ExportNotFound/ImportNotFound when there is none)."""
        record = self.transfers.get(arn)
        if record is None or record["kind"] != kind or (record["account"], record["region"]) != (ctx.account, ctx.region):
            missing = dynamodb.export_not_found_exception if kind == "export" else dynamodb.import_not_found_exception
            raise missing(f"{kind.capitalize()} not found: {arn}")
        return _with_times(record["description"])

    def _transfers(self, ctx: RequestContext[Any], kind: str, table_arn: str | None) -> list[dict]:
        return sorted((r["description"] for r in self.transfers.values()
                       if r["kind"] == kind and (r["account"], r["region"]) == (ctx.account, ctx.region)
                       and table_arn in (None, r["table"])),
                      key=lambda d: (d["StartTime"], d.get("ExportArn") or d.get("ImportArn")))

    # -- imports ------------------------------------------------------------------------------------
    def import_table(self, ctx: Ctx[dynamodb.ImportTableRequest]) -> dynamodb.ImportTableResult:
        params = ctx.params
        _refuse_unemulated(ctx, "InputFormat", "DYNAMODB_JSON", "ION imports", also="CSV")
        _refuse_unemulated(ctx, "InputCompressionType", "NONE", "ZSTD input", also="GZIP")
        creation = dict(params["TableCreationParameters"])
        created = self.create_table(_as_create_table(ctx, creation))["TableDescription"]
        now = ctx.time()
        arn = f"{created['TableArn']}/import/{int(now * 1000):014d}-{ctx.ids.hex(8)}"
        description: dict[str, Any] = {
            "ImportArn": arn, "ImportStatus": "IN_PROGRESS", "TableArn": created["TableArn"],
            "TableId": created["TableId"], "S3BucketSource": dict(params["S3BucketSource"]),
            "CloudWatchLogGroupArn": ctx.arn("log-group:/aws-dynamodb/imports:*", service="logs"),
            "InputFormat": params["InputFormat"], "InputCompressionType": params.get("InputCompressionType", "NONE"),
            "TableCreationParameters": creation, "StartTime": now, "ProcessedSizeBytes": 0,
            "ProcessedItemCount": 0, "ImportedItemCount": 0, "ErrorCount": 0}
        for member in ("ClientToken", "InputFormatOptions"):
            if member in params:
                description[member] = params[member]
        record = {"kind": "import", "account": ctx.account, "region": ctx.region, "table": created["TableArn"],
                  "description": description}
        self.transfers.put(arn, record)
        started = _with_times(description)
        self.transfers.put(arn, {**record, "description": self._run_import(ctx, description)})
        return {"ImportTableDescription": started}  # type: ignore[typeddict-item]

    def _run_import(self, ctx: RequestContext[Any], description: dict) -> dict:
        info = self.engine.table(ctx, description["TableArn"])
        source = description["S3BucketSource"]
        try:
            objects = list(self._source_objects(ctx, source["S3Bucket"], source.get("S3KeyPrefix", "")))
        except AwsError as exc:
            if exc.code != "NoSuchBucket":
                raise
            self.tables.delete(info.key)  # AWS leaves no table behind a failed import
            return {**description, "ImportStatus": "FAILED", "EndTime": ctx.time(), "FailureCode": _NO_BUCKET[0],
                    "FailureMessage": f"{_NO_BUCKET[1]} (Bucket: {source['S3Bucket']})"}
        counts = {"ProcessedSizeBytes": 0, "ProcessedItemCount": 0, "ImportedItemCount": 0, "ErrorCount": 0}
        for body in objects:
            counts["ProcessedSizeBytes"] += len(body)
            for item in _items(description, body, info):
                counts["ProcessedItemCount"] += 1
                if item is None or not self._import_item(ctx, info, item):
                    counts["ErrorCount"] += 1
                else:
                    counts["ImportedItemCount"] += 1
        # every item is read; any error fails the import, the valid items staying in the table (moto's
        # AWS-verified test_some_successfull_files_and_some_with_unknown_data; no FailureCode is recorded)
        status = "FAILED" if counts["ErrorCount"] else "COMPLETED"
        return {**description, **counts, "ImportStatus": status, "EndTime": ctx.time()}

    def _import_item(self, ctx: RequestContext[Any], info: TableInfo, item: dict) -> bool:
        """Write one imported item; False when it is no valid item of the table."""
        try:
            canonical = V.canon_item(item)
            key = self.engine.item_key(info, canonical)
            self.engine.check_size(canonical)
        except AwsError:
            return False
        self.engine.write(ctx, info, key, self.engine.items.get(key), canonical)
        return True

    def _source_objects(self, ctx: RequestContext[Any], bucket: str, prefix: str) -> Iterator[bytes]:
        """The bodies of the bucket's objects under ``prefix``, read as the caller's account would."""
        ports = self.emulator.ports
        listing: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix}
        while True:
            page = ports.call("s3", "ListObjectsV2", dict(listing), ctx.account, ctx.region)
            for entry in page.get("Contents", []):
                answer = ports.call("s3", "GetObject", {"Bucket": bucket, "Key": entry["Key"]}, ctx.account, ctx.region)
                yield answer["Body"].read()
            if not page.get("IsTruncated"):
                return
            listing["ContinuationToken"] = page["NextContinuationToken"]

    def describe_import(self, ctx: Ctx[dynamodb.DescribeImportRequest]) -> dynamodb.DescribeImportResult:
        return {"ImportTableDescription": self._transfer(ctx, "import", ctx.params["ImportArn"])}  # type: ignore[typeddict-item]

    def list_imports(self, ctx: Ctx[dynamodb.ListImportsRequest]) -> dynamodb.ListImportsResult:
        rows = self._transfers(ctx, "import", ctx.params.get("TableArn"))
        page, token = _page(rows, ctx.params.get("NextToken"), ctx.params.get("PageSize", _LIST_LIMIT))
        summaries = [{k: v for k, v in _with_times(r).items() if k in _SUMMARY_FIELDS} for r in page]
        out: dynamodb.ListImportsResult = {"ImportSummaryList": summaries}  # type: ignore[typeddict-item]
        if token:
            out["NextToken"] = token
        return out


# -- helpers ------------------------------------------------------------------------------------------
def _refuse_unemulated(ctx: RequestContext[Any], member: str, default: str, what: str, also: str = "") -> None:
    value = ctx.params.get(member, default)
    if value not in (default, also):
        raise NotEmulatedError("dynamodb", ctx.operation, f"{what} are not emulated ({member} {value})")


def _export_description(ctx: RequestContext[Any], info: TableInfo, export_id: str, when: float) -> dict:
    params = ctx.params
    description = {"ExportArn": f"{info.arn}/export/{export_id}", "ExportStatus": "IN_PROGRESS",
                   "StartTime": ctx.time(), "TableArn": info.arn, "TableId": info.record["id"], "ExportTime": when,
                   "S3Bucket": params["S3Bucket"], "ExportFormat": params.get("ExportFormat", "DYNAMODB_JSON"),
                   "ExportType": params.get("ExportType", "FULL_EXPORT")}
    for member in ("ClientToken", "S3BucketOwner", "S3Prefix", "S3SseAlgorithm", "S3SseKmsKeyId"):
        if member in params:
            description[member] = params[member]
    return description


def _manifest_summary(description: Mapping[str, Any], files_key: str) -> dict[str, Any]:
    """manifest-summary.json as the developer guide shows it (times in ISO 8601 UTC, milliseconds)."""
    def iso(seconds: float) -> str:
        return from_epoch(seconds).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(seconds * 1000) % 1000:03d}Z"

    return {"version": "2020-06-30", "exportArn": description["ExportArn"], "startTime": iso(description["StartTime"]),
            "endTime": iso(description["EndTime"]), "tableArn": description["TableArn"],
            "tableId": description["TableId"], "exportTime": iso(description["ExportTime"]),
            "s3Bucket": description["S3Bucket"], "s3Prefix": description.get("S3Prefix"),
            "s3SseAlgorithm": description.get("S3SseAlgorithm", "AES256"),
            "s3SseKmsKeyId": description.get("S3SseKmsKeyId"), "manifestFilesS3Key": files_key,
            "billedSizeBytes": description["BilledSizeBytes"], "itemCount": description["ItemCount"],
            "outputFormat": description["ExportFormat"], "exportType": description["ExportType"]}


def _with_times(description: Mapping[str, Any]) -> dict[str, Any]:
    """A stored description (epoch seconds) with its times as botocore's datetimes."""
    return {k: from_epoch(v) if k in ("StartTime", "EndTime", "ExportTime") else v for k, v in description.items()}


def _page(rows: list[dict], token: str | None, limit: int) -> tuple[list[dict], str | None]:
    start = int(token) if token and token.isdigit() else 0
    if token and not token.isdigit():  # a token this backend never issued
        raise V.invalid("Invalid NextToken")
    return rows[start:start + limit], str(start + limit) if start + limit < len(rows) else None


def _md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def _as_create_table(ctx: RequestContext[Any], creation: dict) -> Any:
    """ImportTable's TableCreationParameters as the CreateTable request they stand for."""
    return RequestContext(ctx.emulator, "dynamodb", "CreateTable", dict(creation), ctx.account, ctx.region,
                          ctx.request_id, ctx.access_key)


def _to_json(av: Any) -> Any:
    """An item or AttributeValue in DynamoDB JSON (binary values base64, as the wire carries them)."""
    if isinstance(av, dict):
        return {k: base64.b64encode(v).decode() if k == "B" else
                [base64.b64encode(b).decode() for b in v] if k == "BS" else _to_json(v) for k, v in av.items()}
    if isinstance(av, list):
        return [_to_json(v) for v in av]
    return av


def _from_json(av: Any) -> Any:
    if isinstance(av, dict):
        return {k: base64.b64decode(v, validate=True) if k == "B" else
                [base64.b64decode(b, validate=True) for b in v] if k == "BS" else _from_json(v) for k, v in av.items()}
    if isinstance(av, list):
        return [_from_json(v) for v in av]
    return av


def _items(description: Mapping[str, Any], body: bytes, info: TableInfo) -> Iterator[dict | None]:
    """The items of one source object; None for a line that is no item (an error AWS counts)."""
    if description["InputCompressionType"] == "GZIP":
        try:
            body = gzip.decompress(body)
        except (OSError, EOFError, zlib.error):
            yield None
            return
    text = body.decode("utf-8", errors="replace")
    if description["InputFormat"] == "CSV":
        yield from _csv_items(description.get("InputFormatOptions", {}).get("Csv", {}), text, info)
        return
    for line in text.splitlines():
        yield from _json_items(line)


def _json_items(line: str) -> Iterator[dict | None]:
    """The ``{"Item": ...}`` documents of one line: AWS reads them one after the other, newline or not
    (moto's AWS-verified test_import_table_single_file_with_multiple_items); past an undecodable one
    the rest of the line is one error."""
    decoder, at = json.JSONDecoder(), 0
    while line[at:].strip():
        at += len(line[at:]) - len(line[at:].lstrip())
        try:
            parsed, at = decoder.raw_decode(line, at)
        except ValueError:
            yield None
            return
        yield _json_item(parsed)


def _json_item(parsed: Any) -> dict | None:
    if not isinstance(parsed, dict) or set(parsed) != {"Item"} or not isinstance(parsed["Item"], dict):
        return None
    try:
        return _from_json(parsed["Item"])  # type: ignore[no-any-return]
    except (ValueError, TypeError, AttributeError):
        return None


def _csv_items(options: Mapping[str, Any], text: str, info: TableInfo) -> Iterator[dict | None]:
    rows = csv.reader(io.StringIO(text), delimiter=options.get("Delimiter", ","))
    header = options.get("HeaderList") or next(rows, None)
    if header is None:
        return
    for row in rows:
        if len(row) != len(header):
            yield None
            continue
        try:
            yield {name: _csv_value(info, name, value) for name, value in zip(header, row) if value != ""}
        except ValueError:  # a binary key that is no base64
            yield None


def _csv_value(info: TableInfo, name: str, value: str) -> dict:
    """A CSV field: a key attribute of its defined type (binary as base64), any other a string."""
    kind = info.types.get(name, "S") if name in (info.hash_name, info.range_name) else "S"
    return {kind: base64.b64decode(value, validate=True) if kind == "B" else value}
