"""Generate the typed API modules ``kumo_intercept/api/<module>.py`` from botocore's service models.

    python -m kumo_intercept.codegen              # every service in core.dispatch.BACKENDS
    python -m kumo_intercept.codegen iam kms      # these botocore services (written, or rewritten)

Each service gets two files. ``<module>.pyi``, the types, read by type checkers only: a ``TypedDict``
per structure shape reachable from its operations, ``<Operation>Request`` / ``<Operation>Result`` for
every operation, and the declarations of the run-time names. ``<module>.py``, what runs: ``OPERATIONS``,
an error factory per modeled error shape and ``PAGINATORS``. The shapes are never built at run time
(hundreds of TypedDict classes cost a service's first call tens of milliseconds, and compiling them as
much again without bytecode): a shape named at run time (``cast()``, a ``TypeVar``) is ``dict``. The
text depends only on the model, so regenerating with the same botocore gives the same bytes;
tests/core/test_codegen.py fails when a checked-in file is stale.

Naming rules (documented in docs/writing-a-backend.md, "The typed API"):

- module: the botocore service name with every non-identifier character made ``_``, prefixed with
  ``aws`` when that is a Python keyword (``lambda`` -> ``awslambda``).
- a structure shape keeps its name (a first lower-case letter is upper-cased, so a shape can never
  shadow ``list`` or ``str``).
- ``<Op>Request`` / ``<Op>Result`` alias the operation's input / output shape, unless the shape already
  has that name. When the name belongs to another shape, the alias is ``<Op>OperationRequest`` /
  ``<Op>OperationResult``. An operation without input or output gets ``NoMembers`` (an empty TypedDict).
- the error factory of shape ``QueueDoesNotExist`` is ``queue_does_not_exist`` (botocore's
  ``xform_name``); its positional argument is the message, the shape's other members are keyword
  arguments carried as the error's modeled ``fields``.

Enums are typed ``str``: botocore does not check enum values client-side, so a handler can receive any
string, and ``Literal`` types of every enum would make the modules much larger for no safety.
"""

from __future__ import annotations

import keyword
import re
import sys
from pathlib import Path
from typing import Any, Iterable, Iterator

import botocore
import botocore.session
from botocore import xform_name
from botocore.exceptions import DataNotFoundError
from botocore.model import ServiceModel, Shape, StructureShape

API_DIR = Path(__file__).parent / "api"

#: Legacy Query error codes of services speaking JSON with the ``awsQueryCompatible`` trait. botocore's
#: JSON models drop Smithy's ``@awsQueryError(code=…)``, so they are written here; a shape not listed
#: sends its own name. Source: the "Errors" sections of the Amazon SQS API Reference
#: (docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html and each action).
QUERY_COMPATIBLE_CODES: dict[str, dict[str, str]] = {
    "sqs": {
        "QueueDoesNotExist": "AWS.SimpleQueueService.NonExistentQueue",
        "QueueNameExists": "QueueAlreadyExists",
        "QueueDeletedRecently": "AWS.SimpleQueueService.QueueDeletedRecently",
        "PurgeQueueInProgress": "AWS.SimpleQueueService.PurgeQueueInProgress",
        "BatchEntryIdsNotDistinct": "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
        "BatchRequestTooLong": "AWS.SimpleQueueService.BatchRequestTooLong",
        "EmptyBatchRequest": "AWS.SimpleQueueService.EmptyBatchRequest",
        "InvalidBatchEntryId": "AWS.SimpleQueueService.InvalidBatchEntryId",
        "TooManyEntriesInBatchRequest": "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
        "MessageNotInflight": "AWS.SimpleQueueService.MessageNotInflight",
        "UnsupportedOperation": "AWS.SimpleQueueService.UnsupportedOperation",
    },
}

_SCALARS = {
    "string": "str", "character": "str", "integer": "int", "long": "int", "float": "float",
    "double": "float", "boolean": "bool", "blob": "bytes", "timestamp": "_datetime.datetime",
}
_MODULE_CONSTANTS = frozenset({"SERVICE_NAME", "OPERATIONS", "PAGINATORS"})
_RUNTIME_IMPORTS = '''\
from __future__ import annotations

from ..core.errors import AwsError as _AwsError
from ..core.errors import modeled_error as _modeled_error
from . import Paginator as _Paginator
from . import shapes_as_dict as _shapes_as_dict
'''
_STUB_IMPORTS = '''\
import datetime as _datetime
from typing import Any as _Any
from typing import TypedDict as _TypedDict

from typing_extensions import Required as _Required  # typing.Required is 3.11+

from ..core.errors import AwsError as _AwsError
from . import NoMembers as _NoMembers
from . import Paginator as _Paginator
from . import StreamingBlob as _StreamingBlob
'''


