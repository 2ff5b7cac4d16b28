"""DynamoDB on-demand backups and restores (CreateBackup, DescribeBackup, ListBackups, DeleteBackup,
RestoreTableFromBackup, RestoreTableToPointInTime), mixed into the DynamoDB backend.

A backup is a record of ``dynamodb.backups`` (the source table's record as it was, with its item count
and size) and a copy of the table's items in ``dynamodb.backup_items``; it outlives its table. A
point-in-time restore reads the table's items as they were at the restore time from today's items and
the write history the engine keeps while point-in-time recovery is on (``engine.items_at``). Both
restores create the target table with the source's key schema, attribute definitions, billing mode,
throughput, indexes and encryption (each overridable as the request allows); streams, TTL, tags,
point-in-time recovery and deletion protection are not restored, as AWS documents. Everything
completes within the call: CreateBackup answers CREATING and the backup is AVAILABLE from then on; a
restore answers the table CREATING with ``RestoreInProgress`` and it is ACTIVE at once, as CreateTable.

Facts: the DynamoDB API reference (the six operations, BackupDetails, BackupSummary, SourceTableDetails,
SourceTableFeatureDetails, RestoreSummary) and the developer guide ("Restoring a DynamoDB table from a
backup", "Point-in-time recovery": the latest restorable time is about five minutes before now).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ...api import dynamodb
from ...core.clock import from_epoch
from ...core.dispatch import Ctx, RequestContext
from . import values as V
from .engine import after
from .tables import TableInfo, check_throughput, index_record

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ...store.store import OrderedTable, Table
    from .engine import TableEngine

#: the table record's members a restored table starts without (AWS restores none of these settings)
_NOT_RESTORED = ("stream", "last_stream", "ttl", "ttl_last", "pitr_since", "pitr_days", "restore", "status",
                "policy")
_LIST_LIMIT = 100
#: how long the SYSTEM backup of a deleted table with point-in-time recovery is kept (BackupDetails)
SYSTEM_BACKUP_SECONDS = 35 * 86400


def _backup_missing(arn: str) -> Exception:
    return dynamodb.backup_not_found_exception(f"Backup not found: {arn}")


class BackupOperations:
    """The backup and restore handlers of ``DynamoDBBackend`` (``self`` is the backend)."""

    if TYPE_CHECKING:  # what the backend provides
        tables: Table
        items: OrderedTable
        backups: Table
        backup_items: OrderedTable
        engine: TableEngine

        def _backup_table(self, ctx: RequestContext[Any], name: str) -> TableInfo: ...

        def _describe(self, tkey: tuple, status: str | None = None) -> dynamodb.TableDescription: ...

        def _sse(self, ctx: RequestContext[Any], spec: Mapping[str, Any] | None) -> dynamodb.SSEDescription | None: ...

        def _continuous_backups(self, ctx: RequestContext[Any], record: dict
                                ) -> dynamodb.ContinuousBackupsDescription: ...

    # -- backups ------------------------------------------------------------------------------------
    def create_backup(self, ctx: Ctx[dynamodb.CreateBackupRequest]) -> dynamodb.CreateBackupResult:
        info = self._backup_table(ctx, ctx.params["TableName"])
        record = self._snapshot(ctx, info, ctx.params["BackupName"], "USER")
        return {"BackupDetails": _details(record, "CREATING")}

    def keep_system_backup(self, ctx: RequestContext[Any], info: TableInfo) -> None:
        """DeleteTable of a table with point-in-time recovery on: AWS keeps a SYSTEM backup of it for 35
        days, from which the table can be restored."""
        self._snapshot(ctx, info, f"{info.name}$DeletedTableBackup", "SYSTEM")

    def _snapshot(self, ctx: RequestContext[Any], info: TableInfo, name: str, kind: str) -> dict:
        now = ctx.time()
        # AWS's form: table/<name>/backup/<13-digit epoch milliseconds>-<8 hex>
        arn = f"{info.arn}/backup/{int(now * 1000):013d}-{ctx.ids.hex(8)}"
        count, size = self.engine.table_counts(info.key)
        record = {"arn": arn, "name": name, "account": ctx.account, "region": ctx.region,
                  "type": kind, "created": now, "size": size, "count": count, "table": dict(info.record)}
        if kind == "SYSTEM":
            record["expires"] = now + SYSTEM_BACKUP_SECONDS
        self.backups.put(arn, record)
        for key, item in self.items.items_range(info.key, after(info.key), (True, False)):
            self.backup_items.put((arn, key[3], key[4]), item)
        return record

    def _backup(self, ctx: RequestContext[Any], arn: str) -> dict:
        record = self.backups.get(arn)
        if record is None or (record["account"], record["region"]) != (ctx.account, ctx.region) \
                or record.get("expires", math.inf) <= ctx.time():
            raise _backup_missing(arn)
        return record

    def describe_backup(self, ctx: Ctx[dynamodb.DescribeBackupRequest]
                        ) -> dynamodb.DescribeBackupResult:
        return {"BackupDescription": _description(self._backup(ctx, ctx.params["BackupArn"]), "AVAILABLE")}

    def delete_backup(self, ctx: Ctx[dynamodb.DeleteBackupRequest]) -> dynamodb.DeleteBackupResult:
        arn = ctx.params["BackupArn"]
        record = self._backup(ctx, arn)
        for key in list(self.backup_items.irange((arn,), (arn + "\x00",), (True, False))):
            self.backup_items.delete(key)
        self.backups.delete(arn)
        return {"BackupDescription": _description(record, "DELETED")}

    def list_backups(self, ctx: Ctx[dynamodb.ListBackupsRequest]) -> dynamodb.ListBackupsResult:
        params = ctx.params
        lower = params.get("TimeRangeLowerBound")
        upper = params.get("TimeRangeUpperBound")
        wanted = params.get("BackupType", "USER")  # USER unless asked (API reference, ListBackups)
        rows = sorted((r for r in self.backups.values()
                       if (r["account"], r["region"]) == (ctx.account, ctx.region)
                       and r.get("expires", math.inf) > ctx.time()
                       and params.get("TableName") in (None, r["table"]["name"])
                       and wanted in ("ALL", r["type"])
                       and (lower is None or r["created"] >= lower.timestamp())
                       and (upper is None or r["created"] <= upper.timestamp())),
                      key=lambda r: (r["created"], r["arn"]))
        start = params.get("ExclusiveStartBackupArn")
        if start is not None:
            arns = [r["arn"] for r in rows]
            rows = rows[arns.index(start) + 1:] if start in arns else []
        limit = params.get("Limit", _LIST_LIMIT)
        out: dynamodb.ListBackupsResult = {"BackupSummaries": [_summary(r) for r in rows[:limit]]}
        if len(rows) > limit:
            out["LastEvaluatedBackupArn"] = rows[limit - 1]["arn"]
        return out

    # -- restores -----------------------------------------------------------------------------------
    def restore_table_from_backup(self, ctx: Ctx[dynamodb.RestoreTableFromBackupRequest]
                                  ) -> dynamodb.RestoreTableFromBackupResult:
        arn = ctx.params["BackupArn"]
        backup = self._backup(ctx, arn)
        target = self._restore_target(ctx)
        items = {key[1:]: item for key, item in self.backup_items.items_range((arn,), (arn + "\x00",), (True, False))}
        summary = {"SourceBackupArn": arn, "SourceTableArn": backup["table"]["arn"], "RestoreDateTime": ctx.time()}
        return {"TableDescription": self._restored(ctx, target, backup["table"], items, summary)}

    def restore_table_to_point_in_time(self, ctx: Ctx[dynamodb.RestoreTableToPointInTimeRequest]
                                       ) -> dynamodb.RestoreTableToPointInTimeResult:
        params = ctx.params
        source = self._point_in_time_source(ctx)
        if not source.record["pitr"]:
            raise dynamodb.point_in_time_recovery_unavailable_exception(
                f"Point in time recovery is not enabled for table '{source.name}'")
        target = self._restore_target(ctx)
        pitr = self._continuous_backups(ctx, source.record)["PointInTimeRecoveryDescription"]
        earliest, latest = pitr["EarliestRestorableDateTime"], pitr["LatestRestorableDateTime"]
        when = latest if params.get("UseLatestRestorableTime") else params.get("RestoreDateTime")
        if when is None:
            raise V.invalid("RestoreDateTime must be specified when UseLatestRestorableTime is false")
        if not earliest <= when <= latest:
            raise dynamodb.invalid_restore_time_exception(
                f"RestoreDateTime {when.isoformat()} is not within the restorable period from "
                f"{earliest.isoformat()} to {latest.isoformat()}")
        items = self.engine.items_at(source.key, when.timestamp())
        summary = {"SourceTableArn": source.arn, "RestoreDateTime": when.timestamp()}
        return {"TableDescription": self._restored(ctx, target, source.record, items, summary)}

    def _point_in_time_source(self, ctx: RequestContext[Any]) -> TableInfo:
        params = ctx.params
        arn = params.get("SourceTableArn")
        name = params.get("SourceTableName") or (arn.rsplit("/", 1)[-1] if arn else None)
        if name is None:
            raise V.invalid("Either SourceTableArn or SourceTableName must be specified")
        return self._backup_table(ctx, name)

    def _restore_target(self, ctx: RequestContext[Any]) -> tuple:
        name = ctx.params["TargetTableName"]
        key = (ctx.account, ctx.region, name)
        if key in self.tables:
            raise dynamodb.table_already_exists_exception(f"Table already exists: {name}")
        return key

    def _restored(self, ctx: RequestContext[Any], target: tuple, source: dict,
                  items: dict[tuple, dict], summary: dict) -> dynamodb.TableDescription:
        """Create the target table from the source's record, with the request's overrides, holding ``items``."""
        params = ctx.params
        now = ctx.time()
        record = {k: v for k, v in source.items() if k not in _NOT_RESTORED}
        record.update({"name": target[2], "arn": ctx.arn(f"table/{target[2]}"), "id": ctx.ids.uuid4(),
                       "created": now, "stream": None, "ttl": None, "pitr": False, "tags": {},
                       "deletion_protection": False, "restore": summary})
        if "BillingModeOverride" in params or "ProvisionedThroughputOverride" in params:
            billing = params.get("BillingModeOverride", source["billing_mode"])
            overrides = {"ProvisionedThroughput": params["ProvisionedThroughputOverride"]} \
                if "ProvisionedThroughputOverride" in params else {}
            record.update({"billing_mode": billing, "throughput": check_throughput(overrides, billing)})
            if billing != source["billing_mode"]:
                record["billing_changed"] = now
        if "GlobalSecondaryIndexOverride" in params:
            record["gsis"] = [index_record(i, now) for i in params["GlobalSecondaryIndexOverride"]]
        if "LocalSecondaryIndexOverride" in params:
            record["lsis"] = [index_record(i, now) for i in params["LocalSecondaryIndexOverride"]]
        if "SSESpecificationOverride" in params:
            record["sse"] = self._sse(ctx, params["SSESpecificationOverride"])
        self.tables.put(target, record)
        for (hash_key, range_key), item in items.items():
            self.items.put((*target, hash_key, range_key), item)
        return self._describe(target, "CREATING")


def _details(record: dict, status: str) -> dynamodb.BackupDetails:
    out: dynamodb.BackupDetails = {
        "BackupArn": record["arn"], "BackupName": record["name"], "BackupSizeBytes": record["size"],
        "BackupStatus": status, "BackupType": record["type"], "BackupCreationDateTime": from_epoch(record["created"])}
    if "expires" in record:
        out["BackupExpiryDateTime"] = from_epoch(record["expires"])
    return out


def _summary(record: dict) -> dynamodb.BackupSummary:
    table = record["table"]
    return {"TableName": table["name"], "TableId": table["id"], "TableArn": table["arn"],
            **_details(record, "AVAILABLE")}  # type: ignore[typeddict-item]


def _description(record: dict, status: str) -> dynamodb.BackupDescription:
    table = record["table"]
    throughput = table["throughput"] or {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
    source: dynamodb.SourceTableDetails = {
        "TableName": table["name"], "TableId": table["id"], "TableArn": table["arn"],
        "TableSizeBytes": record["size"], "KeySchema": [dict(e) for e in table["key_schema"]],  # type: ignore[misc]
        "TableCreationDateTime": from_epoch(table["created"]), "ProvisionedThroughput": dict(throughput),  # type: ignore[typeddict-item]
        "ItemCount": record["count"], "BillingMode": table["billing_mode"]}
    features: dict[str, Any] = {}
    for kind, member in (("lsis", "LocalSecondaryIndexes"), ("gsis", "GlobalSecondaryIndexes")):
        if table[kind]:
            features[member] = [{"IndexName": i["IndexName"], "KeySchema": [dict(e) for e in i["KeySchema"]],
                                 "Projection": dict(i["Projection"])} for i in table[kind]]
    if table.get("stream"):
        features["StreamDescription"] = {"StreamEnabled": True, "StreamViewType": table["stream"]["view_type"]}
    if table.get("ttl"):
        features["TimeToLiveDescription"] = {"TimeToLiveStatus": "ENABLED", "AttributeName": table["ttl"]}
    if table.get("sse"):
        features["SSEDescription"] = dict(table["sse"])
    out: dynamodb.BackupDescription = {"BackupDetails": _details(record, status), "SourceTableDetails": source}
    if features:
        out["SourceTableFeatureDetails"] = features  # type: ignore[typeddict-item]
    return out
