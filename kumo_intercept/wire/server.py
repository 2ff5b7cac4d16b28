"""The emulator as an HTTP server: AWS's endpoints for every client outside the process.

Built on the standard library's ``ThreadingHTTPServer`` speaking HTTP/1.1 with keep-alive (no new
dependency; docs/server.md says why). One thread per connection, at most ``max_connections`` at a
time (more wait in the listen backlog); request bodies above ``max_body`` are refused with 413.
Every request goes through ``wire.handle``, except the reserved ``/_kumo/`` paths
(``introspection.py``: health, state, calls, clock, reset, snapshots) and CORS preflights (browser
clients: every origin is allowed, answers expose their headers).
"""

from __future__ import annotations

import http.server
import socket
import threading
from typing import TYPE_CHECKING, Any, Iterator

from . import handle, introspection
from .handler import answer_error
from . import models
from ..core.errors import AwsError

if TYPE_CHECKING:
    from ..emulator import Emulator

DEFAULT_PORT = 4566
#: the largest request body read (S3 allows 5 GiB in one PUT; a test server holds bodies in memory)
DEFAULT_MAX_BODY = 1 << 30
DEFAULT_MAX_CONNECTIONS = 64
#: seconds an idle keep-alive connection is kept
IDLE_TIMEOUT = 60
_S3 = "s3"
_HTTP_ERROR_CODES = {400: "BadRequest", 414: "RequestURITooLong", 431: "RequestHeaderSectionTooLarge",
                     501: "NotImplemented", 505: "HTTPVersionNotSupported"}


