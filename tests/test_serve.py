"""storysite serve: preview, live reload, error overlay, and no path outside the output."""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.request
from collections.abc import Iterator

import pytest

from storysite.build import BuildResult
from storysite.serve import PreviewServer
from tests.conftest import Site, memory


@pytest.fixture
def preview(make_site) -> Iterator[tuple[Site, PreviewServer]]:
    site = make_site({"content/memories/a.md": memory("Premier titre")})
    server = PreviewServer(site.root, "127.0.0.1", 0)
    server.start()
    yield site, server
    server.stop()


def get(server: PreviewServer, path: str) -> tuple[int, str]:
    host, port = server.httpd.server_address[:2]
    connection = http.client.HTTPConnection(str(host), port, timeout=5)
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read().decode("utf-8", "replace")
    connection.close()
    return response.status, body


def wait_for(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def wait_until_quiet(server, quiet: float = 1.0, timeout: float = 30.0) -> int:
    """Wait until no rebuild has run for `quiet` seconds (late events of earlier edits,
    such as a renamed folder's new watch, may still bring one) and return the count."""
    deadline = time.monotonic() + timeout
    count, since = server.rebuilder.builds, time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.05)
        if server.rebuilder.builds != count:
            count, since = server.rebuilder.builds, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return count
    raise AssertionError("the preview kept rebuilding")


def test_serves_pages_with_the_reload_script_and_not_in_the_output(preview) -> None:
    site, server = preview
    status, body = get(server, "/memories/a/")
    assert status == 200 and "Premier titre" in body
    assert "/__storysite/livereload.js" in body
    assert not site.public.exists()  # the preview never touches the deployed output


def test_stopping_leaves_no_records_of_the_preview_in_the_cache(make_site) -> None:
    # Each session previews into a folder of its own: its page records and build state
    # would pile up in the cache, session after session.
    site = make_site({"content/memories/a.md": memory("Premier titre")})
    assert site.build().exit_code == 0
    cache = site.root / ".storysite" / "cache"
    before = sorted(p.name for p in cache.iterdir() if p.name.startswith(("pages-", "state-")))
    server = PreviewServer(site.root, "127.0.0.1", 0)
    server.start()
    during = sorted(p.name for p in cache.iterdir() if p.name.startswith(("pages-", "state-")))
    server.stop()
    after = sorted(p.name for p in cache.iterdir() if p.name.startswith(("pages-", "state-")))
    assert len(during) > len(before)
    assert after == before


def test_the_first_save_recycles_the_first_output(make_site) -> None:
    # The first build had nothing to recycle: once its pages are served, the preview links its
    # output into a recycled folder, so that the first save makes no folder per page: its
    # unchanged pages are the very files of the first output, and only what changed is rendered.
    from storysite.build import preview_recycle_dir
    site = make_site({f"content/memories/m{i}.md": memory(f"Souvenir {i}") for i in range(30)})
    results: list[BuildResult] = []
    server = PreviewServer(site.root, "127.0.0.1", 0, on_build=lambda result, seconds: results.append(result))
    server.start()
    try:
        output = server.state.output_dir
        recycled = preview_recycle_dir(output)
        page, unchanged = "memories/m1/index.html", "memories/m13/index.html"
        assert wait_for(lambda: (recycled / page).exists())
        assert (recycled / page).stat().st_ino == (output / page).stat().st_ino
        assert not (recycled / ".storysite-output").exists()
        first_file = (output / unchanged).stat().st_ino
        site.write("content/memories/m1.md", memory("Souvenir un"))
        assert wait_for(lambda: len(results) > 1 and "Souvenir un" in get(server, "/memories/m1/")[1])
        assert results[1].pages_reused > results[1].pages_rendered > 0, results[1]
        assert (output / unchanged).stat().st_ino == first_file
        assert "Souvenir 13" in get(server, "/memories/m13/")[1]
    finally:
        server.stop()


