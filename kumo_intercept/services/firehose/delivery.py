"""Firehose's S3 delivery: object keys (prefixes with timestamp namespaces, AWS's object names),
Lambda transformation records, and error-output documents. Pure functions; the backend decides when.

Facts: Firehose developer guide, "Custom prefixes for Amazon S3 objects" (``!{timestamp:...}`` in Java
DateTimeFormatter syntax, ``!{firehose:random-string}``, ``!{firehose:error-output-type}``, the default
``YYYY/MM/dd/HH/`` prefix appended when a prefix has no expressions, the timestamp being the arrival
time of the oldest record in the object), "Amazon S3 object name format"
(``DeliveryStreamName-DeliveryStreamVersion-YYYY-MM-dd-HH-MM-SS-RandomString``), and "Transform source
data" (the Lambda event and response: ``recordId``, ``result`` Ok/Dropped/ProcessingFailed, ``data``).
"""

from __future__ import annotations

import base64
import gzip
import json
import re
from typing import Any, Callable

from ...api import firehose
from ...core.clock import from_epoch
from ...core.errors import NotEmulatedError

_EXPRESSION = re.compile(r"!\{([^}]*)\}")
#: Java DateTimeFormatter letters Firehose documents, as strftime directives (longest first)
_JAVA_FORMAT = [("yyyy", "%Y"), ("yy", "%y"), ("MM", "%m"), ("dd", "%d"), ("HH", "%H"), ("mm", "%M"), ("ss", "%S")]
_JAVA_TOKEN = re.compile("|".join(token for token, _ in _JAVA_FORMAT))
_DEFAULT_TIME_PREFIX = "%Y/%m/%d/%H/"


def has_expressions(prefix: str) -> bool:
    return bool(_EXPRESSION.search(prefix))


def check_prefixes(prefix: str, error_prefix: str) -> None:
    """CreateDeliveryStream's checks of the two prefixes, as AWS words them."""
    for expression in _EXPRESSION.findall(prefix) + _EXPRESSION.findall(error_prefix):
        namespace, _, _value = expression.partition(":")
        if namespace in ("partitionKeyFromQuery", "partitionKeyFromLambda"):
            raise NotEmulatedError("firehose", "CreateDeliveryStream", "dynamic partitioning prefixes")
        if namespace not in ("timestamp", "firehose"):
            raise firehose.invalid_argument_exception(
                f"The expression '!{{{expression}}}' is not valid: unknown namespace '{namespace}'.")
    if has_expressions(prefix) and not error_prefix:
        raise firehose.invalid_argument_exception(
            "ErrorOutputPrefix cannot be null or empty when Prefix contains expressions.")


def _java_time(pattern: str, epoch: float) -> str:
    directives = _JAVA_TOKEN.sub(lambda m: dict(_JAVA_FORMAT)[m.group(0)], pattern)
    return from_epoch(epoch).strftime(directives)


def expand_prefix(prefix: str, epoch: float, random: Callable[[], str], error_type: str | None = None) -> str:
    """The S3 key prefix for an object whose oldest record arrived at ``epoch``."""
    if not has_expressions(prefix):
        default = from_epoch(epoch).strftime(_DEFAULT_TIME_PREFIX)
        return f"{prefix}{error_type}/{default}" if error_type and not prefix else prefix + default

    def value(match: re.Match[str]) -> str:
        namespace, _, argument = match.group(1).partition(":")
        if namespace == "timestamp":
            return _java_time(argument, epoch)
        if argument == "random-string":
            return random()
        if argument == "error-output-type":
            return error_type or ""
        raise firehose.invalid_argument_exception(f"Unknown expression !{{{match.group(1)}}}.")

    return _EXPRESSION.sub(value, prefix)


def object_name(stream_name: str, version: int, epoch: float, unique: str) -> str:
    return f"{stream_name}-{version}-{from_epoch(epoch).strftime('%Y-%m-%d-%H-%M-%S')}-{unique}"


def compressed(body: bytes, compression: str) -> tuple[bytes, str]:
    """The object body and the suffix its name gets."""
    if compression == "UNCOMPRESSED":
        return body, ""
    if compression == "GZIP":
        return gzip.compress(body, mtime=0), ".gz"
    raise NotEmulatedError("firehose", None, f"CompressionFormat {compression}")


def lambda_arn(processing: dict | None) -> str | None:
    """The Lambda processor's ARN of an enabled ProcessingConfiguration, or None."""
    if not processing or not processing.get("Enabled", False):
        return None
    for processor in processing.get("Processors") or []:
        if processor["Type"] == "Lambda":
            for parameter in processor.get("Parameters") or []:
                if parameter["ParameterName"] == "LambdaArn":
                    return parameter["ParameterValue"]
        else:
            raise NotEmulatedError("firehose", None, f"processors of type {processor['Type']}")
    return None


def transformation_event(invocation_id: str, stream_arn: str, region: str,
                         records: list[tuple[str, bytes, float]]) -> bytes:
    return json.dumps({
        "invocationId": invocation_id, "deliveryStreamArn": stream_arn, "region": region,
        "records": [{"recordId": rid, "approximateArrivalTimestamp": int(arrival * 1000),
                     "data": base64.b64encode(data).decode()} for rid, data, arrival in records],
    }).encode()


def transformed(response: dict, records: list[tuple[str, bytes, float]]) -> tuple[list[bytes], list[tuple[str, str]]]:
    """(the data to deliver, [(record id, error code)] of records that failed) from a processor's
    answer; a record missing from the answer or with an unknown result fails as AWS reports it."""
    by_id = {}
    for entry in response.get("records") or [] if isinstance(response, dict) else []:
        if isinstance(entry, dict) and isinstance(entry.get("recordId"), str):
            by_id[entry["recordId"]] = entry
    delivered: list[bytes] = []
    failed: list[tuple[str, str]] = []
    for rid, _data, _arrival in records:
        entry = by_id.get(rid)
        result = entry.get("result") if entry else None
        if result == "Ok":
            try:
                delivered.append(base64.b64decode(entry["data"]))  # type: ignore[index]
            except (KeyError, ValueError, TypeError):
                failed.append((rid, "Lambda.InvalidData"))
        elif result == "Dropped":
            continue
        elif result == "ProcessingFailed":
            failed.append((rid, "Lambda.ProcessingFailed"))
        else:
            failed.append((rid, "Lambda.MissingRecordId" if entry is None else "Lambda.InvalidResult"))
    return delivered, failed


def error_document(code: str, message: str, data: bytes, arrival: float, now: float, attempts: int,
                   function_arn: str | None) -> bytes:
    """One line of an error-output object, as Firehose writes failed records."""
    document: dict[str, Any] = {
        "attemptsMade": attempts, "arrivalTimestamp": int(arrival * 1000), "errorCode": code,
        "errorMessage": message, "attemptEndingTimestamp": int(now * 1000),
        "rawData": base64.b64encode(data).decode(),
    }
    if function_arn:
        document["lambdaArn"] = function_arn
    return json.dumps(document).encode() + b"\n"
