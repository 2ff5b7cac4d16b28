"""CloudWatch anomaly detectors (PutAnomalyDetector, DescribeAnomalyDetectors, DeleteAnomalyDetector),
mixed into the CloudWatch backend. A detector is stored configuration: no model is trained, so it
stays ``PENDING_TRAINING``, as a new detector is on AWS.

Facts: LocalStack's AWS-recorded test_cloudwatch.py::test_anomaly_detector_lifecycle (a detector put
with the legacy Namespace/MetricName/Dimensions/Stat members is described with those and with
``SingleMetricAnomalyDetector`` holding them and the ``AccountId``, ``Configuration`` with an empty
``ExcludedTimeRanges``, ``StateValue`` PENDING_TRAINING) and the API reference (the legacy members
and ``SingleMetricAnomalyDetector``/``MetricMathAnomalyDetector`` exclude each other:
InvalidParameterCombination; DeleteAnomalyDetector of a detector that does not exist:
ResourceNotFoundException; ``AnomalyDetectorTypes`` SINGLE_METRIC or METRIC_MATH).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ...api import cloudwatch as api
from ...core.clock import from_epoch
from ...core.dispatch import Ctx, RequestContext
from ...core.errors import AwsError

if TYPE_CHECKING:
    from ...store.store import OrderedTable

_LEGACY = ("Namespace", "MetricName", "Dimensions", "Stat")
_PAGE = 100


def _error(code: str, message: str, status: int = 400) -> AwsError:
    return AwsError(code, message, status, fields={"message": message})


def _sorted_dimensions(dimensions: Any) -> list[dict[str, str]]:
    return sorted(({"Name": d["Name"], "Value": d["Value"]} for d in dimensions or []), key=lambda d: d["Name"])


def _single_metric(ctx: RequestContext[Any]) -> dict[str, Any] | None:
    """The single-metric detector a call names, from the legacy members or SingleMetricAnomalyDetector."""
    params = ctx.params
    legacy = {name: params[name] for name in _LEGACY if name in params}
    given = [kind for kind in ("SingleMetricAnomalyDetector", "MetricMathAnomalyDetector") if kind in params]
    if len(given) > 1 or (legacy and given):
        raise _error("InvalidParameterCombination", "The legacy parameters (Namespace, MetricName, Dimensions, "
                     "Stat), SingleMetricAnomalyDetector and MetricMathAnomalyDetector are mutually exclusive.")
    if given == ["MetricMathAnomalyDetector"]:
        return None
    detector = dict(params.get("SingleMetricAnomalyDetector") or legacy)
    missing = [name for name in ("Namespace", "MetricName", "Stat") if not detector.get(name)]
    if missing:
        raise _error("MissingParameter", f"The parameter {missing[0]} is required.")
    detector.setdefault("AccountId", ctx.account)
    detector["Dimensions"] = _sorted_dimensions(detector.get("Dimensions"))
    return detector


def _identity(ctx: RequestContext[Any]) -> str:
    """The detector's key: its metric (or its math queries), as canonical JSON."""
    single = _single_metric(ctx)
    if single is not None:
        return json.dumps(["SINGLE_METRIC", single], sort_keys=True)
    return json.dumps(["METRIC_MATH", ctx.params["MetricMathAnomalyDetector"]], sort_keys=True)


