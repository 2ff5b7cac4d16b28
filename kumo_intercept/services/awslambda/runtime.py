"""Running Lambda handlers inside the test process: code directories, isolated module namespaces,
the context object, output capture and AWS's error payloads.

A function's deployment package (and each of its layers) is extracted once per process into a
directory named by the zip's SHA-256, so equal code shares one directory and nothing is ever
rewritten. A function version's *environment* (a warm execution environment in AWS's words) is its
imported handler plus the modules its code imported: they live in the function's own
``Namespace`` and are swapped into ``sys.modules`` only for the duration of an invocation, so two
functions with a module of the same name (``app``, ``utils``…) never see each other's, and the test
process's own modules of that name are put back afterwards.
"""

from __future__ import annotations

import atexit
import base64
import decimal
import importlib
import io
import json
import logging
import os
import shutil
import sys
import sysconfig
import tempfile
import threading
import traceback
import zipfile
from types import ModuleType
from typing import Any, Callable, Iterable

_MISSING: Any = object()

# -- code directories ------------------------------------------------------------------------------
_code_root: str | None = None
_code_lock = threading.Lock()


def _root() -> str:
    global _code_root
    with _code_lock:
        if _code_root is None:
            _code_root = tempfile.mkdtemp(prefix="kumo-lambda-code-")
            atexit.register(shutil.rmtree, _code_root, True)
        return _code_root


def code_directory(blobs: Any, blob_id: str) -> str:
    """The directory holding the files of the zip stored as ``blob_id`` (extracted on first use)."""
    target = os.path.join(_root(), blob_id)
    if os.path.isdir(target):
        return target
    tmp = tempfile.mkdtemp(dir=_root(), prefix=".extract-")
    try:
        with blobs.open(blob_id) as raw, zipfile.ZipFile(raw) as archive:
            archive.extractall(tmp)
        os.rename(tmp, target)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        if not os.path.isdir(target):
            raise
    return target


