"""Reusable pieces for storysite's browser and HTML-validation tests.

Nothing here is a pytest fixture (those live in :mod:`tests.browser.fixtures`);
these are plain functions that any test, fixture or script can call:

* :func:`chromium_path` / :func:`java_path` / :func:`running_in_ci` -- what the
  machine has, and whether a missing tool must fail (CI) or may skip (locally).
* :func:`launch_chromium` -- start Debian's Chromium with Playwright, with the
  flags this workplace needs (no sandbox as root, no background networking).
* :func:`serve_directory` -- serve a folder over HTTP on 127.0.0.1 on a free
  port from a background thread; a context manager yielding the base URL.
* :func:`run_vnu` -- the Nu Html Checker (``vnu.jar`` from the npm package
  ``vnu-jar``) on many files in one JVM start; returns its error messages.
* :func:`run_axe` -- axe-core (npm package ``axe-core``) inside a Playwright
  page; returns the serious and critical violations.
* :func:`format_vnu_messages` / :func:`format_axe_violations` -- readable text
  for assertion messages.

The npm packages are installed into ``node_modules/`` at the repository root by
``npm ci`` (``.ci/run`` does it).
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypedDict

if TYPE_CHECKING:  # Playwright is only needed by the browser helpers.
    from playwright.sync_api import Browser, Page, Playwright

__all__ = [
    "AXE_DEFAULT_IMPACTS",
    "AXE_DEFAULT_TAGS",
    "AXE_JS",
    "CHROMIUM_ARGS",
    "NODE_MODULES",
    "REPO_ROOT",
    "VNU_JAR",
    "VNU_JAVA_OPTIONS",
    "VnuError",
    "VnuMessage",
    "chromium_path",
    "collect_page_errors",
    "format_axe_violations",
    "format_vnu_messages",
    "java_path",
    "launch_chromium",
    "run_axe",
    "run_vnu",
    "running_in_ci",
    "serve_directory",
]

#: The repository root (this file is ``tests/browser/harness.py``).
REPO_ROOT: Final[Path] = Path(__file__).resolve().parents[2]
#: Where ``npm ci`` puts the Node-side test tools.
NODE_MODULES: Final[Path] = REPO_ROOT / "node_modules"
#: The Nu Html Checker jar shipped inside the npm package ``vnu-jar``.
VNU_JAR: Final[Path] = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
#: axe-core's browser bundle.
AXE_JS: Final[Path] = NODE_MODULES / "axe-core" / "axe.min.js"

#: Command-line flags for Chromium on this workplace: root needs --no-sandbox,
#: and the network is closed, so background traffic is switched off.
CHROMIUM_ARGS: Final[tuple[str, ...]] = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
)

#: JVM options for vnu. C1-only compilation and the serial GC cut the JVM's
#: start-up time (about 1.0 s -> 0.75 s for a few files). C1 frames are larger,
#: so the stack must be raised: vnu needs at least 512k and overflows the 1 MiB
#: default under C1; 16 MiB leaves room for deeply nested pages.
VNU_JAVA_OPTIONS: Final[tuple[str, ...]] = (
    "-Xss16m",
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
)

#: axe-core tags run by default by :func:`run_axe`.
AXE_DEFAULT_TAGS: Final[tuple[str, ...]] = (
    "wcag2a",
    "wcag2aa",
    "wcag21a",
    "wcag21aa",
    "wcag22aa",
    "best-practice",
)
#: axe-core impacts that :func:`run_axe` reports by default.
AXE_DEFAULT_IMPACTS: Final[tuple[str, ...]] = ("serious", "critical")

# Above this many characters of file arguments, run_vnu splits the batch over
# several JVM starts to stay far below the kernel's argument-size limit.
_VNU_MAX_ARG_CHARS: Final[int] = 100_000


# --------------------------------------------------------------------------
# What the machine has
# --------------------------------------------------------------------------


def chromium_path() -> str | None:
    """Return the path of the Chromium executable, or None if there is none.

    Debian's package puts it at ``/usr/bin/chromium``; ``PATH`` is searched
    for ``chromium`` and ``chromium-browser`` after that.
    """
    candidates = ["/usr/bin/chromium"]
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            candidates.append(found)
    for candidate in candidates:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def java_path() -> str | None:
    """Return the path of the ``java`` executable, or None if there is none."""
    found = shutil.which("java")
    if found:
        return found
    if os.path.isfile("/usr/bin/java") and os.access("/usr/bin/java", os.X_OK):
        return "/usr/bin/java"
    return None


def running_in_ci() -> bool:
    """Return True when the environment variable ``CI`` is set.

    CI systems (and ``.ci/run``'s caller) set ``CI=true``. An empty value, or
    ``0``/``false``/``no`` (any case), counts as not set. In CI a missing
    browser or checker must fail the tests instead of skipping them.
    """
    value = os.environ.get("CI", "").strip().lower()
    return value not in ("", "0", "false", "no")


# --------------------------------------------------------------------------
# Chromium via Playwright
# --------------------------------------------------------------------------


def launch_chromium(
    playwright: Playwright,
    *,
    executable_path: str | None = None,
    extra_args: Sequence[str] = (),
    headless: bool = True,
) -> Browser:
    """Launch Debian's Chromium through Playwright with :data:`CHROMIUM_ARGS`.

    ``playwright`` is the object from ``sync_playwright().start()`` (or the
    ``with sync_playwright() as p`` block). Playwright's own browser downloads
    are never used: ``executable_path`` defaults to :func:`chromium_path`.

    Raises:
        FileNotFoundError: no Chromium executable was found.
    """
    exe = executable_path or chromium_path()
    if exe is None:
        raise FileNotFoundError(
            "Chromium not found (expected /usr/bin/chromium; "
            "install it with: apt-get install -y chromium)"
        )
    return playwright.chromium.launch(
        executable_path=exe,
        args=[*CHROMIUM_ARGS, *extra_args],
        headless=headless,
    )


def collect_page_errors(page: Page, *, ignore_favicon: bool = True) -> list[str]:
    """Start recording a page's console errors and uncaught exceptions.

    Returns a list that fills up as the page runs; call this before
    ``page.goto`` and assert it is empty afterwards::

        errors = collect_page_errors(page)
        page.goto(url)
        assert errors == []

    Failed loads show up as console errors too ("Failed to load resource"),
    with the resource's URL appended. Chromium asks for ``/favicon.ico`` on
    its own; with ``ignore_favicon`` (the default) that request's failure is
    not counted.
    """
    errors: list[str] = []

    def on_console(message: Any) -> None:
        if message.type != "error":
            return
        url = str((message.location or {}).get("url", ""))
        if ignore_favicon and url.endswith("/favicon.ico"):
            return
        errors.append(f"console.error: {message.text}" + (f" [{url}]" if url else ""))

    def on_page_error(error: Any) -> None:
        errors.append(f"uncaught: {error}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    return errors


# --------------------------------------------------------------------------
# A static HTTP server
# --------------------------------------------------------------------------


# Content types for web files that mimetypes may not know (or get wrong).
_CONTENT_TYPES: Final[dict[str, str]] = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".webmanifest": "application/manifest+json",
    ".xml": "application/xml",
}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Static-file handler that logs nothing and forbids caching."""

    def guess_type(self, path: str | os.PathLike[str]) -> str:
        """Content type by extension, with the web types stdlib may lack."""
        extension = os.path.splitext(os.fspath(path))[1].lower()
        return _CONTENT_TYPES.get(extension) or super().guess_type(path)

    def log_message(self, format: str, *args: Any) -> None:
        """Log nothing (the default writes every request to stderr)."""

    def end_headers(self) -> None:
        """Add ``Cache-Control: no-store`` so rewritten files are re-read."""
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


class _QuietServer(http.server.ThreadingHTTPServer):
    """ThreadingHTTPServer that ignores clients hanging up mid-response."""

    daemon_threads = True

    def handle_error(
        self, request: Any, client_address: Any
    ) -> None:  # pragma: no cover - depends on client timing
        """Drop broken-pipe/reset noise; report anything else as usual."""
        exc = sys.exc_info()[1]
        if isinstance(exc, (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


@contextmanager
def serve_directory(root: Path | str) -> Iterator[str]:
    """Serve ``root`` over HTTP on 127.0.0.1, on a free port, in a thread.

    Yields the base URL without a trailing slash, e.g.
    ``http://127.0.0.1:41234``; add paths that start with ``/``::

        with serve_directory(site_dir) as base:
            page.goto(f"{base}/index.html")

    The server (stdlib ``ThreadingHTTPServer``) logs nothing, sends
    ``Cache-Control: no-store`` and is shut down when the block exits.
    """
    directory = Path(root)
    if not directory.is_dir():
        raise NotADirectoryError(f"not a directory: {directory}")
    handler = partial(_QuietHandler, directory=str(directory))
    server = _QuietServer(("127.0.0.1", 0), handler)
    port = server.server_address[1]
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name=f"serve_directory:{port}",
        daemon=True,
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --------------------------------------------------------------------------
# The Nu Html Checker (vnu)
# --------------------------------------------------------------------------


class VnuMessage(TypedDict):
    """One message from the Nu Html Checker, as :func:`run_vnu` returns it."""

    file: str
    """The path as it was passed to :func:`run_vnu` (as a string); for a
    file found inside a directory argument, its absolute path."""
    line: int | None
    """1-based line where the problem starts (vnu's firstLine or lastLine)."""
    column: int | None
    """1-based column where the problem starts, if vnu gave one."""
    message: str
    """vnu's text, e.g. ``Duplicate ID “x”.``"""
    type: str
    """``error``, or ``non-document-error`` for an I/O or internal problem."""
    subtype: str | None
    """vnu's subType (``fatal`` for fatal parse errors), else None."""
    extract: str
    """A snippet of the source around the problem ('' if vnu gave none)."""


class VnuError(RuntimeError):
    """vnu could not be run, or its output could not be understood."""


def _vnu_chunks(args: list[str]) -> Iterator[list[str]]:
    """Split file arguments into batches short enough for one command line."""
    chunk: list[str] = []
    size = 0
    for arg in args:
        if chunk and size + len(arg) + 1 > _VNU_MAX_ARG_CHARS:
            yield chunk
            chunk, size = [], 0
        chunk.append(arg)
        size += len(arg) + 1
    if chunk:
        yield chunk


def _vnu_file_of(url: str, originals: dict[str, str]) -> str:
    """Turn vnu's ``file:`` URL back into the path the caller passed."""
    if not url:
        return ""
    if url.startswith("file:"):
        parsed = urllib.parse.urlparse(url)
        decoded = urllib.parse.unquote(parsed.path)
        return originals.get(decoded, decoded)
    return url


def run_vnu(
    paths: Sequence[Path | str],
    *,
    skip_non_html: bool = False,
    extra_args: Sequence[str] = (),
    java_options: Sequence[str] = VNU_JAVA_OPTIONS,
    timeout: float = 900.0,
) -> list[VnuMessage]:
    """Check HTML files with the Nu Html Checker and return its errors.

    All files are checked in ONE ``java -jar vnu.jar --format json
    --errors-only`` run (the JVM start costs about 0.75 s; each further small
    page adds only milliseconds), so collect every page first and call this
    once. A path may also be a directory: vnu then checks the files in it.

    Args:
        paths: files (or directories) to check. An empty list returns ``[]``
            without starting Java.
        skip_non_html: pass ``--skip-non-html`` so that files not named like
            HTML (``.css``, ``.js``, images...) are ignored instead of being
            parsed as HTML and reported. Useful with directory arguments.
        extra_args: further vnu options, e.g. ``["--filterpattern", "..."]``.
        java_options: JVM options placed before ``-jar``.
        timeout: seconds before the run is abandoned (raises VnuError).

    Returns:
        Error messages as :class:`VnuMessage` dicts (``file``, ``line``,
        ``column``, ``message``, ``type``, ``subtype``, ``extract``), in vnu's
        order. Empty when every file is valid.

    Raises:
        FileNotFoundError: a path does not exist (vnu itself would silently
            report nothing for it), or java / vnu.jar is missing.
        VnuError: vnu failed or printed something that is not its JSON.
    """
    if not paths:
        return []
    originals: dict[str, str] = {}
    args: list[str] = []
    for path in paths:
        p = Path(path)
        if not p.exists():
            raise FileNotFoundError(f"run_vnu: no such file: {p}")
        absolute = str(p.resolve())
        originals.setdefault(absolute, str(path))
        args.append(absolute)
    java = java_path()
    if java is None:
        raise FileNotFoundError(
            "run_vnu: java not found (install it with: apt-get install -y default-jre-headless)"
        )
    if not VNU_JAR.is_file():
        raise FileNotFoundError(f"run_vnu: {VNU_JAR} not found; run `npm ci` in {REPO_ROOT}")
    options = ["--format", "json", "--errors-only", "--stdout"]
    if skip_non_html:
        options.append("--skip-non-html")
    options.extend(extra_args)
    # A UTF-8 locale: under the C/POSIX locale Java cannot encode non-ASCII
    # file names, and vnu then reports nothing at all for such files.
    env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}

    messages: list[VnuMessage] = []
    for chunk in _vnu_chunks(args):
        command = [java, *java_options, "-jar", str(VNU_JAR), *options, *chunk]
        try:
            proc = subprocess.run(
                command,
                capture_output=True,
                env=env,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise VnuError(f"vnu did not finish in {timeout} s") from exc
        stdout = proc.stdout.decode("utf-8", errors="replace")
        stderr = proc.stderr.decode("utf-8", errors="replace")
        try:
            report = json.loads(stdout)
            raw_messages = report["messages"]
        except (ValueError, KeyError, TypeError) as exc:
            raise VnuError(
                f"vnu exited {proc.returncode} without its JSON report.\n"
                f"stdout: {stdout[:2000]}\nstderr: {stderr[:2000]}"
            ) from exc
        if proc.returncode not in (0, 1):
            raise VnuError(f"vnu exited {proc.returncode}.\nstderr: {stderr[:2000]}")
        chunk_messages: list[VnuMessage] = []
        for raw in raw_messages:
            line = raw.get("firstLine", raw.get("lastLine"))
            column = raw.get("firstColumn", raw.get("lastColumn"))
            chunk_messages.append(
                VnuMessage(
                    file=_vnu_file_of(str(raw.get("url", "")), originals),
                    line=int(line) if line is not None else None,
                    column=int(column) if column is not None else None,
                    message=str(raw.get("message", "")),
                    type=str(raw.get("type", "error")),
                    subtype=raw.get("subType"),
                    extract=str(raw.get("extract", "")),
                )
            )
        if proc.returncode == 1 and not chunk_messages:
            raise VnuError(f"vnu exited 1 but reported no message.\nstderr: {stderr[:2000]}")
        messages.extend(chunk_messages)
    return messages


def format_vnu_messages(messages: Sequence[VnuMessage]) -> str:
    """Render vnu messages as ``file:line:column: message`` lines."""
    lines = []
    for m in messages:
        where = m["file"]
        if m["line"] is not None:
            where += f":{m['line']}"
            if m["column"] is not None:
                where += f":{m['column']}"
        lines.append(f"{where}: {m['message']}")
    return "\n".join(lines)


# --------------------------------------------------------------------------
# axe-core
# --------------------------------------------------------------------------

_AXE_RUN_JS: Final[str] = """
async ({ context, options }) => {
    const result = await window.axe.run(context === null ? document : context, options);
    return result.violations;
}
"""


def _inject_axe(page: Page) -> None:
    """Load axe-core into the page's main frame unless it is already there."""
    if page.evaluate("typeof window.axe !== 'undefined'"):
        return
    if not AXE_JS.is_file():
        raise FileNotFoundError(f"run_axe: {AXE_JS} not found; run `npm ci` in {REPO_ROOT}")
    from playwright.sync_api import Error as PlaywrightError

    try:
        page.add_script_tag(path=str(AXE_JS))
    except PlaywrightError:
        # A Content-Security-Policy without 'unsafe-inline' blocks the
        # injected <script>; evaluating the source through the DevTools
        # protocol is not subject to the page's CSP.
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        raise RuntimeError("run_axe: axe-core could not be loaded into the page")


def run_axe(
    page: Page,
    *,
    tags: Sequence[str] = AXE_DEFAULT_TAGS,
    impacts: Sequence[str] = AXE_DEFAULT_IMPACTS,
    context: str | None = None,
    disable_rules: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """Run axe-core on the page's current document; return grave violations.

    Load the page first (``page.goto``, ``page.set_content``); axe is injected
    from ``node_modules/axe-core/axe.min.js`` with ``page.add_script_tag``
    (after every navigation, as needed). Only the main frame is checked.

    Args:
        page: a Playwright page with the document loaded.
        tags: axe tags to run (``runOnly``); default WCAG 2.0/2.1 A and AA,
            WCAG 2.2 AA and best-practice.
        impacts: which impacts to keep; default serious and critical.
        context: a CSS selector to limit the check to, or None for the
            whole document.
        disable_rules: axe rule ids to switch off, e.g. ``["color-contrast"]``.

    Returns:
        axe's violation objects (``id``, ``impact``, ``description``,
        ``help``, ``helpUrl``, ``tags``, ``nodes``...) whose impact is in
        ``impacts``. Empty when the page is clean.
    """
    _inject_axe(page)
    options: dict[str, Any] = {
        "runOnly": {"type": "tag", "values": list(tags)},
        "resultTypes": ["violations"],
    }
    if disable_rules:
        options["rules"] = {rule: {"enabled": False} for rule in disable_rules}
    violations: list[dict[str, Any]] = page.evaluate(
        _AXE_RUN_JS, {"context": context, "options": options}
    )
    wanted = set(impacts)
    return [v for v in violations if v.get("impact") in wanted]


def format_axe_violations(violations: Sequence[dict[str, Any]]) -> str:
    """Render axe violations as readable lines, one per affected element."""
    lines = []
    for v in violations:
        lines.append(f"[{v.get('impact')}] {v.get('id')}: {v.get('help')} ({v.get('helpUrl')})")
        for node in v.get("nodes", []):
            target = node.get("target")
            lines.append(f"    {target}: {str(node.get('html', ''))[:200]}")
    return "\n".join(lines)
