"""The emulator's options: their types, checks that name the option at fault, and moto's ``config``.

``kumo(...)`` takes the keywords of ``Options``; a misspelt one is a type error for mypy and a
ConfigurationError naming the closest option at run time.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
import warnings
from typing import Any, Literal, Mapping, TypedDict, Union

from .clock import Clock, When, to_epoch
from .errors import ConfigurationError

#: set to ``1`` (or ``true``) to make ``strict`` default to True: a test suite that checks every response
ENV_STRICT = "KUMO_STRICT"
DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT_ID = "123456789012"
_ACCOUNT_ID = re.compile(r"^\d{12}$")


class Options(TypedDict, total=False):
    """The keywords of ``kumo(...)``; see ``kumo`` for what each means."""

    region: str
    account_id: str
    clock: Union[str, Clock]
    start_time: Union[When, None]
    seed: Union[int, str, None]
    strict: bool
    data_dir: Union[str, "os.PathLike[str]", None]
    durability: Union[str, float]
    ledger_size: int
    from_snapshot: Union[str, None]
    iam: Literal["off", "audit", "enforce"]
    serve: Union[bool, int]


#: every option with its default, in the order ``kumo``'s docstring lists them
DEFAULTS: dict[str, Any] = {
    "region": DEFAULT_REGION, "account_id": DEFAULT_ACCOUNT_ID, "clock": "wall", "start_time": None,
    "seed": 0, "strict": False, "data_dir": None, "durability": "process", "ledger_size": 10_000,
    "from_snapshot": None, "iam": "off", "serve": False,
}


def unknown_option_error(name: str) -> ConfigurationError:
    close = difflib.get_close_matches(name, DEFAULTS, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return ConfigurationError(f"kumo() has no option {name!r}{hint} The options are: {', '.join(DEFAULTS)}.")


@functools.lru_cache(maxsize=1)
def known_regions() -> frozenset[str]:
    """Every region botocore's partition data names (empty when this botocore has none)."""
    import botocore.loaders

    try:
        data = botocore.loaders.create_loader().load_data("partitions")
    except Exception:  # an old botocore without partitions.json: no check
        return frozenset()
    return frozenset(region for partition in data["partitions"] for region in partition.get("regions", ()))


def default_strict() -> bool:
    """``strict`` when ``kumo()`` is not given one: ``$KUMO_STRICT``, else False."""
    return os.environ.get(ENV_STRICT, "").strip().lower() in ("1", "true", "yes")


IAM_MODES = ("off", "audit", "enforce")


def check_options(region: Any, account_id: Any, seed: Any, strict: Any, start_time: Any, iam: Any = "off") -> None:
    """Refuse option values of the wrong type or form, naming the option (the clock, durability,
    data directory and ledger size are checked where they are used)."""
    if not isinstance(region, str) or not region:
        raise ConfigurationError(f"region must be a region name such as 'us-east-1', got {region!r}")
    regions = known_regions()
    if regions and region not in regions:
        close = difflib.get_close_matches(region, regions, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ConfigurationError(f"region {region!r} is not a region botocore knows{hint}")
    if not isinstance(account_id, str) or not _ACCOUNT_ID.match(account_id):
        raise ConfigurationError(f"account_id must be 12 digits, got {account_id!r}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, str))):
        raise ConfigurationError(f"seed must be an int, a str or None, got {type(seed).__name__} {seed!r}")
    if not isinstance(strict, bool):
        raise ConfigurationError(f"strict must be True or False, got {strict!r}")
    if iam not in IAM_MODES:
        raise ConfigurationError(f"iam must be one of {', '.join(map(repr, IAM_MODES))}, got {iam!r}")
    if start_time is not None:
        try:
            to_epoch(start_time)
        except (TypeError, ValueError) as exc:
            raise ConfigurationError(
                f"start_time must be a datetime, epoch seconds or an ISO 8601 string, got {start_time!r}"
            ) from exc


#: moto's ``mock_aws(config=...)`` keys: what each means here. None: accepted and ignored silently
#: when it has moto's default value; a string: the warning given when it is set to anything else.
_MOTO_CONFIG: dict[tuple[str, str], tuple[Any, str]] = {
    ("batch", "use_docker"): (True, "Batch is not emulated by kumo_intercept and nothing uses Docker"),
    ("lambda", "use_docker"): (True, "kumo_intercept runs Python functions in-process, never in Docker, "
                                     "and always runs them"),
    ("core", "mock_credentials"): (True, "kumo_intercept always serves calls without real credentials"),
    ("core", "reset_boto3_session"): (True, "kumo_intercept patches sessions instead of resetting them"),
    ("core", "service_whitelist"): (None, "every emulated service is always available"),
    ("iam", "load_aws_managed_policies"): (False, "AWS managed policies are not loaded"),
    ("stepfunctions", "execute_state_machine"): (True, "Step Functions is not emulated yet"),
}


def apply_moto_config(config: Mapping[str, Any]) -> None:
    """Check moto's ``config`` dict: known keys are accepted (a warning says what differs), a
    passthrough to real AWS is refused (nothing here ever reaches the network), unknown keys are
    refused with the known ones named."""
    if not isinstance(config, Mapping):
        raise ConfigurationError(f"config must be a dict as moto takes it, got {type(config).__name__}")
    for section, values in config.items():
        if not isinstance(values, Mapping):
            raise ConfigurationError(f"config[{section!r}] must be a dict, got {values!r}")
        for key, value in values.items():
            _check_moto_key(section, key, value)


def _check_moto_key(section: str, key: str, value: Any) -> None:
    if (section, key) == ("core", "passthrough"):
        if any(value.get(kind) for kind in ("urls", "services")) if isinstance(value, Mapping) else value:
            raise ConfigurationError(
                "config['core']['passthrough'] would send calls to real AWS: kumo_intercept never lets a "
                "call reach the network. Leave services you do not want emulated out of the test instead.")
        return
    known = _MOTO_CONFIG.get((section, key))
    if known is None:
        names = ", ".join(f"{s}.{k}" for s, k in [*_MOTO_CONFIG, ("core", "passthrough")])
        raise ConfigurationError(f"config key {section}.{key} is not one moto knows; known keys: {names}")
    default, meaning = known
    if value != default:
        warnings.warn(f"mock_aws config {section}.{key}={value!r} is ignored: {meaning}.", stacklevel=4)