def check_zip(data: bytes) -> int:
    """The unzipped size of a deployment package; ValueError if ``data`` is not a zip archive."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise ValueError(str(exc)) from None


def layer_paths(directory: str) -> list[str]:
    """The import path entries a layer adds: ``python/`` and ``python/lib/python3.x/site-packages``."""
    paths = []
    python = os.path.join(directory, "python")
    if os.path.isdir(python):
        lib = os.path.join(python, "lib")
        if os.path.isdir(lib):
            for entry in sorted(os.listdir(lib)):
                site = os.path.join(lib, entry, "site-packages")
                if entry.startswith("python3") and os.path.isdir(site):
                    paths.append(site)
        paths.append(python)
    return paths


def _top_level_names(directory: str) -> set[str]:
    names: set[str] = set()
    try:
        entries = list(os.scandir(directory))
    except FileNotFoundError:
        return names
    for entry in entries:
        name = entry.name
        if name.startswith((".", "__")):
            continue
        if entry.is_dir():
            if name.isidentifier():
                names.add(name)
            continue
        stem, _, ext = name.partition(".")
        if stem.isidentifier() and (ext in ("py", "pyc") or ext.endswith(("so", "pyd"))):
            names.add(stem)
    return names


#: packages a deployment may vendor but the process's own copies always serve: they carry the hooks
#: that route boto3 calls to the emulator (a vendored botocore would try the network)
SHARED_PACKAGES = frozenset({"boto3", "botocore", "s3transfer", "kumo_intercept"})


class Namespace:
    """The modules of one environment, in ``sys.modules`` only while one of its calls runs."""

    def __init__(self, paths: list[str], task_root: str | None) -> None:
        self.paths = paths
        self.task_root = task_root
        owned: set[str] = set()
        for path in paths:
            owned |= _top_level_names(path)
        self.owned = frozenset(owned - SHARED_PACKAGES)
        self.modules: dict[str, ModuleType] = {}

    def enter(self) -> tuple[dict[str, ModuleType], int]:
        modules = sys.modules
        saved: dict[str, ModuleType] = {}
        for name in self.owned:
            if name in modules:  # the process (or a calling function) has a module of that name
                prefix = name + "."
                for key in [k for k in list(modules) if k == name or k.startswith(prefix)]:
                    saved[key] = modules.pop(key)
        modules.update(self.modules)
        sys.path[:0] = self.paths
        return saved, len(modules)

    def exit(self, saved: dict[str, ModuleType], count: int) -> None:
        modules = sys.modules
        owned = self.owned
        if len(modules) != count:  # something was imported: find what belongs to this code
            mine = {k: m for k, m in list(modules.items()) if k.partition(".")[0] in owned}
        else:
            mine = {k: modules[k] for k in self.modules if k in modules}
        self.modules = mine
        for key in mine:
            del modules[key]
        modules.update(saved)
        for path in self.paths:
            try:
                sys.path.remove(path)
            except ValueError:
                pass


# -- errors as the Python runtime reports them -------------------------------------------------------
class Fault(Exception):
    """An error of the runtime itself (import, handler lookup, marshalling), not of the handler.
    ``during_init``: raised while the module loaded, when AWS reports no request id."""

    def __init__(self, error_type: str, message: str, trace: list[str] | None = None,
                 during_init: bool = False) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace or []
        self.during_init = during_init


#: where the standard library's modules live here, shown as the Lambda image has it
_STDLIB = sysconfig.get_paths()["stdlib"]


def _init_fault(exc: Exception, namespace: Namespace, runtime_name: str) -> Fault:
    """An exception raised while the handler's module loaded, as AWS reports it (recorded from AWS:
    LocalStack's test_lambda_runtime_error): no request id, the trace from importlib's import_module
    on, with the image's paths."""
    lib = "/var/lang/lib/python" + ".".join(str(part) for part in python_version(runtime_name)[:2])
    frames = traceback.extract_tb(exc.__traceback__)[1:]  # from importlib on: not load_handler's frame
    for frame in frames:
        if frame.filename.startswith(_STDLIB):
            frame.filename = lib + frame.filename[len(_STDLIB):]
        else:
            frame.filename = _task_path(frame.filename, namespace)
    # the runtime's trace marks no columns (Python 3.11+ underlines them with ^ lines)
    trace = ["".join(line for line in entry.splitlines(keepends=True) if line.strip(" ^~\n"))
             for entry in traceback.format_list(frames)]
    return Fault(type(exc).__name__, str(exc), trace, during_init=True)


def exit_payload(code: Any, request_id: str) -> dict[str, Any]:
    """What an invocation whose code called ``sys.exit`` answers (recorded from AWS: LocalStack's
    test_lambda_handler_exit and test_lambda_runtime_exit for ``sys.exit(0)``; the exit status wording
    from test_lambda_runtime_wrapper_not_found): the runtime process ended, so no trace."""
    status = 0 if code is None else code if isinstance(code, int) else 1
    reason = "Runtime exited without providing a reason" if status == 0 else \
        f"Runtime exited with error: exit status {status}"
    return {"errorType": "Runtime.ExitError", "errorMessage": f"RequestId: {request_id} Error: {reason}"}


def load_handler(spec: str, namespace: Namespace, runtime_name: str = "python3.12") -> Callable[..., Any]:
    """Import the handler named ``module.function`` the way the Python runtime does."""
    try:
        modname, fname = spec.rsplit(".", 1)
    except ValueError as exc:
        raise Fault("Runtime.MalformedHandlerName", f"Bad handler '{spec}': {exc}") from None
    modname = modname.replace("/", ".")
    try:
        module = importlib.import_module(modname)
    except ImportError as exc:
        raise Fault("Runtime.ImportModuleError", f"Unable to import module '{modname}': {exc}") from None
    except SyntaxError as exc:
        filename = _task_path(exc.filename or "", namespace)
        trace = [f'  File "{filename}" Line {exc.lineno}\n    {(exc.text or "").strip()}\n']
        raise Fault("Runtime.UserCodeSyntaxError", f"Syntax error in module '{modname}': {exc}", trace) from None
    except Exception as exc:  # the module's own code failed while it loaded
        raise _init_fault(exc, namespace, runtime_name) from None
    handler = getattr(module, fname, None)
    if handler is None:
        raise Fault("Runtime.HandlerNotFound", f"Handler '{fname}' missing on module '{modname}'")
    return handler