def test_a_preview_stopped_before_it_started_stops_at_once(make_site) -> None:
    # SIGTERM or Ctrl-C during the first build: nothing is served or watched yet, and stopping
    # must neither wait for a serving loop that never ran nor leave the preview's folder.
    site = make_site({"content/memories/a.md": memory("Premier titre")})
    server = PreviewServer(site.root, "127.0.0.1", 0)
    folder = server.state.output_dir.parent
    assert folder.is_dir()
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 5
    assert not folder.exists()


def test_serve_stopped_by_sigterm_clears_its_preview_away(make_site, tmp_path) -> None:
    # A process manager, an IDE or a benchmark stops the preview with SIGTERM rather than Ctrl-C.
    import os
    import signal
    import socket
    import subprocess
    import sys
    site = make_site({"content/memories/a.md": memory("Premier titre")})
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    with subprocess.Popen([sys.executable, "-m", "storysite", "serve", str(site.root), "--port", str(port)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env={**os.environ, "TMPDIR": str(scratch)}) as process:
        try:
            assert process.stdout is not None
            serving = next((line for line in process.stdout if line.startswith("Serving")), None)
            assert serving is not None, process.stderr.read() if process.stderr else ""
            assert list(scratch.iterdir())  # the preview's folder
            process.send_signal(signal.SIGTERM)
            _, errors = process.communicate(timeout=30)
            assert process.returncode == 0, errors
        finally:
            if process.poll() is None:
                process.kill()
    assert list(scratch.iterdir()) == []
    cache = site.root / ".storysite" / "cache"
    assert not [p for p in cache.iterdir() if p.name.startswith(("pages-", "state-"))]


@pytest.mark.parametrize("path", ["/../storysite.yaml", "/%2e%2e/storysite.yaml", "/..%2fstorysite.yaml",
                                  "/%2e%2e%2f%2e%2e%2fetc/passwd", "/memories/../../storysite.yaml",
                                  "/..\\storysite.yaml", "//etc/passwd", "/" + "a" * 5000,
                                  "/memories/" + "b" * 300 + "/"])
def test_no_request_reads_outside_the_output(preview, path: str) -> None:
    _, server = preview
    status, body = get(server, path)
    assert status == 404
    assert "title: Test Site" not in body and "root:" not in body


def test_saving_rebuilds_once_and_errors_show_then_clear(preview) -> None:
    site, server = preview
    before = server.rebuilder.builds
    for index in range(200):  # a change storm
        site.write(f"content/memories/m{index:03d}.md", memory(f"Souvenir {index}"))
    assert wait_for(lambda: server.rebuilder.builds > before)
    time.sleep(0.6)
    assert server.rebuilder.builds - before <= 2
    assert wait_for(lambda: get(server, "/memories/m199/")[0] == 200)

    site.write("content/memories/a.md", "---\ntitle: [cassé\n---\n")
    assert wait_for(lambda: server.state.errors != [])
    assert any(e.startswith("content/memories/a.md:2: invalid YAML") for e in server.state.errors)
    assert get(server, "/memories/a/")[0] == 200  # the last good pages stay served

    site.write("content/memories/a.md", memory("Titre corrigé"))
    assert wait_for(lambda: server.state.errors == [] and "Titre corrigé" in get(server, "/memories/a/")[1])


def test_deleted_content_disappears(preview) -> None:
    site, server = preview
    site.write("content/memories/b.md", memory("Deuxième"))
    assert wait_for(lambda: get(server, "/memories/b/")[0] == 200)
    site.remove("content/memories/b.md")
    assert wait_for(lambda: get(server, "/memories/b/")[0] == 404)


def test_event_stream_announces_state(preview) -> None:
    _, server = preview
    with urllib.request.urlopen(server.url + "__storysite/events", timeout=5) as stream:
        assert stream.readline().decode().strip() == "event: state"
        data = json.loads(stream.readline().decode().removeprefix("data: "))
        assert data == {"generation": server.state.generation, "errors": []}


def request_as(server: PreviewServer, host: str | None, path: str = "/memories/a/",
               method: str = "GET") -> tuple[int, str, str]:
    """A request sent with the ``Host`` header a browser would send for ``host`` (none if None)."""
    address, port = server.httpd.server_address[:2]
    connection = http.client.HTTPConnection("127.0.0.1" if address == "0.0.0.0" else str(address), port,
                                            timeout=5)
    connection.putrequest(method, path, skip_host=True)
    if host is not None:
        connection.putheader("Host", host.replace("PORT", str(port)))
    connection.endheaders()
    response = connection.getresponse()
    kind = response.getheader("Content-Type", "")
    # The event stream never ends: its first line says enough.
    body = response.readline() if path.endswith("/events") and response.status == 200 else response.read()
    connection.close()
    return response.status, kind, body.decode("utf-8", "replace")


REFUSED_HOSTS = ("evil.example", "evil.example:PORT", "127.0.0.1.evil.example:PORT", "localhost.evil.example",
                 "evil.localhost", "", "127.0.0.1:PORT:PORT")
ALLOWED_HOSTS = ("127.0.0.1:PORT", "127.0.0.1", "localhost:PORT", "LocalHost", "localhost.:PORT", "[::1]:PORT",
                 "[::1]", None)


def test_requests_for_another_host_are_refused(preview) -> None:
    # DNS rebinding: a page on evil.example whose name now resolves to 127.0.0.1 must not read the preview.
    _, server = preview
    for host in REFUSED_HOSTS:
        for path in ("/memories/a/", "/__storysite/events", "/__storysite/livereload.js", "/robots.txt"):
            status, kind, body = request_as(server, host, path)
            assert status == 421, (host, path)
            assert kind.startswith("text/plain")
            assert "Premier titre" not in body and "Traceback" not in body
            assert "answers only to localhost, 127.0.0.1, [::1]." in body
            assert request_as(server, host, path, method="HEAD")[0] == 421


def test_requests_for_the_preview_itself_are_served(preview) -> None:
    _, server = preview
    for host in ALLOWED_HOSTS:
        status, _, body = request_as(server, host)
        assert status == 200 and "Premier titre" in body, host
        assert request_as(server, host, "/__storysite/events")[2].strip() == "event: state"


def test_a_preview_bound_to_another_address_answers_to_it(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("Premier titre")})
    try:
        server = PreviewServer(site.root, "127.0.0.2", 0)
    except OSError:
        pytest.skip("127.0.0.2 cannot be bound here")
    server.start()
    try:
        assert request_as(server, "127.0.0.2:PORT")[0] == 200
        assert request_as(server, "localhost:PORT")[0] == 200
        status, _, body = request_as(server, "evil.example:PORT")
        assert status == 421 and "answers only to localhost, 127.0.0.1, [::1], 127.0.0.2." in body
    finally:
        server.stop()


