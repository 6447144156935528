"""Curation reporting for ``storysite check``: counts and personal-data findings."""

from __future__ import annotations

import re
from pathlib import Path

from storysite.curate import Curation
from storysite.diagnostics import Diagnostic, warning
from storysite.model import Content

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_PHONE = re.compile(r"(?<![\w+])(?:\+\d{2,3}[\s.]?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\d)")


def curation_summary(curation: Curation) -> str:
    """A few lines: memories per status, published, without consent, withheld approvals."""
    total = sum(curation.by_status.values())
    statuses = ", ".join(f"{name} {count}" for name, count in curation.by_status.items()) or "none"
    lines = [
        f"Memories: {total} ({statuses})",
        f"Published: {curation.published}; without consent: {curation.without_consent}",
    ]
    held = [w for w in curation.withheld if w.status == "approved"]
    if held:
        lines.append("Approved but not published:")
        lines.extend(f"  {w.origin}: {w.reason}" for w in held)
    return "\n".join(lines)


def personal_data_warnings(content: Content, site_dir: Path) -> list[Diagnostic]:
    """Warnings for personal data kept in the content tree (it belongs in the private store)."""
    found: list[Diagnostic] = []
    for memory in content.memories:
        for name, line in memory.personal_fields:
            found.append(warning(memory.origin.path, line,
                                 f"{name} is personal data in the content tree; keep it in the private store"))
        for offset, text in enumerate(memory.body.split("\n")):
            if _EMAIL.search(text) or _PHONE.search(text):
                found.append(warning(memory.origin.path, memory.body_line + offset,
                                     "the text seems to contain an email address or phone number"))
    return found
