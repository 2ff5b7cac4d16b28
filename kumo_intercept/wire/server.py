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
import struct
import sys
import threading
from typing import TYPE_CHECKING, Any, Iterator

from . import introspection
from .handler import answer_error, handle  # not wire.handle, whose import on each call costs ~2 µs
from .headers import Headers
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
#: answers up to this size go out in one write with their headers
_ONE_WRITE = 1 << 16
#: http.server's limits on the header section (http.client's _MAXLINE and _MAXHEADERS)
_MAX_HEADER_LINE = 65536
_MAX_HEADERS = 100
#: the methods served (others are answered 501)
_METHODS = frozenset({"GET", "PUT", "POST", "DELETE", "HEAD", "PATCH", "OPTIONS"})
_HTTP_ERROR_CODES = {400: "BadRequest", 414: "RequestURITooLong", 431: "RequestHeaderSectionTooLarge",
                     501: "NotImplemented", 505: "HTTPVersionNotSupported"}


class _RequestHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "kumo_intercept"
    sys_version = ""
    #: idle connections end by the socket's own receive timeout (``setup``) where the system has one:
    #: a Python socket timeout costs a poll() before every read and write
    timeout = None if hasattr(socket, "SO_RCVTIMEO") and sys.platform != "win32" else IDLE_TIMEOUT
    server: "Server"
    headers: Headers  # type: ignore[assignment]  # read by parse_request, not as an email message
    raw_requestline: bytes

    def setup(self) -> None:
        super().setup()
        if self.timeout is None:
            idle = struct.pack("ll", IDLE_TIMEOUT, 0)  # struct timeval
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, idle)
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, idle)
        # a read that times out then ends as an end of stream (socket.SocketIO reads EAGAIN so): the
        # connection closes, and a body cut short is refused

    def handle(self) -> None:
        try:
            super().handle()
        except (ConnectionError, BlockingIOError):
            # the client reset or left the connection, or did not read the answer within IDLE_TIMEOUT
            # (the send timeout of ``setup``): there is no one to answer
            self.close_connection = True

    def do_request(self) -> None:
        try:
            body = self._body()
        except _Refused as refused:
            self.close_connection = True  # before the answer, which then says so (Connection: close)
            self._send(*refused.answer)
            return
        if self.command == "OPTIONS" and "access-control-request-method" in self.headers:
            self._send(200, self._preflight(), b"")
            return
        if self.path.startswith(introspection.PREFIX):
            self._send(*introspection.answer(self.server.emulator, self.command, self.path, body))
            return
        self._send(*handle(self.server.emulator, self.command, self.path, self.headers, body))

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
        if not (length.isascii() and length.isdigit()):  # str.isdigit alone takes '²'
            raise _Refused(self._error(AwsError("InvalidArgument", "Invalid Content-Length", 400)))
        size = int(length)
        if size > self.server.max_body:
            raise _Refused(self._too_large(size))
        body = self.rfile.read(size)
        if len(body) < size:
            raise _Refused(self._error(AwsError("IncompleteBody", "You did not provide the number of bytes "
                                                "specified by the Content-Length HTTP header", 400)))
        return body

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
        lines = [self._status_line(status)]
        length = None
        for name, value in self._cors(headers).items():
            if name.lower() == "content-length":
                length = value
                continue
            lines.append(f"{name}: {value}")
        if self.command == "HEAD":
            lines.append(f"Content-Length: {length if length is not None else len(body)}")
            body = b""
        elif status not in (204, 304):
            lines.append(f"Content-Length: {len(body)}")
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "strict")
        # one write, one TCP segment for a small answer: headers and body apart would cost a second
        # system call and, on the client's side, a second read
        if len(body) <= _ONE_WRITE:
            self.wfile.write(head + body)
        else:
            self.wfile.write(head)
            self.wfile.write(body)

    def _status_line(self, status: int) -> str:
        reason = self.responses[status][0] if status in self.responses else ""
        return f"{self.protocol_version} {status} {reason}"

    def _stream(self, status: int, headers: dict[str, str], messages: "Iterator[bytes]") -> None:
        """An event stream: each message goes out as it comes, in HTTP chunked encoding."""
        lines = [self._status_line(status)]
        lines += [f"{name}: {value}" for name, value in self._cors(headers).items()
                  if name.lower() != "content-length"]
        lines.append("Transfer-Encoding: chunked")
        self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "strict"))
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

    def handle_one_request(self) -> None:
        """One request, as ``http.server`` reads it, with its head read in one piece when the reader
        already holds all of it (a client's request usually arrives in one segment): one read and
        one split instead of a ``readline`` per header field."""
        try:
            head = _buffered_head(self.rfile)
            if head is None:
                self.raw_requestline, lines = self.rfile.readline(_MAX_HEADER_LINE + 1), None
            else:
                self.raw_requestline, lines = head
            if len(self.raw_requestline) > _MAX_HEADER_LINE:
                self.requestline = self.request_version = self.command = ""  # as http.server does
                self.send_error(414)
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request(lines):
                return
            if self.command not in _METHODS:
                self.send_error(501, f"Unsupported method ({self.command!r})")
                return
            self.do_request()
        except TimeoutError:  # a read or a write timed out: the connection is dropped
            self.close_connection = True

    def parse_request(self, lines: list[str] | None = None) -> bool:
        """The request line and header fields (``lines`` when already read, else read here), as
        ``http.server``'s own ``parse_request`` reads them but without the ``email`` package (its
        header parser was a fifth of a small request's time): HTTP/1.1 keeps the connection unless
        ``Connection: close``, HTTP/1.0 closes it unless ``keep-alive``; ``Expect: 100-continue`` is
        answered before the body is read. Request lines without an HTTP version (HTTP/0.9) are
        refused."""
        self.command = None  # type: ignore[assignment]
        self.request_version = self.default_request_version
        self.close_connection = True
        self.requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        words = self.requestline.split()
        if not words:
            return False
        version = _http_version(words[-1]) if len(words) == 3 else None
        if version is None:
            self.send_error(400, f"Bad request syntax ({self.requestline!r})")
            return False
        if version >= (2, 0):
            self.send_error(505, f"Invalid HTTP version ({words[-1]})")
            return False
        self.request_version = words[-1]
        self.close_connection = version < (1, 1)
        self.command, self.path = words[0], words[1]
        if self.path.startswith("//"):
            self.path = "/" + self.path.lstrip("/")  # as http.server does
        try:
            self.headers = _fields(lines if lines is not None else _header_lines(self.rfile))
        except _HeaderError as error:
            self.send_error(431, str(error))
            return False
        connection = self.headers.get("connection", "").lower()
        if connection == "close":
            self.close_connection = True
        elif connection == "keep-alive":
            self.close_connection = False
        if self.headers.get("expect", "").lower() == "100-continue" and version >= (1, 1):
            return self.handle_expect_100()
        return True

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