def test_a_preview_bound_to_every_interface_answers_to_any_name(make_site) -> None:
    # --host 0.0.0.0 is a choice to be reached from the network, by names the preview cannot know.
    site = make_site({"content/memories/a.md": memory("Premier titre")})
    server = PreviewServer(site.root, "0.0.0.0", 0)
    server.start()
    try:
        for host in ("evil.example", "mybox.local:PORT", "192.0.2.7:PORT", "127.0.0.1:PORT"):
            status, _, body = request_as(server, host)
            assert status == 200 and "Premier titre" in body, host
    finally:
        server.stop()


@pytest.mark.browser
def test_saving_a_memory_updates_the_open_page(make_site, browser) -> None:
    site = make_site({"content/memories/a.md": memory("Avant la modification")})
    server = PreviewServer(site.root, "127.0.0.1", 0)
    server.start()
    try:
        page = browser.new_page()
        page.goto(server.url + "memories/a/")
        assert "Avant la modification" in page.inner_text("h1")
        page.wait_for_timeout(300)  # let the event stream connect
        site.write("content/memories/a.md", memory("Après la modification"))
        page.wait_for_function("document.querySelector('h1').innerText.includes('Après')", timeout=30000)
        site.write("content/memories/a.md", "---\ntitle: [cassé\n---\n")
        page.wait_for_selector("#storysite-error-overlay", timeout=30000)
        assert "content/memories/a.md:2: invalid YAML" in page.inner_text("#storysite-error-overlay")
        # Escape folds the errors into a button at the corner; the button opens them again.
        page.keyboard.press("Escape")
        assert not page.is_visible("#storysite-error-list")
        toggle = page.locator("#storysite-error-overlay button")
        assert toggle.inner_text() == "Show build errors (1)" and toggle.get_attribute("aria-expanded") == "false"
        box = page.locator("#storysite-error-overlay").bounding_box()
        height = page.evaluate("window.innerHeight")
        # A button at the bottom corner, whose room the page keeps clear of focused elements.
        assert box is not None and box["width"] < 400 and abs(box["y"] + box["height"] - height) < 2
        assert page.evaluate("document.documentElement.style.scrollPaddingBottom") == f"{round(box['height'])}px"
        toggle.click()
        assert page.is_visible("#storysite-error-list") and toggle.get_attribute("aria-expanded") == "true"
        site.write("content/memories/a.md", memory("Réparé"))
        page.wait_for_function("document.querySelector('h1').innerText.includes('Réparé')", timeout=30000)
        assert page.locator("#storysite-error-overlay").count() == 0
        page.close()
    finally:
        server.stop()


