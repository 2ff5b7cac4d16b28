"""The emulator: one in-process AWS, activated as a context manager, decorator or start()/stop()."""

from __future__ import annotations

import contextlib
import functools
import inspect
import sys
import threading
import time
import urllib.parse
from typing import TYPE_CHECKING, Any, Callable, Iterator, Literal, TypeVar, overload

from .core import interceptor
from .core.clock import Clock, ControlledClock, VirtualClock, When, make_clock
from .core.dispatch import RequestContext, ServiceBackend, backend_class
from .core.errors import AwsError, ConfigurationError, KumoError, NotEmulatedError
from .core.faults import Faults
from .core.ids import IdGenerator
from .core.options import DEFAULT_ACCOUNT_ID, DEFAULT_REGION, DEFAULTS, check_options, default_strict
from .core.ledger import Call, blob_members, with_payloads_previewed, wrap_streams
from .core.ports import Ports
from .core.responses import HttpResponse, error_response, new_request_id, response_metadata
from .core.scalars import as_session_parses
from .core.strict import validate_output
from .core.interceptor import parameter_validation_off
from .core.validation import check_unvalidated_input, with_datetimes
from .inspection import Calls, State, emulator_html, emulator_text
from .store import Store
from .store.session import Persistence

if TYPE_CHECKING:
    import unittest

    from .wire.server import Server

F = TypeVar("F", bound=Callable[..., Any])
#: wraps each intercepted call: gets a function running the call, returns what it returns
DispatchHook = Callable[[Callable[[], "tuple[HttpResponse, dict]"]], "tuple[HttpResponse, dict]"]
Durability = Literal["process", "fsync"]
#: user code (Lambda handlers) runs one at a time in the process: it swaps process-wide things
#: (sys.stdout, the working directory, sys.modules). Taken only without the emulator's lock.
_USER_CODE_TURN = threading.RLock()


def _takes_method(function: Callable[..., Any]) -> bool:
    """Whether a ``setup_method``/``teardown_method`` takes pytest's ``method`` argument."""
    return len(inspect.signature(function).parameters) > 1


#: Python frames a call may use: expressions within AWS's length limits (4 KB DynamoDB expressions and
#: PartiQL statements, Logs Insights queries) nest up to a thousand levels, and their recursive-descent
#: parsers and evaluators take a few frames per level
HANDLER_RECURSION_LIMIT = 6000


class _CallDepth(threading.local):
    """Per thread: nested dispatches in progress (a Lambda handler calling boto3…)."""

    depth = 0


def _raise_recursion_limit() -> int | None:
    """Give the call HANDLER_RECURSION_LIMIT frames; returns the limit to put back, if it changed."""
    limit = sys.getrecursionlimit()
    if limit >= HANDLER_RECURSION_LIMIT:
        return None
    sys.setrecursionlimit(HANDLER_RECURSION_LIMIT)
    return limit


def _botocore_would_refuse(exc: BaseException, protocol: str) -> bool:
    """A lone surrogate in a param of a query or REST call: botocore itself fails to UTF-8-encode the
    request body or URL before sending it, with this same UnicodeEncodeError (JSON bodies escape it)."""
    return (isinstance(exc, UnicodeEncodeError) and exc.encoding == "utf-8"
            and protocol not in ("json", "rest-json", "smithy-rpc-v2-cbor"))


class _Operation:
    """What serving a botocore operation needs to know of its model, worked out at its first call."""

    __slots__ = ("service_model", "service", "name", "key", "inputs", "outputs", "s3_style")

    def __init__(self, model: Any) -> None:
        self.service_model = model.service_model
        self.service: str = self.service_model.service_name
        self.name: str = model.name
        self.key = (self.service, self.name)
        #: the blob members of its input and output (the ledger keeps previews of them)
        self.inputs = blob_members(model.input_shape)
        self.outputs = blob_members(model.output_shape)
        #: S3-style responses carry a host id (``x-amz-id-2``)
        self.s3_style = self.service in ("s3", "s3control")


