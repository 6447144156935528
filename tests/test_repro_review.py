"""Reproducibility review: the same input gives the same output files, whatever the machine,
the shell and the builds before (locale, umask)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from tests.conftest import BUILD_EPOCH, REPO, Site, memory
from tests.test_labels import artwork

PACIFICO_DESIGN = """\
title: Ruban
artwork: plain.png
example: Camille
zones:
  - name: name
    box: [40, 60, 520, 180]
    font: fonts/labels/pacifico-regular.ttf
    size: [20, 90]
    color: "#7b3f00"
    max_chars: 14
"""


def run_build(site: Path, env: Mapping[str, str], umask: int | None = None) -> None:
    """``storysite build`` in a process of its own, with only ``env`` and the given umask."""
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(REPO),
                   "SOURCE_DATE_EPOCH": BUILD_EPOCH, **env}
    result = subprocess.run([sys.executable, "-m", "storysite", "build", "--quiet", str(site)], env=environment,
                            capture_output=True, text=True, check=False,
                            preexec_fn=None if umask is None else (lambda: os.umask(umask)))
    assert result.returncode == 0, result.stderr


def digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def turkish_locale(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for ``LOCPATH`` holding tr_TR.UTF-8 (compiled here: few machines have it installed)."""
    localedef = shutil.which("localedef")
    if localedef is None or not Path("/usr/share/i18n/locales/tr_TR").is_file():
        pytest.skip("needs localedef and glibc's locale sources")
    folder = tmp_path_factory.mktemp("locales")
    made = subprocess.run([localedef, "-i", "tr_TR", "-f", "UTF-8", str(folder / "tr_TR.UTF-8")],
                          capture_output=True, check=False)
    if made.returncode != 0 or not (folder / "tr_TR.UTF-8").exists():
        pytest.skip(f"localedef failed: {made.stderr!r}")
    return folder


def test_labels_are_drawn_alike_whatever_the_locale_of_the_build(make_site: Callable[..., Site],
                                                                 turkish_locale: Path) -> None:
    """HarfBuzz shapes for the process locale unless told a language: under tr_TR Pacifico's
    Turkish "i" made other label pixels under the same file name (and cache key)."""
    sites = []
    for name, locale in (("c", "C.UTF-8"), ("tr", "tr_TR.UTF-8")):
        site = make_site({"content/labels/plain.yaml": PACIFICO_DESIGN, "content/labels/plain.png": artwork()},
                         name=name)
        run_build(site.root, {"LOCPATH": str(turkish_locale), "LC_ALL": locale, "LANG": locale})
        sites.append(site)
    plain, turkish = (digests(site.public) for site in sites)
    assert any(path.startswith("media/labels/") for path in plain)
    assert turkish == plain


def modes(folder: Path) -> dict[str, int]:
    """The permissions of every file and folder in ``folder`` (itself as ``.``)."""
    return {p.relative_to(folder).as_posix(): p.stat().st_mode & 0o7777 for p in [folder, *folder.rglob("*")]}


MODE_SITE = {
    "content/memories/a.md": memory("Un goûter", extra="tags: [famille]\n"),
    "content/memories/b.md": memory("Une fête", extra="tags: [famille]\n"),
    "content/pages/a-propos.md": "---\ntitle: À propos\n---\nLe site.\n",
    "content/labels/plain.yaml": PACIFICO_DESIGN,
    "content/labels/plain.png": artwork(),
    "static/robots.txt": "User-agent: *\n",
}


def test_output_permissions_are_the_same_whatever_the_umask(make_site: Callable[..., Site]) -> None:
    """Under umask 077 the output was all 0600 files in 0700 folders, which a web server reading
    as another user cannot serve; a site is built to be served, so its output is readable by all."""
    strict, usual = make_site(MODE_SITE, name="strict"), make_site(MODE_SITE, name="usual")
    run_build(strict.root, {}, umask=0o077)
    run_build(usual.root, {}, umask=0o022)
    assert digests(strict.public) == digests(usual.public)
    found = modes(strict.public)
    assert found == modes(usual.public)
    assert set(found.values()) == {0o644, 0o755}, found


def test_an_output_of_other_permissions_leaves_none_of_them_to_the_next_build(make_site: Callable[..., Site]) -> None:
    """The old output's files are linked into the new one: an output built under umask 077 (or
    by an earlier version) left its 0600 files to every later build, which then differed from a
    clean build of the same input."""
    site, clean = make_site(MODE_SITE, name="site"), make_site(MODE_SITE, name="clean")
    run_build(site.root, {})
    for path in [site.public, *site.public.rglob("*")]:  # as a build under umask 077 left it
        path.chmod(0o700 if path.is_dir() else 0o600)
    for edit in (site, clean):
        edit.write("content/memories/b.md", memory("Une fête", body="Un autre texte.", extra="tags: [famille]\n"))
    for _ in range(2):  # the second build recycles the first one's old output
        run_build(site.root, {})
        run_build(clean.root, {})
        assert digests(site.public) == digests(clean.public)
        assert modes(site.public) == modes(clean.public)
        assert set(modes(site.public).values()) == {0o644, 0o755}
        site.write("content/memories/a.md", memory("Un goûter", body="Encore.", extra="tags: [famille]\n"))
        clean.write("content/memories/a.md", memory("Un goûter", body="Encore.", extra="tags: [famille]\n"))