def test_folders_made_after_starting_are_watched_and_the_cache_is_not(preview) -> None:
    """The site folder is watched for its own files and each of its folders, except the
    cache and output folders: a build moves thousands of folders around in those."""
    site, server = preview
    site.write("static/notes/horaires.txt", "lundi")
    assert wait_for(lambda: get(server, "/notes/horaires.txt") == (200, "lundi"))
    site.write("static/notes/horaires.txt", "mardi")
    assert wait_for(lambda: get(server, "/notes/horaires.txt") == (200, "mardi"))
    (site.root / "static").rename(site.root / "statique")
    assert wait_for(lambda: get(server, "/notes/horaires.txt")[0] == 404)
    (site.root / "statique").rename(site.root / "static")
    assert wait_for(lambda: get(server, "/notes/horaires.txt") == (200, "mardi"))
    site.write("content/memories/b.md", memory("Deuxième"))
    assert wait_for(lambda: get(server, "/memories/b/")[0] == 200)
    # The preview recycles its output beside itself, never in the watched site folder.
    assert not list((site.root / ".storysite/cache").glob("output-*"))
    before = wait_until_quiet(server)
    (site.root / ".storysite/cache/scratch/deep").mkdir(parents=True)
    (site.root / ".storysite/cache/scratch/deep/file.bin").write_bytes(b"x")
    time.sleep(0.6)
    assert server.rebuilder.builds == before


def test_a_site_with_a_base_path_is_served_under_it_as_deployed(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("Premier titre")},
                     config="title: T\nbase_url: https://example.org/marque/tartine/\n")
    server = PreviewServer(site.root, "127.0.0.1", 0)
    server.start()
    try:
        assert server.site_url == server.url + "marque/tartine/"
        host, port = server.httpd.server_address[:2]
        for path in ("/", "/marque/tartine"):
            connection = http.client.HTTPConnection(str(host), port, timeout=5)
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            connection.close()
            assert (response.status, response.getheader("Location")) == (302, "/marque/tartine/")
        status, home = get(server, "/marque/tartine/")
        assert status == 200 and 'href="/marque/tartine/memories/a/"' in home
        stylesheet = next(part.split('"')[0] for part in home.split('href="')[1:] if part.split('"')[0].endswith(".css"))
        assert get(server, stylesheet)[0] == 200
        assert get(server, "/marque/tartine/memories/a/")[0] == 200
        assert get(server, "/memories/a/")[0] == 404
        (server.state.output_dir.parent / "secret.txt").write_text("not the site's")
        for path in ("/marque/tartine/../secret.txt", "/marque/tartine/..%2fsecret.txt",
                     "/marque/tartine/%2e%2e/secret.txt", "/marque/tartine%2f..%2f..%2fsecret.txt",
                     "/marque/tartine..%2fsecret.txt", "/marque/tartine/%2e%2e%2fsecret.txt"):
            status, body = get(server, path)
            assert status == 404 and "not the site's" not in body, path
    finally:
        server.stop()