def _task_path(filename: str, namespace: Namespace | None) -> str:
    """Code paths as AWS shows them: the function's code under /var/task, layers under /opt."""
    if namespace is not None and namespace.task_root and filename.startswith(namespace.task_root):
        return "/var/task" + filename[len(namespace.task_root):]
    root = _code_root
    if root and filename.startswith(root):
        rest = filename[len(root) + 1:]
        _, _, inside = rest.partition(os.sep)
        return "/opt/" + inside
    return filename


def error_payload(exc: BaseException, request_id: str, namespace: Namespace | None,
                  skip_frames: int = 1) -> dict[str, Any]:
    """``{"errorMessage", "errorType", "requestId", "stackTrace"}`` for an exception of the handler."""
    if isinstance(exc, SystemExit):
        return exit_payload(exc.code, request_id)
    if isinstance(exc, Fault):
        return {"errorMessage": exc.message, "errorType": exc.error_type,
                "requestId": "" if exc.during_init else request_id, "stackTrace": exc.trace}
    frames = traceback.extract_tb(exc.__traceback__)[skip_frames:]
    for frame in frames:
        frame.filename = _task_path(frame.filename, namespace)
    return {"errorMessage": str(exc), "errorType": type(exc).__name__, "requestId": request_id,
            "stackTrace": traceback.format_list(frames)}


def error_log_line(error: dict[str, Any]) -> str:
    """The ``[ERROR]`` line the runtime writes to the log for an error payload."""
    text = "[ERROR]"
    if error.get("errorType"):
        text += " " + error["errorType"]
    if error.get("errorMessage"):
        text += (":" if error.get("errorType") else "") + " " + error["errorMessage"]
    lines = [text]
    if error.get("stackTrace") is not None:
        lines.append("Traceback (most recent call last):")
        for element in error["stackTrace"]:
            lines.extend(element.splitlines() or [""])
    return "\r".join(lines)


def python_version(runtime_name: str) -> tuple[int, ...]:
    """``"python3.12"`` -> ``(3, 12)``."""
    try:
        return tuple(int(part) for part in runtime_name[len("python"):].split("."))
    except ValueError:
        return (3, 12)


def _decimal(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def marshal(result: Any, ensure_ascii: bool) -> bytes:
    """The response body the runtime makes of a handler's return value."""
    if isinstance(result, (bytes, bytearray)):
        return bytes(result)
    try:
        return json.dumps(result, default=_decimal, ensure_ascii=ensure_ascii).encode()
    except (TypeError, ValueError) as exc:
        raise Fault("Runtime.MarshalError", f"Unable to marshal response: {exc}") from None


# -- the context object -------------------------------------------------------------------------------
class CognitoIdentity:
    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")

    def __init__(self, identity: dict | None) -> None:
        identity = identity or {}
        self.cognito_identity_id = identity.get("cognitoIdentityId")
        self.cognito_identity_pool_id = identity.get("cognitoIdentityPoolId")


class ClientContext:
    __slots__ = ("client", "custom", "env")

    def __init__(self, context: dict) -> None:
        self.client = context.get("client")
        self.custom = context.get("custom")
        self.env = context.get("env")


class LambdaContext:
    """The ``context`` argument of a handler, with the attributes AWS's Python runtime gives it.

    ``memory_limit_in_mb`` is a string, as in AWS (the runtime reads it from the environment).
    ``get_remaining_time_in_millis()`` reads the emulator's clock, so with ``clock="virtual"`` it
    stays put until the test (or the handler) moves the clock.
    """

    def __init__(self, *, clock: Any, deadline: float, aws_request_id: str, function_name: str,
                 function_version: str, invoked_function_arn: str, memory_limit_in_mb: int,
                 log_group_name: str, log_stream_name: str, client_context: dict | None = None,
                 tenant_id: str | None = None) -> None:
        self.aws_request_id = aws_request_id
        self.function_name = function_name
        self.function_version = function_version
        self.invoked_function_arn = invoked_function_arn
        self.memory_limit_in_mb = str(memory_limit_in_mb)
        self.log_group_name = log_group_name
        self.log_stream_name = log_stream_name
        self.identity = CognitoIdentity(None)
        self.client_context = ClientContext(client_context) if client_context else None
        self.tenant_id = tenant_id
        self._clock = clock
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - self._clock.time()) * 1000))

    def log(self, message: str) -> None:
        sys.stdout.write(message)

    def __repr__(self) -> str:
        return (f"LambdaContext([aws_request_id={self.aws_request_id},function_name={self.function_name},"
                f"function_version={self.function_version},invoked_function_arn={self.invoked_function_arn}])")


