"""botocore's service models of the emulated services, indexed the ways AWS routes a request.

Every index is built once from the models (never a hand table): X-Amz-Target prefixes, signing names,
endpoint prefixes, query actions and the HTTP routes of the REST protocols.
"""

from __future__ import annotations

import functools
import re
import urllib.parse
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence, overload

import botocore.loaders
import botocore.session

from ..core.dispatch import BACKENDS

#: the services whose JSON model also answers AWS's older Query protocol (SQS: ``Action=SendMessage``)
QUERY_PROTOCOLS = frozenset({"query", "ec2"})


class _ServiceNames(Sequence[str]):
    """The services botocore's loader knows, listed (some 400 directories, a twentieth of the server's
    first answer) only when more than "is this emulated service known" is asked: botocore asks that
    before loading each model."""

    def __init__(self, listing: Callable[[], list[str]]) -> None:
        self._listing = listing

    @functools.cached_property
    def _names(self) -> list[str]:
        return self._listing()

    def __contains__(self, name: object) -> bool:
        return name in BACKENDS or name in self._names

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...

    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return self._names[index]

    def __len__(self) -> int:
        return len(self._names)


class _EmulatedServicesLoader(botocore.loaders.Loader):
    """botocore's loader (the same search paths and extras) that checks an emulated service's name
    without listing every service directory first."""

    @functools.lru_cache(maxsize=None)  # one per loader and type, as botocore caches its own listing
    def list_available_services(self, type_name: str) -> Sequence[str]:  # type: ignore[override]
        listing = super().list_available_services
        return _ServiceNames(lambda: listing(type_name))


@functools.lru_cache(maxsize=1)
def _session() -> botocore.session.Session:
    session = botocore.session.Session()
    paths = session.get_component("data_loader").search_paths  # AWS_DATA_PATH's, then botocore's own
    session.register_component("data_loader", _EmulatedServicesLoader(paths, include_default_search_paths=False))
    return session


@functools.lru_cache(maxsize=None)
def service_model(name: str) -> Any:
    return _session().get_service_model(name)


@functools.lru_cache(maxsize=1)
def _available_services() -> frozenset[str]:
    return frozenset(_session().get_available_services())


def any_service_model(name: str) -> Any | None:
    """botocore's model of the AWS service ``name``, emulated or not; None when botocore has none."""
    return service_model(name) if name in _available_services() else None


def emulated_services() -> Iterable[Any]:
    return (service_model(name) for name in BACKENDS)


def speaks_query(model: Any) -> bool:
    """Whether the service takes ``Action=…`` form requests (its own protocol, or a JSON service
    that kept the Query protocol's names: ``awsQueryCompatible``)."""
    return model.protocol in QUERY_PROTOCOLS or "awsQueryCompatible" in model.metadata


class _TargetPrefixes:
    """``X-Amz-Target`` prefix (``DynamoDB_20120810``) -> service model, read from the models. The
    models whose service name the prefix spells (``dynamodb`` in ``DynamoDB_20120810``, ``sqs`` in
    ``AmazonSQS``) are read first, so that a server's first JSON call does not wait for every emulated
    service's model (KMS's ``TrentService`` still does, once)."""

    def __init__(self) -> None:
        self._found: dict[str, Any] = {}
        self._read: set[str] = set()

    def get(self, prefix: str) -> Any:
        if prefix not in self._found:
            spelled = prefix.lower()
            for name in sorted(BACKENDS, key=lambda name: re.sub(r"\W", "", name) not in spelled):
                self._read_model(name)
                if prefix in self._found:
                    break
        return self._found.get(prefix)

    def _read_model(self, name: str) -> None:
        if name not in self._read:
            model = service_model(name)
            if "targetPrefix" in model.metadata:
                self._found[model.metadata["targetPrefix"]] = model
            self._read.add(name)


@functools.lru_cache(maxsize=1)
def by_target_prefix() -> _TargetPrefixes:
    """``X-Amz-Target`` prefix -> service model (``get`` only)."""
    return _TargetPrefixes()


def _grouped(key: Callable[[Any], str]) -> dict[str, list[Any]]:
    index: dict[str, list[Any]] = {}
    for model in emulated_services():
        index.setdefault(key(model), []).append(model)
    return index


@functools.lru_cache(maxsize=1)
def by_signing_name() -> dict[str, list[Any]]:
    """Signing name of the credential scope (``ses``, ``states``) -> the service models using it."""
    return _grouped(lambda model: model.signing_name)


@functools.lru_cache(maxsize=1)
def by_endpoint_prefix() -> dict[str, list[Any]]:
    """First label of an AWS host name (``sqs`` in ``sqs.us-east-1.amazonaws.com``) -> service models."""
    return _grouped(lambda model: model.endpoint_prefix)


@functools.lru_cache(maxsize=1)
def query_services() -> list[Any]:
    return [model for model in emulated_services() if speaks_query(model)]