def test_rebuilds_leave_the_servers_garbage_collector_on(preview) -> None:
    # Each rebuild holds the cyclic collector off (it runs while browsers reload): a rebuild
    # that failed must not leave the long-running server without one.
    import gc

    site, server = preview
    assert gc.isenabled()
    before = server.rebuilder.builds
    site.write("content/memories/a.md", "---\ntitle: [unclosed\n---\nTexte.\n")
    assert wait_for(lambda: server.rebuilder.builds > before)
    assert server.state.snapshot()["errors"]
    assert gc.isenabled()
    before = server.rebuilder.builds
    site.write("content/memories/a.md", memory("Titre réparé"))
    assert wait_for(lambda: server.rebuilder.builds > before and "Titre réparé" in get(server, "/memories/a/")[1])
    assert gc.isenabled()


def test_stopping_during_the_first_build_leaves_nothing_running(make_site, monkeypatch) -> None:
    # stop() while start() is still building (Ctrl-C or SIGTERM at startup, a test's teardown):
    # start() must not go on to start the watcher and the HTTP loop once the server is stopped.
    import storysite.serve as serve_module

    site = make_site({"content/memories/a.md": memory("Premier titre")})
    server = PreviewServer(site.root, "127.0.0.1", 0)
    building, real_build = threading.Event(), serve_module.build

    def slow_build(*args, **kwargs):
        building.set()
        time.sleep(0.5)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(serve_module, "build", slow_build)
    failures: list[BaseException] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: failures.append(args.exc_value))
    before = set(threading.enumerate())
    starter = threading.Thread(target=server.start)
    starter.start()
    assert building.wait(10)
    server.stop()
    starter.join(10)
    time.sleep(0.2)
    assert server.observer is None or not server.observer.is_alive()
    assert [t for t in threading.enumerate() if t not in before and t.is_alive()] == []
    assert failures == []


def test_a_save_made_during_the_first_build_is_previewed(make_site, monkeypatch) -> None:
    # The watcher starts after the first build: a file saved while that build ran (after it
    # read the file) used to stay unpreviewed until the next save.
    import storysite.serve as serve_module

    site = make_site({"content/memories/a.md": memory("Premier titre")})
    real_build, saved = serve_module.build, []

    def build_then_save(*args, **kwargs):
        result = real_build(*args, **kwargs)
        if not saved:
            saved.append(site.write("content/memories/a.md", memory("Titre enregistré pendant le build")))
        return result

    monkeypatch.setattr(serve_module, "build", build_then_save)
    server = PreviewServer(site.root, "127.0.0.1", 0)
    server.start()
    try:
        assert wait_for(lambda: "Titre enregistré pendant le build" in get(server, "/memories/a/")[1], 15)
    finally:
        server.stop()


def test_no_rebuild_at_startup_when_nothing_changed(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("Premier titre")})
    time.sleep(2.2)  # every file older than the slack the startup check allows
    server = PreviewServer(site.root, "127.0.0.1", 0)
    server.start()
    try:
        time.sleep(1.5)
        assert server.rebuilder.builds == 1
    finally:
        server.stop()