class AnomalyDetectorOperations:
    """The anomaly-detector handlers of ``CloudWatchBackend`` (``self`` is the backend)."""

    if TYPE_CHECKING:
        anomaly_detectors: OrderedTable

    def put_anomaly_detector(self, ctx: Ctx[api.PutAnomalyDetectorInput]) -> api.PutAnomalyDetectorOutput:
        identity = _identity(ctx)
        configuration = ctx.params.get("Configuration") or {}
        ranges = [{"StartTime": r["StartTime"].timestamp(), "EndTime": r["EndTime"].timestamp()}
                  for r in configuration.get("ExcludedTimeRanges") or []]
        record: dict[str, Any] = {"ExcludedTimeRanges": ranges}
        if configuration.get("MetricTimezone"):
            record["MetricTimezone"] = configuration["MetricTimezone"]
        if ctx.params.get("MetricCharacteristics"):
            record["MetricCharacteristics"] = dict(ctx.params["MetricCharacteristics"])
        self.anomaly_detectors.put((ctx.account, ctx.region, identity), record)
        return {}

    def describe_anomaly_detectors(
            self, ctx: Ctx[api.DescribeAnomalyDetectorsInput]) -> api.DescribeAnomalyDetectorsOutput:
        params = ctx.params
        types = params.get("AnomalyDetectorTypes") or ["SINGLE_METRIC", "METRIC_MATH"]
        wanted_dimensions = _sorted_dimensions(params.get("Dimensions"))
        detectors: list[api.AnomalyDetector] = []
        for key, record in self.anomaly_detectors.items_range((ctx.account, ctx.region),
                                                              (ctx.account, ctx.region + "\x00"), inclusive=(True, False)):
            kind, spec = json.loads(key[2])
            if kind not in types:
                continue
            if kind == "SINGLE_METRIC" and not (params.get("Namespace") in (None, spec["Namespace"])
                                                and params.get("MetricName") in (None, spec["MetricName"])
                                                and (not wanted_dimensions or wanted_dimensions == spec["Dimensions"])):
                continue
            if kind == "METRIC_MATH" and (params.get("Namespace") or params.get("MetricName")):
                continue
            detectors.append(self._detector_view(kind, spec, record))
        token = params.get("NextToken")
        if token is not None and not token.isdigit():
            raise api.invalid_next_token("The service returned an invalid NextToken.")
        start, size = int(token or 0), params.get("MaxResults") or _PAGE
        out: api.DescribeAnomalyDetectorsOutput = {"AnomalyDetectors": detectors[start:start + size]}
        if start + size < len(detectors):
            out["NextToken"] = str(start + size)
        return out

    @staticmethod
    def _detector_view(kind: str, spec: Any, record: dict) -> api.AnomalyDetector:
        view: dict[str, Any] = {"StateValue": "PENDING_TRAINING", "Configuration": {
            "ExcludedTimeRanges": [{"StartTime": from_epoch(r["StartTime"]),
                                    "EndTime": from_epoch(r["EndTime"])} for r in record["ExcludedTimeRanges"]]}}
        if record.get("MetricTimezone"):
            view["Configuration"]["MetricTimezone"] = record["MetricTimezone"]
        if record.get("MetricCharacteristics"):
            view["MetricCharacteristics"] = record["MetricCharacteristics"]
        if kind == "SINGLE_METRIC":
            view["SingleMetricAnomalyDetector"] = spec
            view.update({name: spec[name] for name in _LEGACY})
        else:
            view["MetricMathAnomalyDetector"] = spec
        return view  # type: ignore[return-value]  # built member by member above

    def anomaly_detector_rows(self) -> list[dict[str, Any]]:
        """``aws.state.cloudwatch.summary()["anomaly_detectors"]``: each detector, what it watches and its
        state (a single metric's namespace, name, stat and dimensions; a math detector's query ids)."""
        rows = []
        for key, _record in self.anomaly_detectors.items():
            kind, spec = json.loads(key[2])
            row: dict[str, Any] = {"type": kind, "account": key[0], "region": key[1], "state": "PENDING_TRAINING"}
            if kind == "SINGLE_METRIC":
                row.update(namespace=spec["Namespace"], metric=spec["MetricName"], stat=spec["Stat"],
                           dimensions=spec["Dimensions"])
            else:
                row["queries"] = [query["Id"] for query in spec.get("MetricDataQueries") or []]
            rows.append(row)
        return rows

    def delete_anomaly_detector(self, ctx: Ctx[api.DeleteAnomalyDetectorInput]) -> api.DeleteAnomalyDetectorOutput:
        if self.anomaly_detectors.delete((ctx.account, ctx.region, _identity(ctx))) is None:
            raise _error("ResourceNotFoundException", "No anomaly detector found for the given parameters.", 404)
        return {}
