"""Self-test of the browser/HTML-validation harness.

Checks that vnu tells a valid page from an invalid one, that a served folder
loads in Chromium and gives a screenshot, and that axe finds a serious
violation and passes a clean page.
"""

from __future__ import annotations

import struct
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.browser.harness import (
    collect_page_errors,
    format_axe_violations,
    format_vnu_messages,
    run_vnu,
    serve_directory,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.browser.harness import VnuMessage

# Works with or without tests/conftest.py loading the plugin (same name, so
# it is registered only once).
pytest_plugins = ["tests.browser.fixtures"]

pytestmark = pytest.mark.browser

VALID_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>A valid page</title>
</head>
<body>
<main>
<h1>Hello, storysite</h1>
<p>A small, valid and accessible page.</p>
<img src="pixel.svg" alt="A grey square">
</main>
</body>
</html>
"""

# Line 9 repeats the id "intro" of line 8.
INVALID_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>An invalid page</title>
</head>
<body>
<p id="intro">One</p>
<p id="intro">Two</p>
</body>
</html>
"""

# Valid HTML, but the image has no alt text: axe's "image-alt" (critical).
IMG_WITHOUT_ALT_HTML = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Image without alt</title></head>
<body><main><h1>Pictures</h1><img src="pixel.svg"></main></body>
</html>
"""

PIXEL_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40">'
    '<rect width="40" height="40" fill="#888"/></svg>\n'
)


def _write_site(root: Path) -> dict[str, Path]:
    """Write the test pages into ``root`` and return them by name."""
    files = {
        "good": root / "good.html",
        "bad": root / "bad.html",
        "noalt": root / "noalt.html",
        "svg": root / "pixel.svg",
        "css": root / "style.css",
    }
    files["good"].write_text(VALID_HTML, encoding="utf-8")
    files["bad"].write_text(INVALID_HTML, encoding="utf-8")
    files["noalt"].write_text(IMG_WITHOUT_ALT_HTML, encoding="utf-8")
    files["svg"].write_text(PIXEL_SVG, encoding="utf-8")
    files["css"].write_text("body { margin: 0 }\n", encoding="utf-8")
    return files


def _png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_vnu_reports_exactly_the_bad_file(
    tmp_path: Path, vnu: Callable[..., list[VnuMessage]]
) -> None:
    """One java run over both pages reports the duplicate id, and only it."""
    files = _write_site(tmp_path)
    messages = vnu([files["good"], files["bad"]])
    assert {m["file"] for m in messages} == {str(files["bad"])}, format_vnu_messages(messages)
    assert len(messages) == 1, format_vnu_messages(messages)
    (message,) = messages
    assert "Duplicate ID" in message["message"]
    assert message["line"] == 9
    assert message["type"] == "error"


def test_vnu_skip_non_html(tmp_path: Path, vnu: Callable[..., list[VnuMessage]]) -> None:
    """--skip-non-html ignores a stylesheet that would otherwise be errors."""
    files = _write_site(tmp_path)
    assert vnu([files["good"], files["css"]], skip_non_html=True) == []
    unskipped = vnu([files["css"]])
    assert unskipped and {m["file"] for m in unskipped} == {str(files["css"])}


def test_vnu_refuses_missing_files(tmp_path: Path) -> None:
    """vnu silently passes a missing file, so run_vnu must refuse it."""
    assert run_vnu([]) == []
    with pytest.raises(FileNotFoundError):
        run_vnu([tmp_path / "missing.html"])


def test_serve_directory(tmp_path: Path) -> None:
    """Files come back over HTTP with their content and type; 404 otherwise."""
    files = _write_site(tmp_path)
    with serve_directory(tmp_path) as base:
        assert base.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(f"{base}/good.html", timeout=10) as resp:
            assert resp.status == 200
            assert resp.headers.get_content_type() == "text/html"
            assert resp.read().decode("utf-8") == files["good"].read_text("utf-8")
        with urllib.request.urlopen(f"{base}/pixel.svg", timeout=10) as resp:
            assert resp.headers.get_content_type() == "image/svg+xml"
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(f"{base}/nope.html", timeout=10)
        assert info.value.code == 404
        info.value.close()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{base}/good.html", timeout=2)


def test_page_loads_and_screenshots(
    tmp_path: Path, page: Page, static_server: Callable[[Path | str], str]
) -> None:
    """The served good page renders in Chromium and gives a 1280x900 PNG."""
    site = tmp_path / "site"
    site.mkdir()
    _write_site(site)
    base = static_server(site)
    errors = collect_page_errors(page)
    response = page.goto(f"{base}/good.html")
    assert response is not None and response.ok
    assert page.title() == "A valid page"
    assert page.locator("h1").inner_text() == "Hello, storysite"
    assert page.evaluate("document.querySelector('img').naturalWidth") == 40
    shot = tmp_path / "good.png"
    data = page.screenshot(path=str(shot))
    assert shot.is_file() and shot.stat().st_size > 1000
    assert _png_size(data) == (1280, 900)
    assert errors == []


def test_axe_finds_image_without_alt(
    tmp_path: Path, page: Page, static_server: Callable[[Path | str], str], axe: Callable[..., list]
) -> None:
    """An <img> with no alt is a critical image-alt violation."""
    _write_site(tmp_path)
    page.goto(f"{static_server(tmp_path)}/noalt.html")
    violations = axe(page)
    assert [v["id"] for v in violations] == ["image-alt"], format_axe_violations(violations)
    assert violations[0]["impact"] == "critical"
    assert violations[0]["nodes"][0]["target"] == ["img"]


def test_axe_passes_clean_page(
    tmp_path: Path, page: Page, static_server: Callable[[Path | str], str], axe: Callable[..., list]
) -> None:
    """The valid page has no serious or critical violation."""
    _write_site(tmp_path)
    page.goto(f"{static_server(tmp_path)}/good.html")
    violations = axe(page)
    assert violations == [], format_axe_violations(violations)


def test_axe_under_strict_csp(page: Page, axe: Callable[..., list]) -> None:
    """axe still loads when the page's CSP forbids inline scripts."""
    page.set_content(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="script-src \'none\'">'
        "<title>CSP</title></head><body><main><h1>CSP</h1>"
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        "</main></body></html>"
    )
    assert [v["id"] for v in axe(page)] == ["image-alt"]
