"""A served emulator and clients pointed at it: every call crosses a real loopback socket."""

from __future__ import annotations

from typing import Any, Callable, Iterator

import boto3
import pytest

from kumo_intercept import Emulator, kumo

pytestmark = pytest.mark.allow_network


@pytest.fixture
def served() -> Iterator[Emulator]:
    with kumo(clock="virtual", strict=True) as aws:
        aws.serve()
        yield aws


@pytest.fixture
def client(served: Emulator) -> Callable[..., Any]:
    """``client("s3")``: a boto3 client for the served endpoint."""

    def make(service: str, **kwargs: Any) -> Any:
        return boto3.client(service, endpoint_url=served.endpoint_url, region_name="us-east-1",
                            aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret", **kwargs)

    return make