def test_a_port_in_use_is_a_clear_error_that_leaves_nothing_behind(make_site, tmp_path) -> None:
    # Another preview (or any server) already listens there: a one-line message and exit 2, as
    # for a wrong option, and no preview folder left in the temporary folder, run after run.
    import os
    import socket
    import subprocess
    import sys
    site = make_site({"content/memories/a.md": memory("Premier titre")})
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run([sys.executable, "-m", "storysite", "serve", str(site.root), "--port", str(port)],
                             capture_output=True, text=True, timeout=60, env={**os.environ, "TMPDIR": str(scratch)})
    assert run.returncode == 2, run.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in run.stderr and "--port" in run.stderr
    assert "Traceback" not in run.stderr
    assert list(scratch.iterdir()) == []


def redirect_of(server: PreviewServer, path: str, method: str = "GET") -> tuple[int, str | None]:
    """The status and ``Location`` of the answer to ``path`` (redirects not followed)."""
    host, port = server.httpd.server_address[:2]
    connection = http.client.HTTPConnection(str(host), port, timeout=5)
    connection.request(method, path)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status, response.getheader("Location")


def test_a_folder_named_without_its_final_slash_is_redirected(make_site) -> None:
    # As Hugo's and Eleventy's servers and every web host do: the page of /memories/a, served as it
    # is, would resolve its relative links (a static page's "style.css") against /memories/.
    site = make_site({"content/memories/a.md": memory("Premier titre"),
                      "static/docs/index.html": '<link rel="stylesheet" href="style.css"><p>Docs</p>',
                      "static/docs/style.css": "p{}"},
                     config="title: T\nbase_url: https://example.org/marque/\n")
    server = PreviewServer(site.root, "127.0.0.1", 0)
    server.start()
    try:
        assert redirect_of(server, "/marque/memories/a") == (302, "/marque/memories/a/")
        assert redirect_of(server, "/marque/memories/a", "HEAD") == (302, "/marque/memories/a/")
        assert redirect_of(server, "/marque/docs?v=2") == (302, "/marque/docs/?v=2")
        assert redirect_of(server, "/marque/memories/a/")[0] == 200
        assert redirect_of(server, "/marque/memories/a/index.html")[0] == 200
        assert redirect_of(server, "/marque/docs/style.css")[0] == 200
        assert redirect_of(server, "/marque/nowhere")[0] == 404
    finally:
        server.stop()


def test_editor_scratch_files_do_not_rebuild(preview) -> None:
    # Saving in vim or emacs creates and deletes swap, lock, backup and test files beside the
    # file: none is content, and none may cost a rebuild and a reload of every open page.
    site, server = preview
    before = wait_until_quiet(server)
    folder = site.root / "content/memories"
    for name in (".a.md.swp", ".a.md.swo", ".a.md.swx", "a.md~", ".#a.md", "#a.md#", "4913", "a.md.tmp"):
        (folder / name).write_text("x")
        (folder / name).unlink()
    time.sleep(0.6)
    assert server.rebuilder.builds == before
    site.write("content/memories/a.md", memory("Titre enregistré"))
    assert wait_for(lambda: "Titre enregistré" in get(server, "/memories/a/")[1])


def test_files_are_served_with_their_web_types_whatever_the_systems_table(make_site, monkeypatch) -> None:
    # Python's mimetypes reads the system's table: without /etc/mime.types it knows no webp or
    # woff2, and a Windows registry has mapped .js to text/plain (scripts then refused).
    import mimetypes

    monkeypatch.setattr(mimetypes, "guess_type", lambda url, strict=True: ("text/plain", None))
    files = {"a.css": "p{}", "a.js": "1", "a.json": "{}", "a.xml": "<a/>", "a.svg": "<svg/>", "a.webp": "x",
             "a.avif": "x", "a.woff2": "x", "a.txt": "é"}
    site = make_site({"content/memories/a.md": memory("Premier titre"),
                      **{f"static/{name}": text for name, text in files.items()}})
    server = PreviewServer(site.root, "127.0.0.1", 0)
    server.start()
    try:
        expected = {"a.css": "text/css; charset=utf-8", "a.js": "text/javascript; charset=utf-8",
                    "a.json": "application/json", "a.xml": "application/xml; charset=utf-8",
                    "a.svg": "image/svg+xml", "a.webp": "image/webp", "a.avif": "image/avif",
                    "a.woff2": "font/woff2", "a.txt": "text/plain; charset=utf-8",
                    "memories/a/": "text/html; charset=utf-8", "feed.xml": "application/xml; charset=utf-8"}
        for path, kind in expected.items():
            for method in ("GET", "HEAD"):
                status, got, _ = request_as(server, "127.0.0.1", "/" + path, method)
                assert (status, got) == (200, kind), (path, method)
    finally:
        server.stop()