# -- REST routes ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Route:
    """One operation's ``http`` trait, compiled: method, path pattern and the query keys it requires."""

    operation: str
    method: str
    #: the regular expression of the path (compiled when first tried: most routes never are)
    path: str
    #: query keys the request must carry; a value of None accepts any value
    query: tuple[tuple[str, str | None], ...]
    #: how specific the route is: its required query keys, literal characters of its path, required headers
    weight: int
    #: header names of required members sent in headers (CopyObject's ``x-amz-copy-source``)
    required_headers: tuple[str, ...]

    def match(self, path: str) -> "re.Match[str] | None":
        return _compiled(self.path).match(path)


_LABEL = re.compile(r"\{([^}]+?)(\+?)\}")
#: a hint SDKs add to some S3 URIs (``?x-id=GetObject``); other clients leave it out
SDK_HINT = "x-id"


@functools.lru_cache(maxsize=None)
def _compiled(pattern: str) -> "re.Pattern[str]":
    return re.compile(pattern)


def _path_pattern(path: str) -> tuple[str, int]:
    pattern, literal, position = [], 0, 0
    for match in _LABEL.finditer(path):
        text = path[position:match.start()]
        pattern.append(re.escape(text))
        literal += len(text)
        name = match.group(1).replace("-", "_")
        pattern.append(f"(?P<{name}>.+)" if match.group(2) else f"(?P<{name}>[^/]+)")
        position = match.end()
    tail = path[position:]
    pattern.append(re.escape(tail))
    literal += len(tail)
    if not tail.endswith("/"):
        pattern.append("/?")
    return "".join(pattern) + r"\Z", literal


def _required_query(query: str) -> tuple[tuple[str, str | None], ...]:
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
    return tuple((key, value or None) for key, value in pairs if key != SDK_HINT)


def _required_in(operation: Any, location: str) -> tuple[str, ...]:
    """The wire names of the operation's required members sent in ``location``."""
    shape = operation.input_shape
    if shape is None:
        return ()
    return tuple(shape.members[name].serialization.get("name", name)
                 for name in shape.required_members
                 if shape.members[name].serialization.get("location") == location)


@functools.lru_cache(maxsize=None)
def routes(service: str) -> tuple[Route, ...]:
    model = service_model(service)
    compiled = []
    for name in model.operation_names:
        operation = model.operation_model(name)
        path, _, query = operation.http["requestUri"].partition("?")
        pattern, literal = _path_pattern(path)
        required = _required_query(query)
        required += tuple((key, None) for key in _required_in(operation, "querystring")
                          if key not in dict(required))
        headers = tuple(name.lower() for name in _required_in(operation, "header"))
        compiled.append(Route(name, operation.http["method"], pattern, required,
                              literal + 1000 * len(required) + len(headers), headers))
    # the newest of operations sharing a route wins (PutBucketLifecycleConfiguration over the
    # deprecated PutBucketLifecycle)
    compiled.sort(key=lambda route: (-route.weight, model.operation_model(route.operation).deprecated))
    return tuple(compiled)


def match_route(service: str, method: str, path: str, query: dict[str, list[str]],
                headers: Any) -> tuple[Route, dict[str, str]] | None | str:
    """The operation a REST request asks for and its URI labels (percent-decoded); ``"method"`` when
    the path exists with other methods only; None when nothing matches."""
    hint = query.get(SDK_HINT, [None])[0]
    for route in _candidates(service, method, frozenset(query), hint):
        if not _has_query(route, query) or any(header not in headers for header in route.required_headers):
            continue
        found = route.match(path)
        if found is not None:
            labels = {key: urllib.parse.unquote(value) for key, value in found.groupdict().items()}
            return route, labels
    if any(route.match(path) and _has_query(route, query) for route in routes(service)):
        return "method"
    return None


def _has_query(route: Route, query: dict[str, list[str]]) -> bool:
    return all(key in query and (value is None or value in query[key]) for key, value in route.query)


@functools.lru_cache(maxsize=None)
def routes_by_method(service: str) -> dict[str, tuple[Route, ...]]:
    grouped: dict[str, list[Route]] = {}
    for route in routes(service):
        grouped.setdefault(route.method, []).append(route)
    return {method: tuple(group) for method, group in grouped.items()}


@functools.lru_cache(maxsize=4096)
def _candidates(service: str, method: str, query_keys: frozenset[str], hint: str | None) -> tuple[Route, ...]:
    """The routes of ``method`` whose required query keys are all among ``query_keys`` (and that the
    SDK's hint names, if any), most specific first: worked out once per form of request rather than
    by trying every route of the service on each request (S3 has over a hundred)."""
    return tuple(route for route in routes_by_method(service).get(method, ())
                 if (hint is None or hint == route.operation) and all(key in query_keys for key, _ in route.query))
