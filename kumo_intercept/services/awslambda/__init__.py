"""Lambda, run in-process. See ``backend.py`` for what is emulated and how.

Besides deploying zips with ``CreateFunction``, a test can make any Python callable a function's
handler, with no packaging at all::

    from kumo_intercept import kumo
    from kumo_intercept.services.awslambda import register_callable

    def handler(event, context):
        return {"seen": event["n"], "by": context.function_name}

    with kumo() as aws:
        arn = register_callable("adder", handler, environment={"TABLE": "orders"})
        boto3.client("lambda").invoke(FunctionName="adder", Payload=b'{"n": 1}')

``register_callable`` creates the function (Python runtime, ``Active``) if it does not exist, or
replaces the code of an existing one; either way invocations from boto3, event source mappings, S3
notifications, SNS and EventBridge call ``handler(event, context)`` with the same context object,
environment variables, logs, error payloads and timeouts as zip-deployed code. The callable lives in
memory only: it is not persisted, and after ``aws.reset()`` it must be registered again.
"""

from __future__ import annotations

from typing import Any, Callable

__all__ = ["register_callable"]


def register_callable(function_name: str, handler: Callable[..., Any], *, emulator: Any = None,
                      account: str | None = None, region: str | None = None, runtime: str = "python3.12",
                      timeout: int = 3, memory_size: int = 128, environment: dict[str, str] | None = None,
                      role: str | None = None) -> str:
    """Make ``handler(event, context)`` the code of Lambda function ``function_name``; returns its ARN.

    ``emulator`` defaults to the active one; ``account``/``region`` to the emulator's. ``runtime``,
    ``timeout`` (seconds), ``memory_size`` (MB), ``environment`` and ``role`` apply when the function
    is created here (``environment`` also replaces an existing function's variables).
    """
    from ... import current
    from ...core.errors import KumoError

    target = emulator or current()
    if target is None:
        raise KumoError("register_callable needs an active emulator (inside `with kumo():`) or emulator=")
    from .backend import LambdaBackend

    backend = target.backend("lambda")
    assert isinstance(backend, LambdaBackend)
    return backend.register_callable(
        function_name, handler, account=account, region=region, runtime_name=runtime, timeout=timeout,
        memory_size=memory_size, environment=environment, role=role)
