"""The private store: fans' personal data, kept out of git, keyed by ``author.id``.

Layout of the folder (``privacy.private_store``, ``private/`` by default)::

    private/
      key                 a random secret: author ids are keyed hashes made with it
      submissions.jsonl   one JSON record per imported submission (personal data,
                          the fan's original words, consent evidence)
      withdrawn.jsonl     tombstones: the fingerprints of withdrawn submissions (and a
                          keyed hash of their form's submission id), so that
                          re-importing an old export never brings a fan back
      edits.jsonl         the fingerprints of answers a fan edited on the form after
                          their import, which an import reported (once: later ones
                          note them)

Ids are ``fan-`` + an HMAC of the fan's normalised email (or name and phone),
so nobody can recover an email from an id found in git, while the same fan
always gets the same id.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import subprocess
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storysite.diagnostics import Diagnostic, StorysiteError, warning

KEY_FILE = "key"
SUBMISSIONS_FILE = "submissions.jsonl"
WITHDRAWN_FILE = "withdrawn.jsonl"
EDITS_FILE = "edits.jsonl"


def normalised(text: str) -> str:
    """An email or name as compared: NFKC, case-folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


_normal = normalised


@dataclass
class PrivateStore:
    """Access to one site's private folder."""

    root: Path

    def key(self) -> bytes:
        """The store's secret, created (readable by the owner only) on first use."""
        path = self.root / KEY_FILE
        if path.exists():
            return bytes.fromhex(path.read_text("ascii").strip())
        self.root.mkdir(parents=True, exist_ok=True)
        value = secrets.token_bytes(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(value.hex() + "\n")
        return value

    def _mac(self, *parts: str) -> str:
        return hmac.new(self.key(), "\x1f".join(_normal(p) for p in parts).encode(), hashlib.sha256).hexdigest()

    def author_id(self, email: str, name: str, phone: str) -> str:
        """A stable, irreversible id for a fan: by email, else by name and phone."""
        basis = ("email", email) if email.strip() else ("person", name, phone)
        return "fan-" + self._mac(*basis)[:12]

    def fingerprint(self, author_id: str, text: str) -> str:
        """Identifies one submission (the same fan and the same words)."""
        return self._mac("submission", author_id, text)[:16]

    def submission_key(self, submission_id: str, form: str = "") -> str:
        """What a tombstone keeps of a form's submission id: a keyed hash, which finds the
        submission again in a later export but leads nobody to the form's record of it.
        ``form`` is the import mapping's ``form:`` (a form's ids are its own)."""
        return self._mac("submission-id", *((form,) if form else ()), submission_id)[:16]

    def known_submissions(self) -> tuple[dict[tuple[str, str], dict[str, Any]], dict[str, tuple[str, str]]]:
        """The forms' submission ids (``columns: id`` of the import mapping) imported before: each
        stored one, by its form (``form:`` of the mapping, ``""`` for none) and id, with its record;
        and the keys (:meth:`submission_key`) of the withdrawn ones, with the day each was
        withdrawn and its fan's author id."""
        stored = {(str(r.get("form", "")), str(r["submission_id"])): r for r in self.records()
                  if r.get("submission_id")}
        withdrawn = {str(r["submission"]): (str(r.get("withdrawn", "")), str(r.get("author_id", "")))
                     for r in _read_jsonl(self.root / WITHDRAWN_FILE) if r.get("submission")}
        return stored, withdrawn

    def reported_edits(self) -> dict[str, dict[str, Any]]:
        """The edited answers an import reported (skipped, to compare by hand), by fingerprint."""
        return {str(r.get("fingerprint")): r for r in _read_jsonl(self.root / EDITS_FILE)}

    def edit_appender(self) -> RecordAppender:
        """A writer that adds the records of reported edits (:meth:`reported_edits`) one at a time."""
        return RecordAppender(self.root / EDITS_FILE)

    def records(self) -> Iterator[dict[str, Any]]:
        """Every stored submission record, streamed."""
        yield from _read_jsonl(self.root / SUBMISSIONS_FILE)

    def known_fingerprints(self) -> set[str]:
        """Fingerprints of every submission stored or withdrawn."""
        known = {str(r.get("fingerprint")) for r in self.records()}
        known.update(str(r.get("fingerprint")) for r in _read_jsonl(self.root / WITHDRAWN_FILE))
        return known

    def append(self, records: list[dict[str, Any]]) -> None:
        """Add submission records (the file is created owner-readable only)."""
        if not records:
            return
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / SUBMISSIONS_FILE
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")

    def appender(self) -> RecordAppender:
        """A writer that adds records one at a time, each on disk before :meth:`RecordAppender.add` returns."""
        return RecordAppender(self.root / SUBMISSIONS_FILE)

    def names_of(self, author_ids: set[str]) -> dict[str, list[str]]:
        """The names recorded for each of these fans (by author id), each once, in the order imported."""
        names: dict[str, list[str]] = {}
        if not author_ids:
            return names
        for record in self.records():
            author, name = str(record.get("author_id", "")), str(record.get("name") or "")
            if author in author_ids and name and name not in names.setdefault(author, []):
                names[author].append(name)
        return names

    def ids_for_email(self, email: str) -> set[str]:
        """Author ids recorded for an email address (to find a fan who asks to be forgotten)."""
        wanted = _normal(email)
        return {str(r["author_id"]) for r in self.records() if _normal(str(r.get("email", ""))) == wanted}

    def forget(self, author_ids: set[str] | Callable[[dict[str, Any]], bool], withdrawn_on: str) -> int:
        """Erase the personal data of these fans (or of the records ``author_ids`` says yes to),
        keeping only tombstones. Returns records erased."""
        wanted = author_ids if callable(author_ids) else (lambda record, ids=author_ids: record.get("author_id") in ids)
        self._forget_edits(wanted)
        path = self.root / SUBMISSIONS_FILE
        if not path.exists():
            return 0
        kept: list[str] = []
        tombstones: list[dict[str, Any]] = []
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            record = _record(path, number, line)
            if wanted(record):
                tomb = {"fingerprint": record.get("fingerprint"), "author_id": record.get("author_id"),
                        "withdrawn": withdrawn_on}
                if record.get("submission_id"):
                    # A fan who edits their answer after withdrawing is still kept out.
                    tomb["submission"] = self.submission_key(str(record["submission_id"]), str(record.get("form", "")))
                tombstones.append(tomb)
            else:
                kept.append(line)
        if tombstones:
            temporary = path.with_suffix(".tmp")
            temporary.write_text("".join(k + "\n" for k in kept), "utf-8")
            os.chmod(temporary, 0o600)
            os.replace(temporary, path)
            fd = os.open(self.root / WITHDRAWN_FILE, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as handle:
                for tomb in tombstones:
                    handle.write(json.dumps(tomb, sort_keys=True) + "\n")
        return len(tombstones)


    def _forget_edits(self, wanted: Callable[[dict[str, Any]], bool]) -> None:
        """Remove the records of reported edits (:meth:`reported_edits`) of the fans forgotten."""
        path = self.root / EDITS_FILE
        if not path.exists():
            return
        lines = path.read_text("utf-8").splitlines()
        kept = [line for number, line in enumerate(lines, start=1)
                if line.strip() and not wanted(_record(path, number, line))]
        if len(kept) == len([line for line in lines if line.strip()]):
            return
        temporary = path.with_suffix(".tmp")
        temporary.write_text("".join(k + "\n" for k in kept), "utf-8")
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)


class RecordAppender:
    """Appends submission records one by one to ``submissions.jsonl`` (owner-readable only).

    Each record is written and flushed before :meth:`add` returns, so that a memory
    written just before it never outlives a crash without its private record: without
    that record, ``withdraw`` by email would not find the memory and importing again
    would make a duplicate. The file is opened on the first record only.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: Any = None

    def add(self, record: dict[str, Any]) -> None:
        """Write one record and flush it to the operating system."""
        if self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            self._handle = os.fdopen(fd, "a", encoding="utf-8")
        self._handle.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
        self._handle.flush()

    def close(self) -> None:
        """Close the file (if a record was written)."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def __enter__(self) -> RecordAppender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    if not path.exists():
        return
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield _record(path, number, line)


def _record(path: Path, number: int, line: str) -> dict[str, Any]:
    """One line of the store as a record; a damaged line stops everything, since a
    withdrawal that skipped it could leave a fan's data behind."""
    try:
        value = json.loads(line)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise StorysiteError(f"{path}:{number}: is not a submission record (a write cut short by a full disk "
                             "or a crash?); repair or remove that line, then run the command again")
    return value


def store_warnings(site_dir: Path, store_dir: str, config_line: int = 1) -> list[Diagnostic]:
    """Warnings when the private store sits in the content tree or is not ignored by git.

    ``config_line`` is the line of ``privacy.private_store`` in storysite.yaml."""
    found: list[Diagnostic] = []
    first = store_dir.split("/")[0]
    if first in ("content", "static", "themes"):
        found.append(warning("storysite.yaml", config_line, f"privacy.private_store '{store_dir}' is inside {first}/, "
                             "which is published or versioned; keep it outside"))
    root = site_dir / store_dir
    if not root.exists():
        return found
    try:
        # The path is given relative to the folder git runs in (site_dir may itself be relative).
        result = subprocess.run(["git", "check-ignore", "-q", f"{store_dir}/{KEY_FILE}"], cwd=site_dir,
                                capture_output=True, check=False, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return found
    # 1 = not ignored; 128 = not a git repository (nothing to warn about).
    if result.returncode == 1:
        found.append(warning(store_dir, 1, "the private store is not ignored by git; add "
                             f"'/{store_dir}/' to .gitignore"))
    return found