def module_name(service: str) -> str:
    """The module a botocore service's API is generated into (``lambda`` -> ``awslambda``)."""
    name = re.sub(r"\W", "_", service)
    return "aws" + name if keyword.iskeyword(name) else name


def class_name(shape_name: str) -> str:
    return shape_name[:1].upper() + shape_name[1:]


def factory_name(shape_name: str) -> str:
    name = xform_name(shape_name)
    return name + "_" if keyword.iskeyword(name) else name


def default_services() -> list[str]:
    from .core.dispatch import BACKENDS
    return sorted(BACKENDS)


class _Generator:
    def __init__(self, model: ServiceModel, paginators: dict[str, dict[str, Any]]) -> None:
        self.model = model
        self.paginators = paginators
        self.structures = self._reachable_structures()
        self.classes = {class_name(name): name for name in self.structures}
        if len(self.classes) != len(self.structures) or self.classes.keys() & _MODULE_CONSTANTS:
            raise ValueError(f"{model.service_name}: a shape's class name is taken")

    def _reachable_structures(self) -> dict[str, StructureShape]:
        found: dict[str, StructureShape] = {}
        pending: list[Shape] = []
        for op_name in self.model.operation_names:
            op = self.model.operation_model(op_name)
            pending.extend(s for s in (op.input_shape, op.output_shape) if s is not None)
        for error in self.model.error_shapes:  # the types of the error factories' arguments
            pending.extend(error.members.values())
        while pending:
            shape = pending.pop()
            if shape.type_name == "structure":
                if shape.name in found or self._is_opaque(shape):
                    continue
                found[shape.name] = shape
                pending.extend(shape.members.values())
            elif shape.type_name == "list":
                pending.append(shape.member)
            elif shape.type_name == "map":
                pending.extend((shape.key, shape.value))
        return dict(sorted(found.items()))

    @staticmethod
    def _is_opaque(shape: Shape) -> bool:
        """Shapes botocore hands over as objects, not dicts: documents and event streams."""
        return bool(shape.metadata.get("document") or shape.serialization.get("eventstream"))

    def annotation(self, shape: Shape) -> str:
        kind = shape.type_name
        if kind == "structure":
            return "_Any" if self._is_opaque(shape) else class_name(shape.name)
        if kind == "list":
            return f"list[{self.annotation(shape.member)}]"
        if kind == "map":
            return f"dict[{self.annotation(shape.key)}, {self.annotation(shape.value)}]"
        if kind == "blob" and shape.serialization.get("streaming"):
            return "_StreamingBlob"
        return _SCALARS[kind]

    def member_annotation(self, shape: Shape, name: str, member: Shape) -> str:
        text = self.annotation(member)
        if member.serialization.get("eventstream"):
            text = "_Any"
        return f"_Required[{text}]" if name in shape.required_members else text

    def typed_dict(self, shape: StructureShape) -> Iterator[str]:
        name = class_name(shape.name)
        members = sorted(shape.members.items())
        if not members:
            yield f"class {name}(_TypedDict, total=False):\n    pass\n"
        elif all(n.isidentifier() and not keyword.iskeyword(n) for n, _ in members):
            yield f"class {name}(_TypedDict, total=False):"
            for member_name, member in members:
                yield f"    {member_name}: {self.member_annotation(shape, member_name, member)}"
            yield ""
        else:  # a member name Python cannot spell as an attribute: the functional form
            yield f"{name} = _TypedDict({name!r}, {{"
            for member_name, member in members:
                yield f"    {member_name!r}: {self.member_annotation(shape, member_name, member)!r},"
            yield "}, total=False)\n"

    def aliases(self) -> Iterator[str]:
        for op_name in sorted(self.model.operation_names):
            op = self.model.operation_model(op_name)
            for suffix, shape in (("Request", op.input_shape), ("Result", op.output_shape)):
                target = class_name(shape.name) if shape is not None else "_NoMembers"
                alias = op_name + suffix
                if alias == target:
                    continue
                if alias in self.classes:
                    alias = f"{op_name}Operation{suffix}"
                    if alias in self.classes:
                        raise ValueError(f"{self.model.service_name}: no free name for {op_name}{suffix}")
                yield f"{alias} = {target}"

    def error_factories(self, stub: bool) -> Iterator[str]:
        """A function per modeled error shape: typed declarations in the stub, untyped bodies at run time."""
        legacy = QUERY_COMPATIBLE_CODES.get(self.model.service_name, {})
        query_compatible = "awsQueryCompatible" in self.model.metadata
        for shape in sorted(self.model.error_shapes, key=lambda s: s.name):
            fields = [(n, m) for n, m in sorted(shape.members.items())
                      if n.lower() != "message" and n.isidentifier() and not keyword.iskeyword(n)]
            params = ["message: str = \"\""]
            if fields:
                params.append("*")
            for member_name, member in fields:
                required = member_name in shape.required_members
                text = f": {self.annotation(member)}" if stub else ""
                params.append(f"{member_name}{text}" if required else
                              f"{member_name}{text} | None = None" if stub else f"{member_name}=None")
            signature = f"def {factory_name(shape.name)}({', '.join(params)}) -> _AwsError:"
            if stub:
                yield signature + " ..."
                continue
            error = shape.metadata.get("error", {})
            status = error.get("httpStatusCode", 500 if shape.metadata.get("fault") else 400)
            # a query-compatible model that keeps the legacy code (CloudWatch's) is read; the table
            # fills in for the models that dropped it (SQS's)
            code = legacy.get(shape.name, error.get("code", shape.name)) if query_compatible else shape.error_code
            query = f", query_error_shape={shape.name!r}" if query_compatible else ""
            field_dict = "{" + ", ".join(f"{n!r}: {n}" for n, _ in fields) + "}"
            yield signature
            yield f"    return _modeled_error({code!r}, message, {status}, {field_dict}{query})"
            yield "\n"

    def paginator_specs(self) -> Iterator[str]:
        yield "PAGINATORS: dict[str, _Paginator] = {"
        for op_name, spec in sorted(self.paginators.items()):
            args = ", ".join(
                f"{key}={_as_tuple(spec.get(key))!r}" for key in ("input_token", "output_token", "result_key"))
            yield (f"    {op_name!r}: _Paginator({args}, limit_key={spec.get('limit_key')!r}, "
                   f"more_results={spec.get('more_results')!r}),")
        yield "}"

    def _docstring(self, what: str) -> str:
        service = self.model.service_name
        return (f'"""Typed API of {service} ({self.model.metadata.get("serviceFullName", service)}), '
                f"apiVersion {self.model.api_version}{what}.\n\n"
                f"GENERATED by kumo_intercept.codegen from botocore {botocore.__version__}; do not edit.\n"
                f"Regenerate: python -m kumo_intercept.codegen {service}\n"
                '"""\n')

    def runtime(self) -> str:
        """``<module>.py``: the names used at run time."""
        operations = "".join(f"\n    {name!r}," for name in sorted(self.model.operation_names))
        parts = [
            self._docstring(f": what runs (the types are in {module_name(self.model.service_name)}.pyi)"),
            _RUNTIME_IMPORTS,
            f"\nSERVICE_NAME = {self.model.service_name!r}\n",
            f"\nOPERATIONS: tuple[str, ...] = ({operations}\n)\n",
            "\n# -- errors " + "-" * 89 + "\n\n",
            "\n".join(self.error_factories(stub=False)),
            "\n# -- paginators " + "-" * 85 + "\n\n",
            "\n".join(self.paginator_specs()) + "\n",
            "\n#: the shapes are the stub's; named at run time, each is ``dict``\n",
            "__getattr__ = _shapes_as_dict(__name__)\n",
        ]
        return "".join(parts).replace("\n\n\n\n", "\n\n\n")

    def stub(self) -> str:
        """``<module>.pyi``: the shapes and operation aliases, and the run-time names declared."""
        parts = [
            self._docstring(""),
            _STUB_IMPORTS,
            "\nSERVICE_NAME: str\n",
            "\n# -- shapes " + "-" * 89 + "\n",
        ]
        for shape in self.structures.values():
            parts.append("\n" + "\n".join(self.typed_dict(shape)))
        parts.append("\n# -- operations " + "-" * 85 + "\n")
        parts.append("\n".join(self.aliases()) + "\n")
        parts.append("\nOPERATIONS: tuple[str, ...]\n")
        parts.append("\n# -- errors " + "-" * 89 + "\n\n")
        parts.append("\n".join(self.error_factories(stub=True)) + "\n")
        parts.append("\nPAGINATORS: dict[str, _Paginator]\n")
        return "".join(parts).replace("\n\n\n\n", "\n\n\n")


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, list) else (value,)


#: the suffixes of a service's generated files: the run-time module and its stub
SUFFIXES = (".py", ".pyi")


def generate(service: str, session: Any = None) -> dict[str, str]:
    """The texts of ``kumo_intercept/api/<module_name(service)>.py`` and ``.pyi`` (keyed by suffix) for
    the installed botocore."""
    session = session or botocore.session.get_session()
    model = session.get_service_model(service)
    try:
        paginators = session.get_component("data_loader").load_service_model(
            service, "paginators-1", model.api_version)["pagination"]
    except DataNotFoundError:
        paginators = {}
    generator = _Generator(model, paginators)
    return {".py": generator.runtime(), ".pyi": generator.stub()}


def write(services: Iterable[str]) -> list[Path]:
    session = botocore.session.get_session()
    written = []
    for service in services:
        for suffix, text in generate(service, session).items():
            path = API_DIR / f"{module_name(service)}{suffix}"
            path.write_text(text)
            written.append(path)
    return written


def main(argv: list[str]) -> int:
    for path in write(argv or default_services()):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