class KumoInternalError(KumoError):
    """A backend failed with an unexpected Python exception: a bug in kumo_intercept."""


class Emulator:
    """An AWS inside the process. Create it with ``kumo(...)``; see ``kumo`` for the options."""

    def __init__(
        self,
        *,
        region: str = DEFAULT_REGION,
        account_id: str = DEFAULT_ACCOUNT_ID,
        clock: str | Clock = "wall",
        start_time: When | None = None,
        seed: int | str | None = 0,
        strict: bool | None = None,
        data_dir: str | None = None,
        durability: Durability | str | float = "process",
        ledger_size: int = 10_000,
        from_snapshot: str | None = None,
        iam: str = "off",
        serve: bool | int = False,
    ) -> None:
        if strict is None:
            strict = default_strict()
        check_options(region, account_id, seed, strict, start_time, iam)
        self._options: dict[str, Any] = dict(
            region=region, account_id=account_id, clock=clock, start_time=start_time, seed=seed,
            strict=strict, data_dir=data_dir, durability=durability, ledger_size=ledger_size,
            from_snapshot=from_snapshot, iam=iam, serve=serve,
        )
        self.region = region
        self.account_id = account_id
        self.clock: ControlledClock = make_clock(clock, start_time)
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
        #: botocore operation model -> what serving it needs to know (see _Operation)
        self._operations: dict[Any, _Operation] = {}
        #: called after every outermost call and by drain(); each returns True if it did work
        self.pollers: list[Callable[[], bool]] = []
        #: injected failures and latency (see core/faults.py); kept across reset()
        self.faults = Faults(self)
        #: what services ask of each other, typed (see core/ports.py)
        self.ports = Ports(self)
        self._local = _CallDepth()
        #: threads running user code without the lock (see user_code) -> how many nested regions
        self._outside: dict[int, int] = {}
        #: pollers wait: state opened from disk runs no code of its own (see resume_background)
        self._background_paused = False
        #: persistence's hook around each intercepted call (see ``dispatch``); None when unused
        self.dispatch_hook: DispatchHook | None = None
        self._iam: Any = None
        #: IAM enforcement's check of each call before its handler (None when ``iam="off"``: no cost)
        self.authorize: Callable[[RequestContext], None] | None = None if iam == "off" else self.iam.authorize
        self._joined: Emulator | None = None
        self._servers: list[Server] = []
        self._recursion_limit_before_serving: int | None = None
        if isinstance(self.clock, VirtualClock):
            self.clock.on_change(self._clock_moved)
        #: data directory, snapshots, export (see store/session.py and docs/persistence.md)
        self.persistence = Persistence(self, data_dir, durability, from_snapshot)

    # -- activation ---------------------------------------------------------------------------
    def start(self) -> "Emulator":
        """Activate process-wide and return the active emulator (this one, or the one it joined)."""
        active = interceptor.activate(self)
        if active is not self:
            differing = self._options_differing_from(active)
            if differing:
                interceptor.deactivate()
                raise ConfigurationError(
                    f"an emulator is already active with other options ({differing}): an emulator "
                    "activated inside another joins it and cannot change its options. Set the options "
                    "on the outer one (e.g. @pytest.mark.kumo(...) for the pytest fixture), or stop it first.")
            self._joined = active
        elif interceptor.state.depth == 1:
            try:
                self.persistence.open()  # recover the data directory / load the seed
            except BaseException:
                interceptor.deactivate()
                raise
            # a directory may come from elsewhere: what it holds (event source mappings, schedules)
            # runs only once this process asks for Lambda or calls resume_background()
            self._background_paused = any(len(table) for table in self.store.tables().values())
            serve = self._options["serve"]
            if serve is not False:  # kumo(serve=True) on a free port, kumo(serve=4566) on that one
                try:
                    self.serve(port=0 if serve is True else int(serve))
                except BaseException:
                    self.stop()
                    raise
        return active

    def _options_differing_from(self, active: "Emulator") -> str:
        """The options this emulator sets (differs from the default) that the active one has otherwise."""
        return ", ".join(
            f"{name}={value!r} here, {active._options[name]!r} active"
            for name, value in self._options.items()
            if value != DEFAULTS[name] and value != active._options[name]
        )

    def stop(self) -> None:
        """End this activation; the outermost stop ends the emulator (state is discarded)."""
        self._joined = None
        stopped = interceptor.deactivate()
        if stopped is not None:
            stopped._shutdown()

    def _shutdown(self) -> None:
        try:
            self._stop_servers()
            self.persistence.close()
        finally:
            self.store.blobs.close()

    # -- over HTTP (kumo_intercept/wire/server.py, docs/server.md) ------------------------------------
    def serve(self, host: str = "127.0.0.1", port: int = 0, **options: Any) -> "Server":
        """Serve this (active) emulator over HTTP from a thread, at ``aws.endpoint_url``: other
        processes, SDKs and clients with ``endpoint_url`` see the same state. ``port=0`` picks a free
        port. The server stops when the emulator stops. ``options``: ``max_body``, ``max_connections``."""
        from .wire.server import Server

        if not self.active:
            raise ConfigurationError("serve() needs an active emulator: call it inside `with kumo() as aws:` "
                                     "or after aws.start()")
        server = Server(self, host, port, **options).start()
        if not self._servers:
            # server threads would otherwise raise and restore the process-wide limit around each call,
            # under the feet of other threads (CPython's parser checks the depth it started with)
            self._recursion_limit_before_serving = _raise_recursion_limit()
        self._servers.append(server)
        interceptor.add_served_endpoint(urllib.parse.urlsplit(server.endpoint_url).netloc)
        return server

    @property
    def endpoint_url(self) -> str | None:
        """The URL of the first server ``serve()`` started, or None."""
        return self._servers[0].endpoint_url if self._servers else None

    def _stop_servers(self) -> None:
        if not self._servers:
            return
        while self._servers:
            server = self._servers.pop()
            interceptor.remove_served_endpoint(urllib.parse.urlsplit(server.endpoint_url).netloc)
            server.stop()
        if self._recursion_limit_before_serving is not None:
            sys.setrecursionlimit(self._recursion_limit_before_serving)
            self._recursion_limit_before_serving = None

    def __enter__(self) -> "Emulator":
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    @property
    def active(self) -> bool:
        return interceptor.active() is self

    def _fresh(self) -> "Emulator":
        return type(self)(**self._options)

    async def __aenter__(self) -> "Emulator":
        return self.start()

    async def __aexit__(self, *exc_info: Any) -> None:
        self.stop()

    @overload
    def __call__(self, target: type, /) -> type: ...
    @overload
    def __call__(self, target: F, /) -> F: ...

    def __call__(self, target: Any = None, /, **options: Any) -> Any:
        """Decorate a function (sync or async) or a test class: each call/test runs in a fresh
        emulator with these options."""
        if target is None or options:
            raise ConfigurationError(
                "this `kumo` is an Emulator, not the kumo() function: in a test it is most likely the "
                "pytest fixture `kumo`, whose name shadows the imported function. Use the fixture as it "
                "is (`kumo.calls`, `kumo.clock.advance(60)`), give it options with "
                "@pytest.mark.kumo(seed=99), or import the function under another name "
                "(`from kumo_intercept import kumo as make_emulator`).")
        if isinstance(target, type):
            import unittest  # only here: importing it costs a few ms on every import of kumo_intercept

            if issubclass(target, unittest.TestCase):
                return self._decorate_test_case(target)
            return self._decorate_plain_class(target)
        if not callable(target):
            raise TypeError(f"kumo decorates functions and classes, not {type(target).__name__}")
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

    def _decorate_plain_class(self, cls: type) -> type:
        """A pytest-style test class, as moto's ``mock_aws`` treats it: each ``test*`` method runs in a
        fresh emulator, and ``setup_method``/``teardown_method`` run inside that same emulator."""
        fresh = self._fresh
        started: list[Emulator] = []  # the emulator setup_method started, until teardown_method
        original_setup = cls.__dict__.get("setup_method")
        original_teardown = cls.__dict__.get("teardown_method")

        def setup_method(test: Any, method: Any = None) -> None:
            started.append(fresh().start())
            if original_setup is not None:
                original_setup(test, method) if _takes_method(original_setup) else original_setup(test)

        def teardown_method(test: Any, method: Any = None) -> None:
            try:
                if original_teardown is not None:
                    original_teardown(test, method) if _takes_method(original_teardown) else original_teardown(test)
            finally:
                if started:
                    started.pop().stop()

        cls.setup_method = setup_method  # type: ignore[attr-defined]
        cls.teardown_method = teardown_method  # type: ignore[attr-defined]
        for name, member in list(vars(cls).items()):
            if name.startswith("test") and callable(member):
                # outside pytest nothing calls setup_method: the method then gets an emulator of its own;
                # under pytest it joins the one setup_method started
                setattr(cls, name, self(member))
        return cls

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

    @property
    def iam(self) -> Any:
        """IAM enforcement (``kumo(iam="audit"|"enforce")``): ``aws.iam.explain(call)`` says which
        statements allowed or denied a call in the ledger, ``aws.iam.denials()`` lists the denied ones."""
        if self._iam is None:
            from .services.iam.enforcement import load

            self._iam = load(self, self._options["iam"])
        return self._iam

    @property
    def background_paused(self) -> bool:
        """Whether restored background work (event source mappings, schedules) waits: true after
        opening a data directory or seed with state, until the first call to Lambda or
        ``resume_background()``."""
        return self._background_paused

    def resume_background(self) -> None:
        """Let restored background work run (and run what is due now)."""
        self._background_paused = False
        if not self._local.depth:
            self.drain()

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
        return self._local.depth

    def reset(self) -> None:
        """Forget every resource of every service (the clock, ids and call ledger go on)."""
        with self.lock:
            self.store.clear()
            self.drop_backends()
            self.persistence.reset()

    @contextlib.contextmanager
    def user_code(self, timeout: float, label: str) -> Iterator[None]:
        """Run user code (a Lambda handler) without the emulator's lock, so threads it starts can call
        boto3 while it waits for them.

        The open transaction's changes so far are journaled first (``Store.split``): other threads
        may now see them, so no rollback may take them back. The lock is released completely and
        taken back (with the transaction) when the block ends. Meanwhile other threads' calls run
        no deferred work or pollers (the call running the handler does that when it ends). One
        handler runs at a time in the process; waiting for the turn longer than ``timeout`` (wall
        time or emulator clock, whichever moved more) raises a KumoError naming the problem.
        """
        lock = self.lock
        if not lock._is_owned():  # type: ignore[attr-defined]
            with self._turn(timeout, label):
                yield
            return
        if self.store.split():
            self.changed.notify_all()
        me = threading.get_ident()
        self._outside[me] = self._outside.get(me, 0) + 1
        undo = self.store.suspend()
        saved = lock._release_save()  # type: ignore[attr-defined]  # however deep this thread holds it
        try:
            with self._turn(timeout, label):
                yield
        finally:
            lock._acquire_restore(saved)  # type: ignore[attr-defined]
            self.store.resume(undo)
            if self._outside[me] == 1:
                del self._outside[me]
            else:
                self._outside[me] -= 1

    @contextlib.contextmanager
    def _turn(self, timeout: float, label: str) -> Iterator[None]:
        if not _USER_CODE_TURN.acquire(blocking=False):
            wall, clock = time.monotonic(), self.clock.time()
            while not _USER_CODE_TURN.acquire(timeout=0.05):
                if max(time.monotonic() - wall, self.clock.time() - clock) > timeout:
                    raise KumoError(
                        f"{label} could not start within its timeout ({timeout} s): another Lambda handler "
                        "is running, and kumo_intercept runs one handler at a time in a process. If that "
                        "handler waits for this one (it joins a thread that invokes a function), invoke "
                        "asynchronously (InvocationType='Event') or do not wait for the thread.")
        try:
            yield
        finally:
            _USER_CODE_TURN.release()

    def _others_run_user_code(self) -> bool:
        return bool(self._outside) and (len(self._outside) > 1 or threading.get_ident() not in self._outside)

    def defer(self, work: Callable[[], None]) -> None:
        """Queue work (event deliveries…) to run before the current intercepted call returns."""
        self._pending.append(work)

    def drain(self, max_rounds: int = 1000) -> None:
        """Run everything queued with ``defer``, then the pollers, until nothing is left to do."""
        with self.lock:
            for _ in range(max_rounds):
                if self._others_run_user_code():
                    return  # the call running that handler drains when it ends
                if self._pending:
                    self._atomically(self._pending.pop(0))
                elif self._background_paused:
                    return
                elif not any([self._atomically(poller) for poller in list(self.pollers)]):
                    return

    def _atomically(self, work: Callable[[], Any]) -> Any:
        savepoint = self.store.begin()
        self._local.depth += 1
        try:
            result = work()
        except BaseException:
            self.store.rollback(savepoint)
            raise
        finally:
            self._local.depth -= 1
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
        depth, self._local.depth = self._local.depth, 0
        try:
            self.changed.wait(timeout)
        finally:
            self._local.depth = depth
            self.store.resume(undo)

    def _clock_moved(self) -> None:
        """A virtual clock moved: wake long polls, and outside a call run what has come due
        (schedules, event source mappings), so state after ``advance()`` is state after that time."""
        with self.lock:
            self.changed.notify_all()
            if not self._local.depth and (self._pending or self.pollers):
                self.drain()

    # -- accounts -----------------------------------------------------------------------------
    def account_for(self, access_key: str | None) -> str:
        """The account a client acts in: a 12-digit access key id names it; keys the emulator
        issued (STS) act in their own account, an IAM user's access key in its user's account;
        anything else acts in ``account_id``."""
        return self._account_of(access_key, self._issued(access_key))

    def _issued(self, access_key: str | None) -> dict | None:
        """The record of STS credentials the emulator issued with this access key, or None."""
        return self.store.table("sts.credentials").get(access_key) if access_key else None

    def _account_of(self, access_key: str | None, issued: dict | None) -> str:
        if issued is not None:
            return issued["Account"]  # type: ignore[no-any-return]
        if access_key:
            if len(access_key) == 12 and access_key.isdigit():
                return access_key
            user = self.iam_principal(access_key)
            if user is not None:
                return user["Account"]  # type: ignore[no-any-return]
        return self.account_id

    def iam_principal(self, access_key: str) -> dict | None:
        """The IAM user an access key belongs to (``{"Account", "Arn", "UserId", "UserName"}``),
        asked through the identity port; None without touching IAM when IAM holds no access keys."""
        keys = self.store.existing("iam.access_keys")  # looked up, not created: no empty table
        if keys is None or not len(keys):
            return None
        return self.ports.identity.principal_for_access_key(access_key)

    def _expired_credentials(self, issued: dict | None, service_model: Any) -> Callable[[RequestContext], dict] | None:
        """A handler answering as the service does when the caller's STS credentials (``issued``)
        have expired (query, XML and query-compatible services say ``ExpiredToken``, JSON ones
        ``ExpiredTokenException``)."""
        if issued is None or issued["Expiration"] > self.clock.time():
            return None
        if service_model.service_name in ("s3", "s3control"):
            error = AwsError("ExpiredToken", "The provided token has expired.")
        elif service_model.protocol in ("json", "rest-json") and service_model.metadata.get("awsQueryCompatible") is None:
            error = AwsError("ExpiredTokenException", "The security token included in the request is expired")
        else:
            error = AwsError("ExpiredToken", "The security token included in the request is expired")

        def expired(_ctx: RequestContext) -> dict:
            raise error
        return expired

    # -- dispatch -----------------------------------------------------------------------------
    def handler(self, service: str, operation: str) -> Callable[[RequestContext], dict]:
        handler = self._handlers.get((service, operation))
        if handler is None:
            if backend_class(service) is None:
                raise NotEmulatedError(service, operation, f"no backend for the service {service!r}")
            backend = self.backend(service)
            handler = backend.handler_for(operation)
            if handler is None:
                raise NotEmulatedError(service, operation, backend.not_emulated.get(operation, ""))
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
        op = self._operations.get(model) or self._operation(model)
        service = op.service
        if self._background_paused and service == "lambda":
            self._background_paused = False  # the process uses Lambda: restored mappings go on
        fault = self.faults.check(model, params)
        if op.inputs:
            wrap_streams(op.inputs, params)
        local = self._local
        with self.lock:
            # looked up under the lock: reset/restore/restart may have rebuilt the backends meanwhile
            issued = self._issued(access_key)
            handler = fault or self._expired_credentials(issued, op.service_model)
            served = handler is None  # by the service: not an injected fault, not an expired key
            if handler is None:
                handler = self._handlers.get(op.key) or self.handler(service, op.name)
            ctx = RequestContext(self, service, op.name, params, self._account_of(access_key, issued),
                                 region, new_request_id(service, self.ids), access_key, model, botocore_context)
            error: AwsError | None = None
            savepoint = self.store.begin()
            depth = local.depth = local.depth + 1
            recursion_limit = _raise_recursion_limit() if depth == 1 else None
            try:
                if served and parameter_validation_off(botocore_context):
                    backend = self.backend(service)
                    ctx.params = check_unvalidated_input(model, params, backend.input_error_code,
                                                         backend.missing_parameter)
                ctx.params = with_datetimes(model, ctx.params)
                if served and self.authorize is not None:
                    self.authorize(ctx)
                parsed = handler(ctx)
            except AwsError as exc:
                self.store.rollback(savepoint)
                error = exc
            except BaseException as exc:
                self.store.rollback(savepoint)
                if isinstance(exc, (KumoError, NotImplementedError)) or not isinstance(exc, Exception):
                    raise
                if _botocore_would_refuse(exc, op.service_model.protocol):
                    raise exc from None
                raise KumoInternalError(
                    f"kumo_intercept failed while serving {service}.{op.name}: {exc!r}. "
                    "This is a bug in kumo_intercept; please report it with this traceback."
                ) from exc
            finally:
                local.depth = depth - 1
                if recursion_limit is not None:
                    sys.setrecursionlimit(recursion_limit)
            if self.store.commit(savepoint):
                self.changed.notify_all()
            if not savepoint and (self._pending or self.pollers) and depth == 1:
                self.drain()
            return self._respond(op, ctx, parsed if error is None else None, error)

    def _respond(self, op: "_Operation", ctx: RequestContext, parsed: dict | None,
                 error: AwsError | None) -> tuple[HttpResponse, dict]:
        if error is not None:
            parsed = error_response(error, op.service_model)
            status = error.status
            headers = error.headers
        else:
            assert parsed is not None
            if self.strict:
                validate_output(ctx.model.output_shape, parsed, f"{op.service}.{op.name}")
            status = ctx.status
            headers = ctx.headers
        now = self.clock.time()
        metadata = response_metadata(op.service, ctx.request_id, status, headers, now,
                                     self.ids.b64(48) if op.s3_style else None)
        parsed["ResponseMetadata"] = metadata
        # most operations carry no blob: their params and answer go to the ledger as they are
        self.calls.record(Call(op.service, op.name,
                               with_payloads_previewed(op.inputs, ctx.params) if op.inputs else ctx.params,
                               with_payloads_previewed(op.outputs, parsed) if op.outputs else parsed,
                               error.code if error is not None else None,
                               ctx.account, ctx.region, ctx.request_id, now, ctx.authorization))
        if error is None:  # as the calling client's session parses timestamps and blobs (the AWS CLI's raw ones)
            parsed = as_session_parses(ctx.model, parsed, ctx.botocore_context)
        return HttpResponse(status, metadata["HTTPHeaders"]), parsed

    def _operation(self, model: Any) -> "_Operation":
        operation = self._operations[model] = _Operation(model)
        return operation

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
