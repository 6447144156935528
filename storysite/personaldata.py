"""Spotting an email address or a phone number in text that would be published."""

from __future__ import annotations

import re

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# French numbers ("06 12 34 56 78", "+33 6 12 34 56 78"), and any run of nine digits or more,
# spaced or punctuated ("+1 (555) 123-4567", "06-12-34-56-78" in a slug). Dates have fewer.
PHONE = re.compile(r"(?<![\w+])(?:\+\d{2,3}[\s.]?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\d)"
                   r"|(?<![\w+])\+?\(?\d(?:[\s().-]{0,2}\d){8,}(?!\w)")


def personal_data_in(text: str) -> str | None:
    """``"an email address"`` or ``"a phone number"`` when ``text`` seems to hold one, else ``None``."""
    if EMAIL.search(text):
        return "an email address"
    if PHONE.search(text):
        return "a phone number"
    return None


def without_personal_data(text: str) -> str:
    """``text`` with every email address and phone number taken out (spaces tidied)."""
    return " ".join(PHONE.sub(" ", EMAIL.sub(" ", text)).split())
