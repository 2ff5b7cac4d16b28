"""The emulator: one in-process AWS, activated as a context manager, decorator or start()/stop()."""

from __future__ import annotations

import functools
import inspect
import re
import threading
from typing import TYPE_CHECKING, Any, Callable, Literal, TypeVar, overload

from .core import interceptor
from .core.clock import Clock, VirtualClock, When, make_clock
from .core.dispatch import RequestContext, ServiceBackend, backend_class
from .core.errors import AwsError, ConfigurationError, KumoError, NotEmulatedError
from .core.faults import Faults
from .core.ids import IdGenerator
from .core.ledger import Call
from .core.ports import Ports
from .core.responses import HttpResponse, error_response, new_request_id, response_metadata
from .core.strict import validate_output
from .inspection import Calls, State, emulator_html, emulator_text
from .store import Store
from .store.session import Persistence

if TYPE_CHECKING:
    import unittest

F = TypeVar("F", bound=Callable[..., Any])
#: wraps each intercepted call: gets a function running the call, returns what it returns
DispatchHook = Callable[[Callable[[], "tuple[HttpResponse, dict]"]], "tuple[HttpResponse, dict]"]
Durability = Literal["process", "fsync"]
_ACCOUNT_ID = re.compile(r"^\d{12}$")
DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"


class KumoInternalError(KumoError):
    """A backend failed with an unexpected Python exception: a bug in kumo_intercept."""


