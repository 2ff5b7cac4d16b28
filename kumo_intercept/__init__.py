"""kumo_intercept: a complete, fast, deterministic AWS inside the Python process.

    from kumo_intercept import kumo

    with kumo() as aws:
        boto3.client("sts").get_caller_identity()

Importing this package adds two no-op botocore handlers to every botocore session created afterwards;
nothing else changes until an emulator is activated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Mapping, TypeVar, overload

from .core.clock import VirtualClock, WallClock
from .core.dispatch import RequestContext, ServiceBackend
from .core.errors import AwsError, ConfigurationError, KumoError, NotEmulatedError, StrictModeError
from .core.interceptor import NetworkBlockedError, active as _active, install_builtin_handlers
from .core.ledger import BodyPreview, Call, CallLedger
from .core.options import DEFAULT_ACCOUNT_ID, DEFAULT_REGION, Options, apply_moto_config, unknown_option_error
from .emulator import Emulator, KumoInternalError

if TYPE_CHECKING:
    from typing_extensions import Unpack  # typing.Unpack is 3.11+; only mypy reads this

__version__ = "0.1.0"
__all__ = [
    "kumo", "mock_aws", "current", "Emulator", "AwsError", "KumoError", "NotEmulatedError",
    "StrictModeError", "ConfigurationError", "NetworkBlockedError", "KumoInternalError",
    "RequestContext", "ServiceBackend", "Call", "CallLedger", "BodyPreview", "VirtualClock", "WallClock",
    "Options", "DEFAULT_ACCOUNT_ID", "DEFAULT_REGION",
]

F = TypeVar("F", bound=Callable[..., Any])

install_builtin_handlers()


@overload
def kumo(target: F, /) -> F: ...
@overload
def kumo(target: None = None, /, **options: "Unpack[Options]") -> Emulator: ...


def kumo(target: Any = None, /, **options: "Unpack[Options]") -> Any:
    """Create an emulator, or decorate a function or ``unittest.TestCase`` class with a fresh one.

    Use it as ``with kumo() as aws:``, ``aws = kumo().start()`` … ``aws.stop()``, ``@kumo`` or
    ``@kumo(seed=3)``. Options:

    - ``region``: region for clients created without one (default ``"us-east-1"``).
    - ``account_id``: the account calls act in (default ``"123456789012"``); a client whose access key
      id is a 12-digit number acts in that account instead.
    - ``clock``: ``"wall"`` (default), ``"virtual"`` or a clock object; ``start_time`` sets where a
      virtual clock starts (default 2025-01-01T00:00:00Z).
    - ``seed``: seed of every generated identifier (default 0; None for random ones).
    - ``strict``: check every response against botocore's output shape (default False, or True when
      the environment variable ``KUMO_STRICT`` is ``1``).
    - ``data_dir``, ``durability``: persistence (see docs/persistence.md); ``KUMO_DATA_DIR`` is the
      default directory. ``from_snapshot``: start from a seed made by ``aws.export(path)``.
    - ``ledger_size``: how many calls ``aws.calls`` keeps (default 10,000).
    - ``iam``: ``"off"`` (default), ``"audit"`` (record would-be denials in the ledger) or ``"enforce"``
      (authorize every call made with a principal's credentials as AWS would; see docs/iam.md).
    - ``serve``: also serve over HTTP from a thread (``True``: a free port; a number: that port); the
      URL is ``aws.endpoint_url`` (see docs/server.md).

    Activating while an emulator is active joins it: state is shared and the outermost exit ends it.
    """
    emulator = _emulator(options)
    return emulator if target is None else emulator(target)


def _emulator(options: Mapping[str, Any]) -> Emulator:
    for name in options:
        if name not in Options.__annotations__:
            raise unknown_option_error(name)
    return Emulator(**options)


@overload
def mock_aws(target: F, /) -> F: ...
@overload
def mock_aws(target: None = None, /, *, config: Mapping[str, Any] | None = None,
             **options: "Unpack[Options]") -> Emulator: ...


def mock_aws(target: Any = None, /, *, config: Mapping[str, Any] | None = None,
             **options: "Unpack[Options]") -> Any:
    """``kumo`` for code moving from moto: also takes moto's ``config`` dict (known keys are accepted,
    with a warning where kumo_intercept behaves otherwise; unknown keys and passthrough are refused)."""
    if config is not None:
        apply_moto_config(config)
    return kumo(target, **options) if target is not None else kumo(**options)


def current() -> Emulator | None:
    """The active emulator, or None when none is active."""
    return _active()


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext kumo_intercept``: start an emulator for the kernel (see integrations/ipython.py)."""
    from .integrations.ipython import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    from .integrations.ipython import unload_ipython_extension as unload

    unload(ipython)
