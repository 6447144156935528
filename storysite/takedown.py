"""The takedown manifest and the purge list.

Every successful build records, in ``.storysite/manifest.json`` (outside the
output), each output file's content hash and which memory each output file
shows or links to, plus the media files each memory's page uses. Comparing
with the previous build's manifest gives the URLs that were removed or
changed: the purge list a CDN needs (``.storysite/purge.txt``), so that a
withdrawn memory disappears from caches too.

A site may be built into several folders (``build --output``), any of which may
be the one deployed: the manifest names the folder it was built into, and when
another folder's build replaces it, it is kept as that folder's own record
(``.storysite/manifest-<tag>.json``). A build then purges what changed since the
last build of any folder and since its own folder's last build.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

STATE_DIR = ".storysite"
MANIFEST = "manifest.json"
PURGE_LIST = "purge.txt"

_MEMORY_LINK = re.compile(r"/memories/([a-z0-9]+(?:-[a-z0-9]+)*)/")
# A quoted attribute value naming a media file somewhere; the attribute's name is checked
# after a match (a value found first, then its name, is 3× faster than the other way round).
_MEDIA_VALUE = re.compile(r"""=["']([^"']*\.(?:jpe?g|png|webp|avif|gif|mp4|webm|vtt)\b[^"']*)["']""", re.I)
_REFERRING_ATTRIBUTE = re.compile(r"(?:src|href|srcset|content|poster|data-[a-z-]+)\Z")
_MEDIA = (".jpg", ".jpeg", ".png", ".webp", ".avif", ".gif", ".mp4", ".webm", ".vtt")
_OWN_PAGE = re.compile(r"memories/([a-z0-9-]+)/index\.html")
_TEXT_TYPES = (".html", ".xml", ".json", ".txt", ".js", ".webmanifest")
_quote = json.encoder.encode_basestring  # a string as JSON, as json.dumps(..., ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class Manifest:
    """What one build produced: file hashes, and per memory the files it appears in."""

    files: Mapping[str, str]
    memories: Mapping[str, tuple[str, ...]]
    output: str = ""
    """The folder the build wrote (absolute); empty in a record written before it was kept."""

    def to_json(self) -> str:
        return "".join(self.json_lines())

    def json_lines(self) -> Iterator[str]:
        """The manifest as JSON, one entry per line (written as it is made: a site of
        100,000 memories has a manifest of tens of megabytes)."""
        yield f'{{"output": {_quote(self.output)}'
        for name, entries in (("files", self.files), ("memories", self.memories)):
            yield f',\n"{name}": {{'
            for index, (key, value) in enumerate(sorted(entries.items())):
                # As json.dumps(..., ensure_ascii=False) writes them, without making an encoder
                # per call (a third of the time of an edit build's takedown record).
                text = _quote(value) if isinstance(value, str) else f"[{', '.join(map(_quote, value))}]"
                yield f'{"," if index else ""}\n {_quote(key)}: {text}'
            yield "\n}"
        yield "}\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)
        return cls(dict(data.get("files", {})), {k: tuple(v) for k, v in data.get("memories", {}).items()},
                   str(data.get("output", "")))


@dataclass(frozen=True, slots=True)
class FileFacts:
    """One output file: its hash, the memories it shows or links to, and (for a memory's
    own page) the media files that memory owns."""

    sha256: str
    memories: tuple[str, ...] = ()
    media: tuple[str, ...] = ()


def file_facts(path: str, data: bytes, base_path: str = "/", text: str | None = None) -> FileFacts:
    """Facts about one output file (pure). ``base_path`` is the path part of ``base_url``;
    ``text`` is ``data`` decoded, when the caller has it already."""
    digest = hashlib.sha256(data).hexdigest()
    if not path.endswith(_TEXT_TYPES):
        return FileFacts(digest)
    if text is None:
        text = data.decode("utf-8", "replace")
    memories = tuple(sorted(set(_MEMORY_LINK.findall(text))))
    media: set[str] = set()
    if _OWN_PAGE.fullmatch(path):
        # The media a memory's own page uses belong to that memory.
        for found in _MEDIA_VALUE.finditer(text):
            if not _REFERRING_ATTRIBUTE.search(text, max(0, found.start() - 200), found.start()):
                continue
            for candidate in found.group(1).split(","):
                local = urlsplit(candidate.strip().split(" ")[0]).path
                if local.startswith(base_path):
                    local = local[len(base_path):]
                if local.lower().endswith(_MEDIA) and not local.startswith("assets/"):
                    media.add(local)
    return FileFacts(digest, memories, tuple(sorted(media)))