class Emulator:
    """An AWS inside the process. Create it with ``kumo(...)``; see ``kumo`` for the options."""

    def __init__(
        self,
        *,
        region: str = DEFAULT_REGION,
        account_id: str = DEFAULT_ACCOUNT,
        clock: str | Clock = "wall",
        start_time: When | None = None,
        seed: int | str | None = 0,
        strict: bool = False,
        data_dir: str | None = None,
        durability: Durability | str | float = "process",
        ledger_size: int = 10_000,
        from_snapshot: str | None = None,
    ) -> None:
        if not _ACCOUNT_ID.match(account_id):
            raise ConfigurationError(f"account_id must be 12 digits, got {account_id!r}")
        if not region or not isinstance(region, str):
            raise ConfigurationError(f"region must be a region name such as 'us-east-1', got {region!r}")
        self._options: dict[str, Any] = dict(
            region=region, account_id=account_id, clock=clock, start_time=start_time, seed=seed,
            strict=strict, data_dir=data_dir, durability=durability, ledger_size=ledger_size,
            from_snapshot=from_snapshot,
        )
        self.region = region
        self.account_id = account_id
        self.clock: Clock = make_clock(clock, start_time)
        self.ids = IdGenerator(seed)
        self.strict = strict
        self.calls = Calls(ledger_size)
        self.store = Store()
        self.lock = threading.RLock()
        #: waits (long polls) sleep on this; every committed change notifies it
        self.changed = threading.Condition(self.lock)
        self._backends: dict[str, ServiceBackend] = {}
        self._handlers: dict[tuple[str, str], Callable[[RequestContext], dict]] = {}
        self._pending: list[Callable[[], None]] = []
        #: called after every outermost call and by drain(); each returns True if it did work
        self.pollers: list[Callable[[], bool]] = []
        #: injected failures and latency (see core/faults.py); kept across reset()
        self.faults = Faults(self)
        #: what services ask of each other, typed (see core/ports.py)
        self.ports = Ports(self)
        self._depth = 0  # nested dispatches in progress (a Lambda handler calling boto3…)
        #: persistence's hook around each intercepted call (see ``around_dispatch``); None when unused
        self.dispatch_hook: DispatchHook | None = None
        self._joined: Emulator | None = None
        if isinstance(self.clock, VirtualClock):
            self.clock.on_change(self._clock_moved)
        #: data directory, snapshots, export (see store/session.py and docs/persistence.md)
        self.persistence = Persistence(self, data_dir, durability, from_snapshot)

    # -- activation ---------------------------------------------------------------------------
    def start(self) -> "Emulator":
        """Activate process-wide and return the active emulator (this one, or the one it joined)."""
        active = interceptor.activate(self)
        if active is not self:
            self._joined = active
        elif interceptor.state.depth == 1:
            try:
                self.persistence.open()  # recover the data directory / load the seed
            except BaseException:
                interceptor.deactivate()
                raise
        return active

    def stop(self) -> None:
        """End this activation; the outermost stop ends the emulator (state is discarded)."""
        self._joined = None
        stopped = interceptor.deactivate()
        if stopped is not None:
            stopped._shutdown()

    def _shutdown(self) -> None:
        try:
            self.persistence.close()
        finally:
            self.store.blobs.close()

    def __enter__(self) -> "Emulator":
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    @property
    def active(self) -> bool:
        return interceptor.active() is self

    def _fresh(self) -> "Emulator":
        return type(self)(**self._options)

    @overload
    def __call__(self, target: type) -> type: ...
    @overload
    def __call__(self, target: F) -> F: ...

    def __call__(self, target: Any) -> Any:
        """Decorate a function (sync or async) or a ``unittest.TestCase`` class: each call/test runs
        in a fresh emulator with these options."""
        if isinstance(target, type):
            import unittest  # only here: importing it costs a few ms on every import of kumo_intercept

            if not issubclass(target, unittest.TestCase):
                raise TypeError("kumo can decorate functions and unittest.TestCase classes only")
            return self._decorate_test_case(target)
        if inspect.iscoroutinefunction(target):
            @functools.wraps(target)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                with self._fresh():
                    return await target(*args, **kwargs)
            return async_wrapper

        @functools.wraps(target)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self._fresh():
                return target(*args, **kwargs)
        return wrapper

    def _decorate_test_case(self, cls: type["unittest.TestCase"]) -> type["unittest.TestCase"]:
        """Each test method, with its setUp and tearDown (and cleanups), in a fresh emulator."""
        original_run = cls.run
        fresh = self._fresh

        @functools.wraps(original_run)
        def run(test: "unittest.TestCase", result: Any = None) -> Any:
            with fresh():
                return original_run(test, result)

        cls.run = run  # type: ignore[method-assign,assignment]
        return cls

    # -- state ------------------------------------------------------------------------------
    def backend(self, service: str) -> ServiceBackend:
        """The backend of ``service`` (botocore's service name), built on first use."""
        backend = self._backends.get(service)
        if backend is None:
            cls = backend_class(service)
            if cls is None:
                raise NotEmulatedError(service)
            with self.lock:
                backend = self._backends.get(service)
                if backend is None:
                    backend = self._backends[service] = cls(self)
        return backend

    # -- hooks for persistence (store/session.py): the only ways it changes the emulator ----------
    def drop_backends(self) -> set[str]:
        """Drop every backend with its handlers, queued work and pollers (they hold indexes derived
        from records about to be replaced); returns the services that were running."""
        running = set(self._backends)
        self._backends.clear()
        self._handlers.clear()
        self._pending.clear()
        self.pollers.clear()
        return running

    def resume_backends(self, running: set[str]) -> None:
        """After the records were replaced: build at once the backends of services that were running or
        own records, so their background work (schedules, event source mappings) goes on as before."""
        owning = {name.split(".", 1)[0] for name, table in self.store.tables().items() if len(table)}
        for service in sorted(running | owning):
            if backend_class(service) is not None:
                self.backend(service)

    @property
    def call_depth(self) -> int:
        """How many intercepted calls are in progress in this thread's stack (0 outside any call)."""
        return self._depth

    def reset(self) -> None:
        """Forget every resource of every service (the clock, ids and call ledger go on)."""
        with self.lock:
            self.store.clear()
            self.drop_backends()
            self.persistence.reset()

    def defer(self, work: Callable[[], None]) -> None:
        """Queue work (event deliveries…) to run before the current intercepted call returns."""
        self._pending.append(work)

    def drain(self, max_rounds: int = 1000) -> None:
        """Run everything queued with ``defer``, then the pollers, until nothing is left to do."""
        with self.lock:
            for _ in range(max_rounds):
                if self._pending:
                    self._atomically(self._pending.pop(0))
                elif not any([self._atomically(poller) for poller in list(self.pollers)]):
                    return

    def _atomically(self, work: Callable[[], Any]) -> Any:
        savepoint = self.store.begin()
        self._depth += 1
        try:
            result = work()
        except BaseException:
            self.store.rollback(savepoint)
            raise
        finally:
            self._depth -= 1
        self.store.commit(savepoint)
        return result

    def wait(self, timeout: float) -> None:
        """Release the lock until a change is committed or ``timeout`` seconds pass (long polls).

        Called from inside a handler; the handler's transaction must have no changes yet.
        """
        undo = self.store.suspend()
        if undo:
            self.store.resume(undo)
            raise RuntimeError("a handler may only wait before it changes anything")
        depth, self._depth = self._depth, 0
        try:
            self.changed.wait(timeout)
        finally:
            self._depth = depth
            self.store.resume(undo)

    def _clock_moved(self) -> None:
        """A virtual clock moved: wake long polls, and outside a call run what has come due
        (schedules, event source mappings), so state after ``advance()`` is state after that time."""
        with self.lock:
            self.changed.notify_all()
            if not self._depth and (self._pending or self.pollers):
                self.drain()

    # -- accounts -----------------------------------------------------------------------------
    def account_for(self, access_key: str | None) -> str:
        """The account a client acts in: a 12-digit access key id names it; keys the emulator
        issued (STS) act in their own account; anything else acts in ``account_id``."""
        if access_key:
            if len(access_key) == 12 and access_key.isdigit():
                return access_key
            issued = self.store.table("sts.credentials").get(access_key)
            if issued is not None:
                return issued["Account"]
        return self.account_id

    # -- dispatch -----------------------------------------------------------------------------
    def handler(self, service: str, operation: str) -> Callable[[RequestContext], dict]:
        handler = self._handlers.get((service, operation))
        if handler is None:
            if backend_class(service) is None:
                raise NotEmulatedError(service, operation, f"no backend for the service {service!r}")
            handler = self.backend(service).handler_for(operation)
            if handler is None:
                raise NotEmulatedError(service, operation)
            self._handlers[(service, operation)] = handler
        return handler

    def dispatch(self, model: Any, params: dict, access_key: str | None, region: str,
                 botocore_context: dict | None = None) -> tuple[HttpResponse, dict]:
        """Serve one intercepted call: what botocore's ``before-call`` short-circuit returns."""
        hook = self.dispatch_hook
        if hook is None:
            return self._serve(model, params, access_key, region, botocore_context)
        return hook(lambda: self._serve(model, params, access_key, region, botocore_context))

    def _serve(self, model: Any, params: dict, access_key: str | None, region: str,
               botocore_context: dict | None) -> tuple[HttpResponse, dict]:
        service_model = model.service_model
        service = service_model.service_name
        operation = model.name
        fault = self.faults.check(model, params)
        with self.lock:
            # looked up under the lock: reset/restore/restart may have rebuilt the backends meanwhile
            handler = fault or self.handler(service, operation)
            request_id = new_request_id(service, self.ids)
            ctx = RequestContext(self, service, operation, params, self.account_for(access_key),
                                 region, request_id, access_key, model, botocore_context)
            error: AwsError | None = None
            savepoint = self.store.begin()
            self._depth += 1
            try:
                parsed = handler(ctx)
            except AwsError as exc:
                self.store.rollback(savepoint)
                error = exc
            except BaseException as exc:
                self.store.rollback(savepoint)
                if isinstance(exc, (KumoError, NotImplementedError)) or not isinstance(exc, Exception):
                    raise
                raise KumoInternalError(
                    f"kumo_intercept failed while serving {service}.{operation}: {exc!r}. "
                    "This is a bug in kumo_intercept; please report it with this traceback."
                ) from exc
            finally:
                self._depth -= 1
            if self.store.commit(savepoint):
                self.changed.notify_all()
            if not savepoint:
                if (self._pending or self.pollers) and not self._depth:
                    self.drain()
            return self._respond(ctx, parsed if error is None else None, error, service_model)

    def _respond(self, ctx: RequestContext, parsed: dict | None, error: AwsError | None,
                 service_model: Any) -> tuple[HttpResponse, dict]:
        if error is not None:
            parsed = error_response(error, service_model.protocol)
            status = error.status
            headers = error.headers
        else:
            assert parsed is not None
            if self.strict:
                validate_output(ctx.model.output_shape, parsed, f"{ctx.service}.{ctx.operation}")
            status = ctx.status
            headers = ctx.headers
        host_id = self.ids.b64(48) if ctx.service in ("s3", "s3control") else None
        metadata = response_metadata(ctx.service, ctx.request_id, status, headers, self.clock.time(), host_id)
        parsed["ResponseMetadata"] = metadata
        self.calls.record(Call(ctx.service, ctx.operation, ctx.params, parsed,
                               error.code if error is not None else None,
                               ctx.account, ctx.region, ctx.request_id, self.clock.time()))
        return HttpResponse(status, metadata["HTTPHeaders"]), parsed

    # -- persistence and snapshots (see docs/persistence.md) ----------------------------------------
    @property
    def data_dir(self) -> str | None:
        """The data directory (absolute), or None when state lives in memory only."""
        return self.persistence.data_dir

    def restart(self) -> None:
        """Drop everything in memory and recover it from the data directory, as a new process would."""
        self.persistence.restart()

    def snapshot(self, name: str) -> None:
        """Keep the state under ``name`` (in the data directory if there is one, else in memory)."""
        self.persistence.snapshot(name)

    def restore(self, name: str) -> None:
        """Go back to the state saved by ``snapshot(name)``; clock, ids and call ledger go on."""
        self.persistence.restore(name)

    def snapshots(self) -> list[str]:
        return self.persistence.snapshot_names()

    def export(self, path: str, label: str | None = None) -> dict:
        """Publish the state as a self-contained seed directory at ``path`` (atomically); start other
        emulators from it with ``kumo(from_snapshot=path)``. Returns the seed's manifest."""
        return self.persistence.export(path, label)

    def compact(self) -> dict:
        """Compact the data directory now (it also happens by itself as the journal grows)."""
        return self.persistence.compact()

    # -- inspection (see inspection.py) --------------------------------------------------------
    @property
    def state(self) -> State:
        """What every service holds, read without boto3 calls: ``aws.state.sqs.queues("orders")``."""
        return State(self)

    def _repr_html_(self) -> str:
        return emulator_html(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self) if cycle else emulator_text(self))

    def __repr__(self) -> str:
        state = "active" if self.active else "inactive"
        return (f"<Emulator {state} account={self.account_id} region={self.region} "
                f"clock={self.clock!r} seed={self.ids.seed!r}>")