def test_a_head_request_answers_as_its_get(preview) -> None:
    _, server = preview
    for path in ("/memories/a/", "/__storysite/livereload.js", "/nowhere/"):
        got, head = request_as(server, "127.0.0.1", path), request_as(server, "127.0.0.1", path, "HEAD")
        assert head == (got[0], got[1], ""), path


@pytest.mark.parametrize("host", ["::1", "[::1]"])
def test_a_preview_on_the_ipv6_loopback_serves_it(make_site, host: str) -> None:
    # --host ::1 is a loopback address the preview answers to ([::1] in the Host header): it
    # could not be bound, the server's socket being IPv4 only.
    import socket
    with socket.socket(socket.AF_INET6) as probe:
        try:
            probe.bind(("::1", 0))
        except OSError:
            pytest.skip("no IPv6 loopback here")
    site = make_site({"content/memories/a.md": memory("Premier titre")})
    server = PreviewServer(site.root, host, 0)
    server.start()
    try:
        port = server.httpd.server_address[1]
        assert server.url == f"http://[::1]:{port}/"
        assert request_as(server, "[::1]:PORT")[:1] == (200,)
        assert request_as(server, "evil.example")[0] == 421
    finally:
        server.stop()


def test_the_terminal_says_whether_a_failed_build_leaves_pages_served(make_site) -> None:
    # A first build that fails has no last good pages to keep serving: the terminal must not
    # say it has; once a build has succeeded, a failed one keeps those pages, and says so.
    import signal
    import socket
    import subprocess
    import sys
    broken = memory("Premier titre").replace("title:", "title: [", 1)
    site = make_site({"content/memories/a.md": broken})
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    errors: list[str] = []
    with subprocess.Popen([sys.executable, "-m", "storysite", "serve", str(site.root), "--port", str(port)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None and process.stderr is not None
            threading.Thread(target=lambda: errors.extend(process.stderr), daemon=True).start()
            assert next((line for line in process.stdout if line.startswith("Serving")), None)
            assert wait_for(lambda: any("Build failed" in line for line in errors))
            site.write("content/memories/a.md", memory("Premier titre"))
            assert next((line for line in process.stdout if line.startswith(("Built", "Rebuilt"))), None)
            site.write("content/memories/a.md", broken)
            assert wait_for(lambda: sum("Build failed" in line for line in errors) == 2)
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
    failed = [line for line in errors if "Build failed" in line]
    assert "nothing to serve until it builds" in failed[0] and "still served" not in failed[0]
    assert "the last good pages are still served" in failed[1]


def test_a_preview_on_every_address_gives_a_url_that_opens_here(make_site) -> None:
    # Bound to 0.0.0.0 (to be reached from a phone on the network), the preview announces an
    # address a browser on this machine can open, as Hugo does, not http://0.0.0.0:port/.
    site = make_site({"content/memories/a.md": memory("Premier titre")})
    server = PreviewServer(site.root, "0.0.0.0", 0)
    try:
        server.start()
        assert server.url.startswith("http://localhost:")
        with urllib.request.urlopen(server.url + "memories/a/", timeout=5) as response:
            assert "Premier titre" in response.read().decode()
    finally:
        server.stop()