class _RequestHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "kumo_intercept"
    sys_version = ""
    timeout = IDLE_TIMEOUT
    server: "Server"

    def do_request(self) -> None:
        try:
            body = self._body()
        except _Refused as refused:
            self._send(*refused.answer)
            self.close_connection = True
            return
        if self.command == "OPTIONS" and "access-control-request-method" in self.headers:
            self._send(200, self._preflight(), b"")
            return
        if self.path.startswith(introspection.PREFIX):
            self._send(*introspection.answer(self.server.emulator, self.command, self.path, body))
            return
        status, headers, content = handle(self.server.emulator, self.command, self.path, dict(self.headers.items()),
                                          body)
        self._send(status, headers, content)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = do_request

    def _preflight(self) -> dict[str, str]:
        """A browser's CORS preflight: every origin, method and header is allowed (a local emulator
        serves the page's own test code; bucket CORS rules are not evaluated)."""
        return {"Access-Control-Allow-Methods": "GET, PUT, POST, DELETE, HEAD, PATCH",
                "Access-Control-Allow-Headers": self.headers.get("access-control-request-headers", "*"),
                "Access-Control-Max-Age": "3000"}

    def _cors(self, headers: dict[str, str]) -> dict[str, str]:
        request_headers = getattr(self, "headers", None)  # absent when the request line was unreadable
        origin = request_headers.get("origin") if request_headers is not None else None
        if origin is None:
            return headers
        exposed = ", ".join(name for name in headers if not name.lower().startswith("access-control-"))
        return {**headers, "Access-Control-Allow-Origin": origin, "Access-Control-Expose-Headers": exposed,
                "Vary": "Origin"}

    def _body(self) -> bytes:
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            return self._read_http_chunks()
        length = self.headers.get("content-length")
        if length is None:
            if self.command == "PUT":  # S3 refuses a PUT without a length (a POST may have no body)
                raise _Refused(self._error(AwsError("MissingContentLength",
                                                    "You must provide the Content-Length HTTP header.", 411)))
            return b""
        if not length.isdigit():
            raise _Refused(self._error(AwsError("InvalidArgument", "Invalid Content-Length", 400)))
        size = int(length)
        if size > self.server.max_body:
            raise _Refused(self._too_large(size))
        return self.rfile.read(size)

    def _read_http_chunks(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";")[0].strip(), 16)
            except ValueError:
                raise _Refused(self._error(AwsError("IncompleteBody", "Malformed chunked encoding", 400))) from None
            if size == 0:
                while self.rfile.readline(8192) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            total += size
            if total > self.server.max_body:
                raise _Refused(self._too_large(total))
            chunks.append(self.rfile.read(size))
            self.rfile.readline(8)

    def _too_large(self, size: int) -> tuple[int, dict[str, str], bytes]:
        return self._error(AwsError("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size",
                                    413, ProposedSize=str(size), MaxSizeAllowed=str(self.server.max_body)))

    def _error(self, error: AwsError) -> tuple[int, dict[str, str], bytes]:
        return answer_error(self.server.emulator, models.service_model(_S3), "rest-xml", error)

    def _send(self, status: int, headers: dict[str, str], body: "bytes | Iterator[bytes]") -> None:
        if not isinstance(body, bytes):
            self._stream(status, headers, body)
            return
        self.send_response_only(status)
        length = None
        for name, value in self._cors(headers).items():
            if name.lower() == "content-length":
                length = value
                continue
            self.send_header(name, value)
        if self.command == "HEAD":
            self.send_header("Content-Length", length if length is not None else str(len(body)))
            body = b""
        elif status not in (204, 304):
            self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _stream(self, status: int, headers: dict[str, str], messages: "Iterator[bytes]") -> None:
        """An event stream: each message goes out as it comes, in HTTP chunked encoding."""
        self.send_response_only(status)
        for name, value in self._cors(headers).items():
            if name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for chunk in messages:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
        except OSError:  # the client went away: end the stream (the generator closes the subscription)
            self.close_connection = True
        finally:
            close = getattr(messages, "close", None)
            if close is not None:
                close()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Requests http.server cannot parse (a bad request line, headers too long, an unknown
        method): an AWS-style error, with a status line even for a request that never named its HTTP
        version, then the connection is closed."""
        self.request_version = self.protocol_version
        self.close_connection = True
        error = AwsError(_HTTP_ERROR_CODES.get(code, "BadRequest"), message or explain or "Bad request", code)
        self._send(*self._error(error))

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)


class _Refused(Exception):
    def __init__(self, answer: tuple[int, dict[str, str], bytes]) -> None:
        super().__init__(answer[0])
        self.answer = answer


class Server(http.server.ThreadingHTTPServer):
    """An HTTP endpoint for ``emulator``. ``start()`` serves from a thread, ``stop()`` ends it."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, emulator: "Emulator", host: str = "127.0.0.1", port: int = DEFAULT_PORT, *,
                 max_body: int = DEFAULT_MAX_BODY, max_connections: int = DEFAULT_MAX_CONNECTIONS,
                 verbose: bool = False) -> None:
        self.emulator = emulator
        self.max_body = max_body
        self.verbose = verbose
        self._slots = threading.BoundedSemaphore(max_connections)
        self._thread: threading.Thread | None = None
        #: open connections and the threads serving them, ended on stop()
        self._connections: dict[Any, threading.Thread] = {}
        self._connections_lock = threading.Lock()
        super().__init__((host, port), _RequestHandler)

    def server_bind(self) -> None:
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().server_bind()

    @property
    def endpoint_url(self) -> str:
        host, port = self.server_address[0], self.server_address[1]
        host = host.decode() if isinstance(host, bytes) else host
        shown = host if host not in ("0.0.0.0", "::", "") else "127.0.0.1"
        return f"http://{shown}:{port}"

    def process_request(self, request: Any, client_address: Any) -> None:
        self._slots.acquire()  # bounded connections: the next one waits in the backlog
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections[request] = threading.current_thread()
        try:
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            super().process_request_thread(request, client_address)
        finally:
            with self._connections_lock:
                self._connections.pop(request, None)
            self._slots.release()

    def start(self) -> "Server":
        """Serve from a daemon thread; returns at once, ready for requests."""
        self._thread = threading.Thread(target=self.serve_forever, args=(0.05,), name=f"kumo-server-{self.endpoint_url}",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self, grace: float = 5.0) -> None:
        """Stop accepting connections, let requests in flight finish (up to ``grace`` seconds) and close
        idle keep-alive connections."""
        if self._thread is not None:
            self.shutdown()
            self._thread.join()
            self._thread = None
        self.server_close()
        with self._connections_lock:
            connections = list(self._connections.items())
        for connection, _thread in connections:
            try:
                connection.shutdown(socket.SHUT_RD)  # an idle connection's read ends; a response in flight goes out
            except OSError:
                pass
        for _connection, thread in connections:
            thread.join(grace)


def run(host: str, port: int, *, verbose: bool = False, **options: Any) -> int:
    """``python -m kumo_intercept serve``: serve until SIGINT or SIGTERM, then stop gracefully (requests
    in flight finish, the journal of a data directory is flushed)."""
    import signal

    from ..emulator import Emulator

    emulator = Emulator(**options).start()
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    try:
        server = emulator.serve(host, port, verbose=verbose)
        print(f"kumo_intercept serving on {server.endpoint_url} (health: {server.endpoint_url}/_kumo/health)",
              flush=True)
        while not stopping.wait(3600):
            pass
    finally:
        emulator.stop()
    print("kumo_intercept stopped", flush=True)
    return 0
