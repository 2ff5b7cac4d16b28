"""SSM Parameter Store's table (see store/schema.py): the parameters and their versions."""

from __future__ import annotations

from typing import TypedDict

from ...store.schema import ServiceSchema, TableSpec

ParametersRecord = TypedDict("ParametersRecord", {
    "Expires": float | None,
    "Name": str,
    "Tags": list,
    "Versions": list,
}, total=False)

#: (account, region, name) -> a parameter: its tags, when a policy expires it, and its versions,
#: oldest first (each: value, type, tier, labels, policies… as GetParameterHistory reports them)
PARAMETERS = TableSpec("ssm.parameters", ParametersRecord, ordered=True)

SCHEMA = ServiceSchema(tables=(PARAMETERS,))