# -- output capture -----------------------------------------------------------------------------------
class Capture(io.TextIOBase):
    """Stands in for stdout and stderr during a call; each line becomes one log event."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[str] = []
        self._partial = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        data = self._partial + text
        *lines, self._partial = data.split("\n")
        self.events.extend(lines)
        return len(text)

    def add_event(self, text: str) -> None:
        self.flush_partial()
        self.events.append(text)

    def flush_partial(self) -> None:
        if self._partial:
            self.events.append(self._partial)
            self._partial = ""


class _LogHandler(logging.Handler):
    """What the runtime adds to the root logger: ``[LEVEL]\\t<time>\\t<request id>\\t<message>``."""

    def __init__(self) -> None:
        super().__init__()
        self.capture: Capture | None = None
        self.request_id = ""
        self.clock: Any = None

    def emit(self, record: logging.LogRecord) -> None:
        capture = self.capture
        if capture is None:
            return
        try:
            message = record.getMessage()
            if record.exc_info:
                message += "\n" + "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        except Exception:  # noqa: BLE001 - a broken log call must not break the handler
            message = str(record.msg)
        stamp = iso_millis(self.clock.time()) if self.clock is not None else ""
        capture.add_event(f"[{record.levelname}]\t{stamp}\t{self.request_id}\t{message}".replace("\n", "\r"))


log_handler = _LogHandler()


def iso_millis(epoch: float) -> str:
    import datetime
    moment = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


# -- environment variables ----------------------------------------------------------------------------
#: the variables of the invocation running in this thread (None: none runs); later writes by the
#: handler go here too. A removed variable is _MISSING.
_overlay = threading.local()
_EnvironClass: Any = type(os.environ)
_overlay_users = 0
_overlay_lock = threading.Lock()
_popen_init: Any = None
_thread_start: Any = None


def _thread_values() -> dict[str, Any] | None:
    return getattr(_overlay, "values", None)


class ThreadEnviron(_EnvironClass):  # type: ignore[misc,valid-type]
    """``os.environ`` while a handler runs: the thread running it sees its function's variables on
    top of the process's, every other thread sees the process's. Installed by changing the class of
    the one ``os.environ`` object (so ``from os import environ`` and ``os.getenv`` see it too) and put
    back when no handler runs."""

    def __getitem__(self, key: str) -> str:
        values = _thread_values()
        if values is not None and key in values:
            value = values[key]
            if value is _MISSING:
                raise KeyError(key)
            return value  # type: ignore[no-any-return]
        return super().__getitem__(key)  # type: ignore[no-any-return]

    def __setitem__(self, key: str, value: str) -> None:
        values = _thread_values()
        if values is None:
            super().__setitem__(key, value)
            return
        if not isinstance(key, str) or not isinstance(value, str):
            raise TypeError(f"str expected, not {type(value if isinstance(key, str) else key).__name__}")
        values[key] = value

    def __delitem__(self, key: str) -> None:
        values = _thread_values()
        if values is None:
            super().__delitem__(key)
            return
        if key not in self:
            raise KeyError(key)
        values[key] = _MISSING

    def __iter__(self) -> Any:
        values = _thread_values()
        if values is None:
            yield from super().__iter__()
            return
        for key in super().__iter__():
            if key not in values:
                yield key
        for key, value in list(values.items()):
            if value is not _MISSING:
                yield key

    def __len__(self) -> int:
        if _thread_values() is None:
            return super().__len__()  # type: ignore[no-any-return]
        return sum(1 for _ in self)

    def copy(self) -> dict[str, str]:
        return dict(self)


def _popen_init_with_overlay(popen: Any, args: Any, *rest: Any, **kwargs: Any) -> None:
    """``subprocess.Popen`` (and run, check_output, os.popen…) started by a handler without ``env``
    gets the handler's environment, not the process's C environment."""
    if _thread_values() is not None:
        if len(rest) > 9:  # env given positionally (the 11th parameter)
            if rest[9] is None:
                rest = (*rest[:9], dict(os.environ), *rest[10:])
        elif kwargs.get("env") is None:
            kwargs["env"] = dict(os.environ)
    _popen_init(popen, args, *rest, **kwargs)


def _start_with_overlay(thread: threading.Thread) -> None:
    """``Thread.start``: a thread a handler starts sees a copy of the handler's variables (as threads
    of a Lambda execution environment see its process environment), for as long as it runs."""
    values = _thread_values()
    if values is not None:
        run = thread.run
        inherited = dict(values)

        def run_with_overlay() -> None:
            _overlay.values = inherited
            run()

        thread.run = run_with_overlay  # type: ignore[method-assign]
    _thread_start(thread)


def _install() -> None:
    global _popen_init, _thread_start
    import subprocess

    os.environ.__class__ = ThreadEnviron
    _popen_init = subprocess.Popen.__init__
    subprocess.Popen.__init__ = _popen_init_with_overlay  # type: ignore[method-assign,assignment]
    _thread_start = threading.Thread.start
    threading.Thread.start = _start_with_overlay  # type: ignore[method-assign,assignment]


def _uninstall() -> None:
    import subprocess

    os.environ.__class__ = _EnvironClass
    subprocess.Popen.__init__ = _popen_init  # type: ignore[method-assign]
    threading.Thread.start = _thread_start  # type: ignore[method-assign]


class Environ:
    """A function's environment variables, seen only by the thread running its handler.

    ``set`` gives the calling thread an overlay (the variables of any invocation already running in
    it, then these) and ``restore`` takes it back; while any overlay exists, ``os.environ`` is a
    ``ThreadEnviron``, ``subprocess.Popen`` passes the overlay on and threads started with it get a
    copy. The process's environment (``os.environ`` as other threads see it, and the C environment)
    is never changed.
    """

    __slots__ = ("values",)

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values

    def __getitem__(self, key: str) -> str:
        return self.values[key]

    def set(self) -> dict[str, Any] | None:
        """Give this thread the overlay; returns what ``restore`` needs."""
        global _overlay_users
        with _overlay_lock:
            if not _overlay_users:
                _install()
            _overlay_users += 1
        previous = _thread_values()
        _overlay.values = {**(previous or {}), **self.values}
        return previous

    def restore(self, previous: dict[str, Any] | None) -> None:
        global _overlay_users
        _overlay.values = previous
        with _overlay_lock:
            _overlay_users -= 1
            if not _overlay_users:
                _uninstall()


def tail(lines: Iterable[str]) -> str:
    """``LogType=Tail``: the last 4 KB of the invocation's log, base64-encoded."""
    text = "".join(line + "\n" for line in lines).encode()
    return base64.b64encode(text[-4096:]).decode()
