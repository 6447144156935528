"""Shared fixtures: small real sites written into tmp_path, and ways to build them."""

from __future__ import annotations

import os
import shutil
import textwrap
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import storysite.labels.stage as label_stage
from storysite.cli import main

REPO = Path(__file__).resolve().parent.parent
# A fixed build date keeps consent-expiry tests independent of the calendar.
BUILD_EPOCH = "1795132800"  # 2026-11-20T00:00:00Z

pytest_plugins = ["tests.browser.fixtures"]

MINIMAL_CONFIG = """\
title: Test Site
base_url: https://example.org/
language: fr
"""


FORM_EXPORT = (
    "Title,Your memory,Date of the memory,City,Full name,Email,Phone,I agree to publication,Timestamp,"
    "Name for the label,Photo\n"
    "My memory,Some words,1986-07,Lyon,Romain Lefevre,romain@example.org,0600000000,yes,"
    "2024-01-01T10:00:00Z,Romain,\n"
)
"""A fan form's export with the columns of the import-mapping.yaml that `storysite new` writes."""


def memory(
    title: str = "Un souvenir",
    *,
    status: str = "approved",
    granted: str | None = "2020-01-01",
    body: str = "Le texte du souvenir.",
    extra: str = "",
) -> str:
    """A memory file's text; ``extra`` is more front matter (dedented YAML lines)."""
    consent = f"consent:\n  granted: {granted}\n  scope: [site, share]\n" if granted else ""
    return (
        f"---\ntitle: {title}\ndate: 1986-07\nstatus: {status}\n"
        f"author: {{id: fan-1, display: Romain L., location: Lyon}}\n{consent}"
        f"{textwrap.dedent(extra)}---\n{body}\n"
    )


@dataclass
class Site:
    """A site folder in tmp_path, with helpers to edit and build it."""

    root: Path
    runner: CliRunner

    def write(self, relpath: str, text: str | bytes) -> Path:
        path = self.root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def remove(self, relpath: str) -> None:
        path = self.root / relpath
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()

    def run(self, *args: str, env: Mapping[str, str] | None = None) -> Result:
        environment = {"SOURCE_DATE_EPOCH": BUILD_EPOCH, **(env or {})}
        return self.runner.invoke(main, list(args), env=environment, catch_exceptions=False)

    def build(self, *args: str, env: Mapping[str, str] | None = None) -> Result:
        return self.run("build", str(self.root), *args, env=env)

    def check(self, *args: str) -> Result:
        return self.run("check", str(self.root), *args)

    @property
    def public(self) -> Path:
        return self.root / "public"

    def read(self, relpath: str) -> str:
        return (self.public / relpath).read_text(encoding="utf-8")

    def output_files(self) -> dict[str, bytes]:
        return {
            p.relative_to(self.public).as_posix(): p.read_bytes()
            for p in sorted(self.public.rglob("*"))
            if p.is_file()
        }

    def all_output_text(self) -> str:
        return "\n".join(data.decode("utf-8", "replace") for data in self.output_files().values())


@pytest.fixture
def make_site(tmp_path: Path) -> Callable[..., Site]:
    """``make_site({"content/memories/a.md": "..."})`` writes a small real site."""

    def factory(files: Mapping[str, str | bytes] | None = None, config: str = MINIMAL_CONFIG,
                name: str = "site") -> Site:
        root = tmp_path / name
        root.mkdir()
        site = Site(root, CliRunner())
        site.write("storysite.yaml", config)
        for relpath, text in (files or {}).items():
            site.write(relpath, textwrap.dedent(text) if isinstance(text, str) else text)
        return site

    return factory


@pytest.fixture
def demo_site(tmp_path: Path, demo_image_cache: Path) -> Iterator[Site]:
    """A copy of the repository's demo site (its photos already encoded in its cache)."""
    root = tmp_path / "demo"
    root.mkdir()
    for name in ("storysite.yaml", "content", "static", "themes"):
        source = REPO / name
        if source.is_dir() and name != "themes":
            shutil.copytree(source, root / name)
        elif source.is_file():
            shutil.copy2(source, root / name)
    shutil.copytree(demo_image_cache, root / ".storysite/cache/images")
    yield Site(root, CliRunner())


def build_demo_copy(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """A copy of the repository's demo site, built; its output folder (for module fixtures)."""
    root = tmp_path_factory.mktemp(name)
    shutil.copy2(REPO / "storysite.yaml", root / "storysite.yaml")
    for folder in ("content", "static"):
        shutil.copytree(REPO / folder, root / folder)
    result = CliRunner().invoke(main, ["build", str(root)], env={"SOURCE_DATE_EPOCH": BUILD_EPOCH})
    assert result.exit_code == 0, result.output
    return root / "public"


@pytest.fixture(scope="session")
def demo_image_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's photos encoded once per test process (the cache is keyed by content,
    so every copy of the demo reuses it instead of encoding the same photos again)."""
    root = tmp_path_factory.mktemp("demo-images")
    shutil.copy2(REPO / "storysite.yaml", root / "storysite.yaml")
    for name in ("content", "static"):
        shutil.copytree(REPO / name, root / name)
    CliRunner().invoke(main, ["build", "--quiet", str(root)], env={"SOURCE_DATE_EPOCH": BUILD_EPOCH})
    cache = root / ".storysite/cache/images"
    cache.mkdir(parents=True, exist_ok=True)
    return cache


@pytest.fixture(autouse=True)
def _no_debug_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STORYSITE_DEBUG", raising=False)
    if "SOURCE_DATE_EPOCH" in os.environ:
        monkeypatch.delenv("SOURCE_DATE_EPOCH")


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int]]:
    """How many labels were drawn and how many variants were derived from them, build by build."""
    counts = {"labels": 0, "derived": 0}
    render_label, derive_variants = label_stage.render_label, label_stage.derive_variants

    def counted_render(op: label_stage.LabelOp) -> bytes:
        counts["labels"] += 1
        return render_label(op)

    def counted_derive(png: bytes, ops: tuple[label_stage.LabelVariantOp, ...]) -> list[bytes]:
        counts["derived"] += len(ops)
        return derive_variants(png, ops)

    monkeypatch.setattr(label_stage, "render_label", counted_render)
    monkeypatch.setattr(label_stage, "derive_variants", counted_derive)
    yield counts