def _http_version(word: str) -> tuple[int, int] | None:
    """``HTTP/1.1`` -> (1, 1); None when the word is no HTTP version."""
    major, dot, minor = word.removeprefix("HTTP/").partition(".")
    numbers = major + minor
    if not word.startswith("HTTP/") or not dot or not (major and minor and numbers.isascii() and numbers.isdigit()) \
            or len(major) > 10 or len(minor) > 10:  # isascii: str.isdigit alone takes '²'
        return None
    return int(major), int(minor)


class _HeaderError(Exception):
    pass


def _buffered_head(rfile: Any) -> tuple[bytes, list[str]] | None:
    """The request line and the header lines, when the reader's buffer holds the whole head with
    CRLF line ends (at most one read from the socket, as ``readline`` would do); an empty request
    line at the end of the stream; else None, and nothing is consumed."""
    buffered = rfile.peek(1)
    if not buffered:
        return b"", []  # the end of the stream, or an idle connection's receive timeout: no request
    end = buffered.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = buffered[:end]
    line_ends = head.count(b"\r\n")
    if head.count(b"\n") != line_ends or line_ends > _MAX_HEADERS:
        return None  # a bare LF ends a line too, or too many fields (refused there): line by line
    rfile.read(end + 4)
    request_line, _, fields = head.partition(b"\r\n")
    return request_line + b"\r\n", fields.decode("iso-8859-1").split("\r\n") if fields else []


def _header_lines(rfile: Any) -> list[str]:
    """The header lines up to the empty line, read one by one."""
    lines: list[str] = []
    while True:
        line = rfile.readline(_MAX_HEADER_LINE + 1)
        if len(line) > _MAX_HEADER_LINE:
            raise _HeaderError("Line too long")
        if line in (b"\r\n", b"\n", b""):
            return lines
        if len(lines) >= _MAX_HEADERS:
            raise _HeaderError("Too many headers")
        lines.append(line.decode("iso-8859-1").rstrip("\r\n"))


def _fields(lines: list[str]) -> Headers:
    """Header fields from their lines; a folded line (obsolete line folding) continues the field
    before it."""
    fields: list[tuple[str, str]] = []
    for text in lines:
        if text[:1] in (" ", "\t") and fields:
            name, value = fields[-1]
            fields[-1] = (name, f"{value} {text.strip()}")
            continue
        name, colon, value = text.partition(":")
        if colon:
            fields.append((name.strip(), value.strip()))
    return Headers(fields)


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
