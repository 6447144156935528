"""``storysite serve``: a local preview that rebuilds on save and reloads the page.

The site is built through :func:`storysite.build.build` into a private
temporary folder (never the deployed output). watchdog reports changes; a
burst of them (an editor saving many files, a git checkout) is debounced into
one rebuild. Open pages listen on a Server-Sent Events stream and reload when
a rebuild succeeds; when it fails, they show the ``path:line: message`` list
in an overlay while the last good pages stay served. The live-reload script
is injected into HTML responses only, never written into built files.

Requests are answered only when their ``Host`` header names the preview
(:func:`host_allowed`): ``localhost``, ``127.0.0.1``, ``[::1]`` or the address
it listens on, with or without a port. Any other name gets ``421`` and a short
plain message, so that a web page whose domain was made to resolve to
127.0.0.1 (DNS rebinding) cannot read the preview, unpublished memories
included. Listening on every interface (``--host 0.0.0.0`` or ``::``) is an
explicit choice to be reached from the network, by names this program cannot
know: then every ``Host`` is accepted.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import re
import shutil
import socket
import tempfile
import threading
import time
import urllib.parse
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch

from storysite import heap
from storysite.build import BuildResult, build, save_preview_digests, settle_preview
from storysite.cache import BuildMemo, forget_output_records
from storysite.config import load_config

EVENTS_PATH = "/__storysite/events"
SCRIPT_PATH = "/__storysite/livereload.js"
DEBOUNCE_SECONDS = 0.1
"""How long changes must have stopped before a rebuild starts: an editor's save (a write, a
rename, a backup file) takes milliseconds, a git checkout streams its files without a pause."""
SETTLING_SLACK_NS = 2_000_000_000
"""How long before the first build a change is looked for once the watcher runs (file systems
with whole-second times round a save made just before the build down to the second before)."""

IGNORED_PARTS = {".git", ".storysite", "node_modules", "__pycache__", ".venv", ".mypy_cache", ".ruff_cache"}

LIVERELOAD_JS = """\
(function () {
  "use strict";
  var script = document.currentScript;
  var generation = script ? script.getAttribute("data-generation") : null;
  var overlay = null, list = null, toggle = null, collapsed = false, count = 0;
  // The errors cover the top of the page: Escape or the button folds them into a button at the
  // bottom corner, whose room the page keeps clear (scroll padding, as WCAG 2.4.11's technique
  // C43), so that what keyboard focus is on stays in sight.
  function fold(value) {
    collapsed = value;
    list.hidden = value;
    overlay.style.top = value ? "auto" : "0";
    overlay.style.bottom = value ? "0" : "auto";
    overlay.style.left = value ? "auto" : "0";
    toggle.textContent = value ? "Show build errors (" + count + ")" : "Hide";
    toggle.setAttribute("aria-expanded", String(!value));
    var room = value ? overlay.offsetHeight + "px" : "";
    document.documentElement.style.scrollPaddingBottom = room;
    document.body.style.paddingBottom = room;
  }
  function showErrors(errors) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "storysite-error-overlay";
      overlay.style.cssText = "position:fixed;top:0;right:0;left:0;z-index:2147483647;background:#2b0a0a;" +
        "color:#ffe9e9;font:14px/1.5 ui-monospace,monospace;border-bottom:4px solid #ff6b6b";
      toggle = document.createElement("button");
      toggle.type = "button";
      toggle.setAttribute("aria-controls", "storysite-error-list");
      toggle.style.cssText = "float:right;margin:0.5rem 0.75rem;font:inherit;color:inherit;background:#5c1a1a;" +
        "border:1px solid #ff6b6b;border-radius:4px;padding:0.1rem 0.6rem;cursor:pointer";
      toggle.addEventListener("click", function () { fold(!collapsed); });
      list = document.createElement("div");
      list.id = "storysite-error-list";
      list.setAttribute("role", "alert");
      list.style.cssText = "max-height:70vh;overflow:auto;padding:1rem 1.25rem;white-space:pre-wrap";
      overlay.appendChild(toggle);
      overlay.appendChild(list);
      document.body.appendChild(overlay);
      document.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && overlay && !collapsed) { fold(true); }
      });
    }
    count = errors.length;
    list.textContent = "storysite: the last build failed; showing the last good pages.\\n\\n" + errors.join("\\n");
    fold(collapsed);
  }
  function hideErrors() {
    if (overlay) {
      overlay.remove();
      overlay = null;
      collapsed = false;
      document.documentElement.style.scrollPaddingBottom = "";
      document.body.style.paddingBottom = "";
    }
  }
  var source = new EventSource("/__storysite/events");
  source.addEventListener("state", function (event) {
    var state = JSON.parse(event.data);
    if (state.errors.length) { showErrors(state.errors); } else { hideErrors(); }
    if (generation !== null && String(state.generation) !== generation && !state.errors.length) {
      location.reload();
    }
  });
})();
"""


@dataclass
class PreviewState:
    """What the preview serves: the output folder, the build generation and its errors."""

    output_dir: Path
    generation: int = 0
    errors: list[str] = field(default_factory=list)
    has_output: bool = False
    changed: threading.Condition = field(default_factory=threading.Condition)
    base_path: str = "/"
    """The path part of ``base_url``: the site is served under it, as it will be deployed."""

    def publish(self, result: BuildResult) -> None:
        with self.changed:
            if result.written:
                self.generation += 1
                self.has_output = True
                self.errors = []
            else:
                self.errors = [d.format() for d in result.diagnostics if d.is_error] or [
                    d.format() for d in result.diagnostics]
            self.changed.notify_all()

    def snapshot(self) -> dict[str, Any]:
        return {"generation": self.generation, "errors": list(self.errors)}


class Rebuilder:
    """Debounces change notifications into single, serialised rebuilds."""

    def __init__(self, site_dir: Path, state: PreviewState, on_build: Callable[[BuildResult, float], None]):
        self.site_dir = site_dir
        self.state = state
        self.on_build = on_build
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()
        self._building = threading.Lock()
        self.builds = 0
        self.stopped = False
        self.memo = BuildMemo()
        """The parsed content files and page records, kept from one rebuild to the next."""

    def rebuild_now(self, settle: bool = True, workers: int | None = 1) -> BuildResult | None:
        """Rebuild now (waiting for a rebuild under way); then, unless ``settle`` is false,
        prepare the next (see :func:`storysite.build.settle_preview`). ``workers``: see
        :func:`storysite.build.build` (one, the default, for a process with threads)."""
        with self._building:
            if self.stopped:
                return None
            started = time.perf_counter()
            # The collector is held off until the site is rebuilt: it does its walk while the
            # browsers reload rather than between a save and its reload.
            with heap.collector_off():
                # One process unless told otherwise: forking a pool from a server with threads is not safe.
                result = build(self.site_dir, output_dir=self.state.output_dir, workers=workers, memo=self.memo)
            if result.base_path is not None:
                self.state.base_path = result.base_path
            self.builds += 1
            self.state.publish(result)
            self.on_build(result, time.perf_counter() - started)
            # The pages are reloading: the next rebuild is prepared now, not after the next save.
            if settle:
                settle_preview(self.site_dir, self.state.output_dir, self.memo)
            return result

    def settle(self) -> None:
        """Prepare the next rebuild (see :func:`storysite.build.settle_preview`), unless stopped."""
        with self._building:
            if not self.stopped:
                settle_preview(self.site_dir, self.state.output_dir, self.memo)

    def poke(self) -> None:
        """A file changed: rebuild once things have been quiet for a moment."""
        with self._lock:
            if self.stopped:  # (a late event, or the startup check, after stop())
                return
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(DEBOUNCE_SECONDS, self.rebuild_now)
            self._timer.daemon = True
            self._timer.start()

    def cancel(self) -> None:
        """Stop pending rebuilds and wait for a running one to finish."""
        with self._lock:
            self.stopped = True
            if self._timer is not None:
                self._timer.cancel()
        with self._building:
            pass


def editor_scratch(name: str) -> bool:
    """Whether ``name`` is an editor's scratch file, never content: a swap (vim's ``.x.swp``,
    ``.swo``, ``.swx``), lock (emacs' ``.#x``), backup (``x~``), autosave (emacs' ``#x#``) or
    temporary file, or vim's ``4913``, which it creates and deletes to test a folder is writable."""
    return (name.endswith(("~", ".swp", ".swo", ".swx", ".tmp")) or name.startswith(".#")
            or (len(name) > 1 and name.startswith("#") and name.endswith("#")) or name == "4913")


class _Watcher(FileSystemEventHandler):
    def __init__(self, site_dir: Path, ignored_roots: list[Path], rebuilder: Rebuilder,
                 on_new_folder: Callable[[Path], None] | None = None,
                 on_folder_gone: Callable[[Path], None] | None = None) -> None:
        self.site_dir = site_dir
        self.ignored_roots = ignored_roots
        self.rebuilder = rebuilder
        self.on_new_folder = on_new_folder
        self.on_folder_gone = on_folder_gone

    def relevant(self, raw_path: str | bytes) -> bool:
        path = Path(raw_path.decode() if isinstance(raw_path, bytes) else raw_path)
        if any(path == root or root in path.parents for root in self.ignored_roots):
            return False
        try:
            parts = path.relative_to(self.site_dir).parts
        except ValueError:
            return False
        if any(part in IGNORED_PARTS for part in parts):
            return False
        return not editor_scratch(path.name)

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        if event.is_directory and event.event_type == "modified":
            # A folder is "modified" when a name in it comes or goes: the file's own event
            # says which, and is judged below. Taken as a change, it made every swap file an
            # editor creates and deletes beside the file it edits a rebuild and a reload.
            return
        paths = [event.src_path] + ([event.dest_path] if getattr(event, "dest_path", "") else [])
        if event.is_directory and event.event_type in ("created", "moved", "deleted"):
            # A folder that appears in, or leaves, the site folder itself (content/ made or
            # renamed after starting): its watch follows.
            first = Path(os.fsdecode(paths[0]))
            last = Path(os.fsdecode(paths[-1]))
            if event.event_type != "created" and first.parent == self.site_dir and self.on_folder_gone:
                self.on_folder_gone(first)
            if event.event_type != "deleted" and last.parent == self.site_dir and self.on_new_folder:
                self.on_new_folder(last)
        if any(self.relevant(p) for p in paths):
            self.rebuilder.poke()


_UTF8 = "; charset=utf-8"
CONTENT_TYPES = {
    ".html": "text/html" + _UTF8, ".css": "text/css" + _UTF8, ".js": "text/javascript" + _UTF8,
    ".mjs": "text/javascript" + _UTF8, ".txt": "text/plain" + _UTF8, ".xml": "application/xml" + _UTF8,
    ".json": "application/json", ".webmanifest": "application/manifest+json", ".svg": "image/svg+xml",
    ".vtt": "text/vtt" + _UTF8, ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
    ".gif": "image/gif", ".webp": "image/webp", ".avif": "image/avif", ".ico": "image/x-icon",
    ".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf", ".otf": "font/otf",
    ".mp4": "video/mp4", ".webm": "video/webm", ".pdf": "application/pdf",
}
"""The types of the files a site is made of, by suffix: not left to the system's table, which
may lack webp, avif or woff2 (no /etc/mime.types) or be wrong (Windows' registry has served .js
as text/plain), and text in UTF-8, as the build writes it, for the stylesheets and scripts too."""

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
ANY_ADDRESS = frozenset({"", "0.0.0.0", "::"})
# A Host header: a name or IPv4 address, or an IPv6 address in brackets; then maybe a port.
_HOST_HEADER = re.compile(r"(?P<name>\[[0-9A-Fa-f:.]+\]|[^\[\]:]+)(?::(?P<port>[0-9]{1,5}))?")


def host_allowed(header: str | None, bound: str) -> bool:
    """Whether a request whose ``Host`` header is ``header`` may be answered by a preview listening on ``bound``.

    Allowed: ``localhost``, ``127.0.0.1``, ``[::1]`` and ``bound`` itself, with or without
    a port (any port: a rebinding attack is told apart by its name, not its port), case
    and a final dot aside. A preview bound to every interface (``0.0.0.0``, ``::``)
    accepts any name: whoever asked for that opted into being reached from the network.
    A request without ``Host`` (HTTP/1.0) is allowed: browsers always send one.
    """
    if bound.strip("[]") in ANY_ADDRESS:
        return True
    if header is None:
        return True
    match = _HOST_HEADER.fullmatch(header.strip())
    if match is None:
        return False
    name = match["name"].strip("[]").lower().removesuffix(".")
    return name in LOOPBACK_NAMES or name == bound.strip("[]").lower().removesuffix(".")


def _bracketed(address: str) -> str:
    return f"[{address}]" if ":" in address and not address.startswith("[") else address


def _make_handler(state: PreviewState, bound: str) -> type[http.server.BaseHTTPRequestHandler]:
    class PreviewHandler(http.server.SimpleHTTPRequestHandler):
        server_version = "storysite-preview"

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(state.output_dir), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def guess_type(self, path: str | os.PathLike[str]) -> str:
            return CONTENT_TYPES.get(Path(path).suffix.lower()) or super().guess_type(path)

        def _refused_host(self, head: bool = False) -> bool:
            """Answer 421 when the Host header does not name this preview (DNS rebinding)."""
            hosts = self.headers.get_all("Host") or []
            if len(hosts) <= 1 and host_allowed(hosts[0] if hosts else None, bound):
                return False
            names = ", ".join(dict.fromkeys(("localhost", "127.0.0.1", "[::1]", _bracketed(bound))))
            message = (f"Misdirected request: this preview answers only to {names}. To reach it by another "
                       "name, run storysite serve --host 0.0.0.0 (the whole network can then see it).\n")
            self._send(421, "text/plain; charset=utf-8", message.encode(), head)
            return True

        def do_GET(self) -> None:
            if self._refused_host():
                return
            path = urllib.parse.urlsplit(self.path).path
            if path == EVENTS_PATH:
                self._events()
                return
            if path == SCRIPT_PATH:
                self._send(200, "text/javascript; charset=utf-8", LIVERELOAD_JS.encode())
                return
            self._file(path)

        def do_HEAD(self) -> None:
            if self._refused_host(head=True):
                return
            path = urllib.parse.urlsplit(self.path).path
            if path == SCRIPT_PATH:  # (a HEAD answers as its GET would, without the body)
                self._send(200, "text/javascript; charset=utf-8", LIVERELOAD_JS.encode(), head=True)
                return
            self._file(path, head=True)

        def _send(self, status: int, kind: str, body: bytes, head: bool = False) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def _redirect(self, location: str) -> None:
            self.send_response(302)  # not 301: a browser keeps a permanent redirect past this preview
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()

        def _file(self, url_path: str, head: bool = False) -> None:
            root = state.output_dir.resolve()
            base = state.base_path
            if base != "/" and url_path in ("/", base.rstrip("/")):
                # The site lives under its base path, as it will once deployed.
                self._redirect(base)
                return
            inside = url_path.startswith(base)
            target = resolve_request(root, "/" + url_path[len(base):]) if inside else None
            if (target is not None and target.name == "index.html" and not url_path.endswith("/")
                    and not urllib.parse.unquote(url_path).endswith("/index.html")):
                # A folder named without its final slash: served as it is, its page's relative
                # links would resolve against the parent folder. Web servers redirect; so does this.
                query = urllib.parse.urlsplit(self.path).query
                self._redirect(url_path + "/" + (f"?{query}" if query else ""))
                return
            if not state.has_output:
                body = _inject(b"<!doctype html><html lang=en><head><meta charset=utf-8><title>storysite</title>"
                               b"</head><body><h1>Waiting for a successful build</h1></body></html>", state)
                self._send(503, "text/html; charset=utf-8", body, head)
                return
            status = 200
            if target is None:
                status, target = 404, root / "404.html"
                if not target.is_file():
                    self._send(404, "text/plain; charset=utf-8", b"Not found", head)
                    return
            data = target.read_bytes()
            kind = self.guess_type(str(target))
            if target.suffix == ".html":
                data = _inject(data, state)
            self._send(status, kind, data, head)

        def _events(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            seen = -1
            seen_errors: list[str] | None = None
            try:
                while True:
                    with state.changed:
                        snapshot = state.snapshot()
                        if snapshot["generation"] == seen and snapshot["errors"] == seen_errors:
                            state.changed.wait(timeout=10)
                            snapshot = state.snapshot()
                    if snapshot["generation"] != seen or snapshot["errors"] != seen_errors:
                        message = f"event: state\ndata: {json.dumps(snapshot)}\n\n"
                        seen, seen_errors = snapshot["generation"], snapshot["errors"]
                    else:
                        message = ": keep-alive\n\n"
                    self.wfile.write(message.encode())
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError, ValueError, OSError):
                return

    return PreviewHandler


def resolve_request(root: Path, url_path: str) -> Path | None:
    """The file a URL path names inside ``root``, or ``None`` (never a file outside it)."""
    decoded = urllib.parse.unquote(url_path)
    if "\x00" in decoded or "\\" in decoded:
        return None
    parts = [p for p in decoded.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        return None
    target = root.joinpath(*parts) if parts else root
    try:  # a name too long for the file system, among others, is simply not there
        if target.is_dir():
            target = target / "index.html"
        resolved = target.resolve()
        if not resolved.is_relative_to(root) or not resolved.is_file():
            return None
    except OSError:
        return None
    return resolved


def _inject(html: bytes, state: PreviewState) -> bytes:
    tag = f'<script src="{SCRIPT_PATH}" data-generation="{state.generation}"></script>'.encode()
    index = html.rfind(b"</body>")
    return html[:index] + tag + html[index:] if index >= 0 else html + tag


class _PreviewHTTPServer(http.server.ThreadingHTTPServer):
    """The HTTP server, over IPv6 when its address is one (``--host ::1``): the IPv4 socket
    of :class:`http.server.HTTPServer` cannot bind it."""

    def __init__(self, address: tuple[str, int], handler: type[http.server.BaseHTTPRequestHandler]) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, handler)


class PreviewServer:
    """The preview: HTTP server, watcher and rebuilder, startable in a thread (tests) or the foreground."""

    def __init__(self, site_dir: Path, host: str = "127.0.0.1", port: int = 8000,
                 on_build: Callable[[BuildResult, float], None] | None = None) -> None:
        self.site_dir = site_dir.resolve()
        self._temp = Path(tempfile.mkdtemp(prefix="storysite-serve-"))
        self.state = PreviewState(self._temp / "site")
        self.rebuilder = Rebuilder(self.site_dir, self.state, on_build or (lambda result, seconds: None))
        host = host.strip("[]")  # --host [::1], as the address is written in a URL
        try:
            self.httpd = _PreviewHTTPServer((host, port), _make_handler(self.state, host))
        except BaseException:  # (port in use, no such address): no stop() will clear the folder away
            shutil.rmtree(self._temp, ignore_errors=True)
            raise
        self.httpd.daemon_threads = True
        config, _ = load_config(self.site_dir)
        ignored = [self._temp]
        if config is not None:
            ignored.append((self.site_dir / config.output).resolve())
        # Made by start(), after the first build: watchdog's observer starts a thread of its own
        # as soon as it is made, and that build, alone in its process until then, may fork.
        self.observer: BaseObserver | None = None
        self._watcher = _Watcher(self.site_dir, ignored, self.rebuilder, self._watch_folder, self._forget_folder)
        self._watched: dict[str, ObservedWatch] = {}
        self._thread: threading.Thread | None = None
        self._starting = threading.Lock()
        """Held by start() from its first build's end until it serves, and by stop(): a stop
        during the first build finds the watcher and the server started, or never started."""

    def _start_watching(self) -> None:
        self.observer = Observer()
        # watchdog warns when a folder made while its parent's new watch is being set up gets
        # its callback twice ("It will be Overwritten"): harmless, and no business of the editor's.
        warnings.filterwarnings("ignore", message="Callback with id", category=RuntimeWarning, module=r"watchdog\.")
        # The site folder itself is watched for its own files (storysite.yaml) and for folders
        # that appear; each of its folders is watched whole, except the ignored ones: a
        # recursive watch of the whole site would follow the cache and output folders, whose
        # thousands of folders a build moves around (the watcher would walk them all).
        self.observer.schedule(self._watcher, str(self.site_dir), recursive=False)
        for entry in sorted(self.site_dir.iterdir()):
            self._watch_folder(entry)
        self.observer.start()

    def _watch_folder(self, path: Path) -> None:
        """Watch ``path``, a folder of the site folder, with all it holds (unless ignored)."""
        if (self.observer is None or path.name in IGNORED_PARTS or not path.is_dir() or path.is_symlink()
                or str(path) in self._watched or not self._watcher.relevant(str(path))):
            return
        self._watched[str(path)] = self.observer.schedule(self._watcher, str(path), recursive=True)

    def _forget_folder(self, path: Path) -> None:
        """A folder of the site folder is gone (or renamed): its watch goes too."""
        watch = self._watched.pop(str(path), None)
        if watch is not None and self.observer is not None:
            with contextlib.suppress(KeyError, OSError):
                self.observer.unschedule(watch)

    @property
    def url(self) -> str:
        """The server's root URL."""
        host, port = self.httpd.server_address[:2]
        shown = host.decode() if isinstance(host, (bytes, bytearray)) else host
        if shown in ("0.0.0.0", "::"):  # every address: this machine's own is the one to open here
            shown = "localhost"
        return f"http://{_bracketed(shown)}:{port}/"

    @property
    def site_url(self) -> str:
        """Where the site is: the root URL and the base path of ``base_url``."""
        return self.url + self.state.base_path.lstrip("/")

    def start(self) -> None:
        """First build, then watch and serve in background threads."""
        # The first build renders every page the site's own output does not give: over every
        # core while this process has no other thread (forking one that has is not safe).
        began = time.time_ns()
        self.rebuilder.rebuild_now(settle=False, workers=None if threading.active_count() == 1 else 1)
        with self._starting:
            if self.rebuilder.stopped:  # stopped during the first build: nothing more is started
                return
            self._start_watching()
            thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
            thread.start()
            self._thread = thread  # only once started: stop() then waits for its loop
            # The first build's output is linked for the next one to recycle while it is served
            # already (at 10,000 memories, 20,000 new files and folders: seconds on some disks).
            threading.Thread(target=self._settle_first, args=(began,), daemon=True).start()

    def _settle_first(self, began: int) -> None:
        """Settle the first build; then rebuild if a file was saved while it ran: the watcher
        only sees what changes once it is started, after that build."""
        try:
            self.rebuilder.settle()
        finally:  # (a settle that fails costs the next save some time, never a missed save)
            if self._changed_since(began - SETTLING_SLACK_NS):
                self.rebuilder.poke()

    def _changed_since(self, since_ns: int) -> bool:
        """Whether a file or folder the watcher would report on was changed at or after
        ``since_ns`` (by its modification or change time)."""
        for folder, dirs, files in os.walk(self.site_dir):
            dirs[:] = [d for d in dirs if d not in IGNORED_PARTS and self._watcher.relevant(os.path.join(folder, d))]
            for name in [*dirs, *files]:
                path = os.path.join(folder, name)
                if not self._watcher.relevant(path):
                    continue
                try:
                    info = os.lstat(path)
                except OSError:
                    continue
                if max(info.st_mtime_ns, info.st_ctime_ns) >= since_ns:
                    return True
        return False

    def stop(self) -> None:
        """Stop watching and serving, and clear the preview away (also when stopped while starting)."""
        self.rebuilder.cancel()
        with self._starting:  # a start() past its first build has started all it starts
            pass
        save_preview_digests(self.site_dir, self.rebuilder.memo)
        if self.observer is not None and self.observer.is_alive():
            self.observer.stop()
            self.observer.join(timeout=5)
        if self._thread is not None:  # shutdown() waits for a serving loop, which must have started
            self.httpd.shutdown()
        self.httpd.server_close()
        # The records of this preview's output describe a folder about to go: they would only
        # pile up in the cache, one set per session.
        forget_output_records(self.site_dir, self.state.output_dir)
        shutil.rmtree(self._temp, ignore_errors=True)
