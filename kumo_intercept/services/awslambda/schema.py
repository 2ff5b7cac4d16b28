"""Lambda's tables (see store/schema.py): functions, versions, aliases, layers, mappings, configs.

Function, version and layer records hold their code zip as a blob (``Blob``); ``code_blob`` names it
for compaction and exports."""

from __future__ import annotations

from typing import Any, Mapping, TypedDict

from ...store.schema import ServiceSchema, TableSpec


def code_blob(record: Mapping[str, Any]) -> list[str]:
    """The blob id of the code zip (image functions have none)."""
    blob = record.get("Blob")
    return [blob] if blob else []


FunctionsRecord = TypedDict("FunctionsRecord", {
    "Architectures": list,
    "Blob": str,
    "Callable": str,
    "CodeSha256": str,
    "CodeSize": int,
    "Created": float,
    "DeadLetterConfig": dict,
    "Description": str,
    "Environment": dict | None,
    "FunctionArn": str,
    "FunctionName": str,
    "Handler": str,
    "LastModified": float,
    "Layers": list,
    "MemorySize": int,
    "NextVersion": int,
    "PackageType": str,
    "PublishedRevision": list,
    "ReservedConcurrency": int | None,
    "RevisionId": str,
    "Role": str,
    "Runtime": str,
    "Tags": dict,
    "Timeout": int,
    "Version": str,
}, total=False)

VersionsRecord = TypedDict("VersionsRecord", {
    "Architectures": list,
    "Blob": str,
    "CodeSha256": str,
    "CodeSize": int,
    "Created": float,
    "Description": str,
    "Environment": Any,
    "FunctionArn": str,
    "FunctionName": str,
    "Handler": str,
    "LastModified": float,
    "MemorySize": int,
    "PackageType": str,
    "RevisionId": str,
    "Role": str,
    "Runtime": str,
    "Timeout": int,
    "Version": str,
}, total=False)

AliasesRecord = TypedDict("AliasesRecord", {
    "Description": str,
    "FunctionVersion": str,
    "RevisionId": str,
    "RoutingConfig": dict | None,
}, total=False)

LayersRecord = TypedDict("LayersRecord", {
    "Blob": str,
    "CodeSha256": str,
    "CodeSize": int,
    "CompatibleArchitectures": list,
    "CompatibleRuntimes": list,
    "Created": float,
    "Description": str,
    "LicenseInfo": Any,
}, total=False)

EventInvokeConfigsRecord = TypedDict("EventInvokeConfigsRecord", {
    "LastModified": float,
    "MaximumRetryAttempts": int,
    "OnFailure": str,
    "OnSuccess": str,
}, total=False)

UrlConfigsRecord = TypedDict("UrlConfigsRecord", {
    "AuthType": str,
    "Cors": Any,
    "Created": float,
    "FunctionUrl": str,
    "InvokeMode": str,
    "LastModified": float,
}, total=False)


EventSourceMappingsRecord = TypedDict("EventSourceMappingsRecord", {
    "Account": str,
    "BatchSize": int,
    "BisectBatchOnFunctionError": bool,
    "Enabled": bool,
    "EventSourceArn": str,
    "FilterCriteria": dict | None,
    "FunctionArn": str,
    "FunctionResponseTypes": list,
    "Kind": str,
    "LastModified": float,
    "LastProcessingResult": str,
    "MaximumBatchingWindowInSeconds": int,
    "MaximumRecordAgeInSeconds": int,
    "MaximumRetryAttempts": int,
    "OnFailure": str | None,
    "ParallelizationFactor": int,
    "Region": str,
    "Seq": int,
    "StartingPosition": str | None,
    "StartingPositionTimestamp": Any,
    "Tags": dict,
    "TumblingWindowInSeconds": int,
}, total=False)


#: (account, region, name) -> the function ($LATEST)
FUNCTIONS = TableSpec("lambda.functions", FunctionsRecord, blobs=code_blob)
#: (account, region, name, version) -> a published version
VERSIONS = TableSpec("lambda.versions", VersionsRecord, ordered=True, blobs=code_blob)
#: (account, region, name, alias) -> the alias
ALIASES = TableSpec("lambda.aliases", AliasesRecord)
#: (account, region, layer, version) -> a layer version
LAYERS = TableSpec("lambda.layers", LayersRecord, ordered=True, blobs=code_blob)
#: (account, region, name, qualifier) -> the event invoke config
EVENT_INVOKE_CONFIGS = TableSpec("lambda.event_invoke_configs", EventInvokeConfigsRecord)
#: (account, region, name, qualifier) -> the function URL config
URL_CONFIGS = TableSpec("lambda.url_configs", UrlConfigsRecord)
#: (account, region, name, qualifier) -> the resource policy's statements
POLICIES = TableSpec("lambda.policies", list)
#: (account, region, name, qualifier) -> provisioned concurrency
PROVISIONED_CONCURRENCY = TableSpec("lambda.provisioned_concurrency", Any)
#: (account, region, name, version) -> how many times it was invoked
INVOCATIONS = TableSpec("lambda.invocations", int)
#: uuid -> the event source mapping
EVENT_SOURCE_MAPPINGS = TableSpec("lambda.event_source_mappings", EventSourceMappingsRecord)
#: (uuid, shard or queue) -> where the mapping has read up to
ESM_POSITIONS = TableSpec("lambda.esm_positions", Any)

SCHEMA = ServiceSchema(tables=(
    FUNCTIONS, VERSIONS, ALIASES, LAYERS, EVENT_INVOKE_CONFIGS, URL_CONFIGS, POLICIES,
    PROVISIONED_CONCURRENCY, INVOCATIONS, EVENT_SOURCE_MAPPINGS, ESM_POSITIONS,
))

