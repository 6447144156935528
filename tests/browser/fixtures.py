"""pytest fixtures for browser and HTML-validation tests.

This is a pytest plugin module, not a conftest. Load it from
``tests/conftest.py`` in one of two ways:

* preferred -- as a plugin (also registers the ``browser`` marker)::

      pytest_plugins = ["tests.browser.fixtures"]

* or by importing the fixtures (only the names in ``__all__``)::

      from tests.browser.fixtures import *  # noqa: F403

Either way the repository root must be importable (``python -m pytest`` from
the root does it; ``pythonpath = ["."]`` under ``[tool.pytest.ini_options]``
makes it so for a bare ``pytest`` too).

Fixtures:

``chromium_executable`` (session)
    Path of Chromium. Missing Chromium (or the Python ``playwright``
    package) skips the test, unless the environment variable ``CI`` is set:
    then it fails.
``browser`` (session)
    A headless Playwright ``Browser`` running Debian's Chromium with
    :data:`tests.browser.harness.CHROMIUM_ARGS`. One per xdist worker.
``page`` (function)
    A new Playwright ``Page`` in its own fresh browser context: viewport
    1280x900, locale en-US, timezone UTC, 10 s default timeout. Closed
    after the test.
``static_server`` (function)
    A factory: ``static_server(directory) -> base_url`` serves a folder on
    127.0.0.1 (free port) until the test ends. The URL has no trailing slash.
``vnu`` (session)
    :func:`tests.browser.harness.run_vnu`, after checking java and vnu.jar
    are present (skip locally / fail in CI when they are not).
``axe`` (session)
    :func:`tests.browser.harness.run_axe`, after checking that axe-core is
    installed (skip locally / fail in CI when it is not).

Mark tests that drive the browser with ``@pytest.mark.browser``.

PYTEST_DONT_REWRITE: this module has no asserts; the marker keeps pytest from
warning "Module already imported so cannot be rewritten" when the module is
both imported by a conftest and named in ``pytest_plugins``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

from tests.browser.harness import (
    AXE_JS,
    VNU_JAR,
    VnuMessage,
    chromium_path,
    java_path,
    launch_chromium,
    run_axe,
    run_vnu,
    running_in_ci,
    serve_directory,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

__all__ = [
    "browser",
    "chromium_executable",
    "page",
    "static_server",
    "vnu",
]

#: The marker name for tests that need Chromium.
BROWSER_MARKER = "browser"
#: Default viewport of the ``page`` fixture (width, height in CSS pixels).
DEFAULT_VIEWPORT_WIDTH = 1280
DEFAULT_VIEWPORT_HEIGHT = 900


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``browser`` marker (when loaded as a plugin)."""
    config.addinivalue_line(
        "markers",
        f"{BROWSER_MARKER}: needs headless Chromium (Playwright) or the "
        "Node test tools (vnu, axe-core)",
    )


def _missing(what: str) -> NoReturn:
    """Skip the test because ``what`` is missing -- or fail it under CI."""
    if running_in_ci():
        pytest.fail(
            f"{what} (CI is set, so a missing tool is a failure, not a skip)",
            pytrace=False,
        )
    pytest.skip(f"{what} (set CI=true to make this a failure)")


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """Path of the Chromium executable; skip (or fail under CI) if absent."""
    path = chromium_path()
    if path is None:
        _missing("Chromium not found at /usr/bin/chromium or on PATH (apt-get install -y chromium)")
    return path


@pytest.fixture(scope="session")
def browser(chromium_executable: str) -> Iterator[Browser]:
    """A session-wide headless Chromium driven by Playwright."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the Python package playwright is not installed")
    playwright = sync_playwright().start()
    try:
        launched = launch_chromium(playwright, executable_path=chromium_executable)
        try:
            yield launched
        finally:
            launched.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page (own context, 1280x900, en-US, UTC), closed afterwards."""
    context = browser.new_context(
        viewport={"width": DEFAULT_VIEWPORT_WIDTH, "height": DEFAULT_VIEWPORT_HEIGHT},
        device_scale_factor=1,
        locale="en-US",
        timezone_id="UTC",
    )
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def static_server() -> Iterator[Callable[[Path | str], str]]:
    """Factory serving folders over HTTP until the test ends.

    ``base = static_server(tmp_path)`` then ``page.goto(f"{base}/index.html")``.
    """
    with ExitStack() as stack:

        def serve(directory: Path | str) -> str:
            return stack.enter_context(serve_directory(directory))

        yield serve


@pytest.fixture(scope="session")
def vnu() -> Callable[..., list[VnuMessage]]:
    """:func:`run_vnu`, once java and vnu.jar are known to be there."""
    if java_path() is None:
        _missing("java not found (apt-get install -y default-jre-headless)")
    if not VNU_JAR.is_file():
        _missing(f"{VNU_JAR} not found (run `npm ci` at the repository root)")
    return run_vnu


@pytest.fixture(scope="session")
def axe() -> Callable[..., list[dict[str, Any]]]:
    """:func:`run_axe`, once axe-core is known to be there."""
    if not AXE_JS.is_file():
        _missing(f"{AXE_JS} not found (run `npm ci --ignore-scripts` at the repository root)")
    return run_axe