def manifest_from_facts(facts: Mapping[str, FileFacts], memory_slugs: Iterable[str], output: str = "") -> Manifest:
    """The manifest of a build from the facts of every file it wrote (into the folder ``output``)."""
    slugs = set(memory_slugs)
    appears: dict[str, set[str]] = defaultdict(set)
    for path, fact in facts.items():
        for slug in set(fact.memories) & slugs:
            appears[slug].add(path)
        own = _OWN_PAGE.fullmatch(path)
        if own and own.group(1) in slugs:
            appears[own.group(1)].update(m for m in fact.media if m in facts)
    hashes = {path: fact.sha256 for path, fact in facts.items()}
    return Manifest(hashes, {slug: tuple(sorted(paths)) for slug, paths in appears.items()}, output)


def make_manifest(files: Iterable[tuple[str, bytes]], memory_slugs: Iterable[str], base_path: str = "/",
                  output: str = "") -> Manifest:
    """Hash every output file (of the folder ``output``) and attribute it to the memories it shows or links to."""
    return manifest_from_facts({path: file_facts(path, data, base_path) for path, data in files}, memory_slugs,
                               output)


def url_of(path: str, base_url: str) -> str:
    """The public URL of an output file (``a/index.html`` → ``<base>a/``)."""
    if path == "index.html":
        path = ""
    elif path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return base_url + path


def purge_paths(previous: Manifest | None, current: Manifest) -> list[str]:
    """Output files removed or changed since ``previous`` (none on a first build)."""
    if previous is None:
        return []
    changed = [p for p, digest in previous.files.items() if current.files.get(p) != digest]
    return sorted(changed)


def _folder_record(site_dir: Path, output: str) -> Path:
    """Where the record of the last build into ``output`` is kept once another folder's build is the last."""
    return site_dir / STATE_DIR / f"manifest-{hashlib.sha256(output.encode()).hexdigest()[:12]}.json"


def load_manifest(site_dir: Path, output: str | None = None) -> Manifest | None:
    """The last build's record; with ``output``, that of the last build into that folder when
    a build into another folder came after it (else ``None``)."""
    path = site_dir / STATE_DIR / MANIFEST if output is None else _folder_record(site_dir, output)
    try:
        return Manifest.from_json(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None


def purge_since(site_dir: Path, current: Manifest) -> tuple[Manifest | None, list[str]]:
    """The last build's record, and the output files to purge after the build of ``current``: those
    removed or changed since the last build, or since the last build into the same folder when
    another folder was built since (either may be the site deployed)."""
    previous = load_manifest(site_dir)
    paths = set(purge_paths(previous, current))
    if previous is not None and current.output and previous.output != current.output:
        paths.update(purge_paths(load_manifest(site_dir, current.output), current))
    return previous, sorted(paths)


def save(site_dir: Path, manifest: Manifest, purge_urls: list[str], replaced: Manifest | None = None) -> None:
    """Write the manifest and the purge list atomically into ``.storysite/``. ``replaced`` (the
    record read before the build) is kept as its folder's own when that is another folder."""
    state = site_dir / STATE_DIR
    state.mkdir(exist_ok=True)
    if replaced is not None and replaced.output and replaced.output != manifest.output:
        temporary = state / ".manifest-folder.tmp"
        temporary.unlink(missing_ok=True)
        try:
            os.link(state / MANIFEST, temporary)  # (the same bytes: at 100,000 memories, tens of megabytes)
        except OSError:
            shutil.copyfile(state / MANIFEST, temporary)
        os.replace(temporary, _folder_record(site_dir, replaced.output))
    for name, lines in ((MANIFEST, manifest.json_lines()), (PURGE_LIST, (u + "\n" for u in purge_urls))):
        temporary = state / f".{name}.tmp"
        with temporary.open("w", encoding="utf-8") as handle:
            handle.writelines(lines)
        os.replace(temporary, state / name)
    if manifest.output:
        # This folder's record is the last build's now.
        _folder_record(site_dir, manifest.output).unlink(missing_ok=True)
