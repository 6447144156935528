"""Spotting an email address or a phone number in text that would be published (and, in the
private fields kept in the content tree, a postal address too)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

_ADDRESS = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
# A search starts a match only where a run of the address's letters starts: tried at every letter
# of a long word without "@" (a fan's 100,000 'W'), the pattern would read the rest of the word each
# time (17 s for that title). Whether a text holds an address is the same; for the addresses
# themselves, see _without_emails.
EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])" + _ADDRESS)
_EMAIL_HERE = re.compile(_ADDRESS)
# French numbers ("06 12 34 56 78", "+33 6 12 34 56 78"), and any run of nine digits or more,
# spaced or punctuated ("+1 (555) 123-4567", "06-12-34-56-78" in a slug). Dates have fewer.
PHONE = re.compile(r"(?<![\w+])(?:\+\d{2,3}[\s.]?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\d)"
                   r"|(?<![\w+])\+?\(?\d(?:[\s().-]{0,2}\d){8,}(?!\w)")


# A run of years ("1976-1986-1996", "1986 1987 1988") has the digits of a phone number, not its groups.
_YEARS = re.compile(r"(?:19|20)\d\d(?:[\s.-]{1,2}(?:19|20)\d\d)+")
_DIGIT = re.compile(r"\d")


# An address written so that robots miss it, as fans and forms do: "marie [at] example [dot] fr",
# "marie(at)example.fr", "marie (arobase) example.fr", or with the full-width or small "@" of
# East Asian keyboards ("marie＠example.fr"). Read back as "@" and ".", it is the address it names.
_WRITTEN_AT = re.compile(r"[\[({<]\s{0,3}(?:at|arobase)\s{0,3}[\])}>]|[＠﹫]", re.IGNORECASE)
_WRITTEN_DOT = re.compile(r"[\[({<]\s{0,3}(?:dot|point)\s{0,3}[\])}>]", re.IGNORECASE)


def _spelt_out(text: str) -> str | None:
    """``text`` with its spelt-out "@" and "." read back, the spaces around them dropped (see
    :data:`_WRITTEN_AT`), or ``None`` when it spells none out."""
    if not _WRITTEN_AT.search(text):
        return None
    # Without a pattern that starts with spaces: tried at each of a long run of them, it would
    # read the rest of the run each time.
    words = " ".join(_WRITTEN_DOT.sub(" \x00 ", _WRITTEN_AT.sub(" \x01 ", text)).split())
    return words.replace(" \x01 ", "@").replace(" \x00 ", ".").replace("\x01", "@").replace("\x00", ".")


def may_hold_contact_details(text: str) -> bool:
    """False only when ``text`` can hold neither an email address (no ``@``, written or spelt
    out) nor a phone number (fewer than nine digits): a quick test that spares most texts the
    full search."""
    return "@" in text or _nine_digits(text) or _WRITTEN_AT.search(text) is not None


def _nine_digits(text: str) -> bool:
    return any(count >= 9 for count, _ in enumerate(_DIGIT.finditer(text), start=1))


@dataclass(frozen=True, slots=True)
class PublicContacts:
    """The contact details a site publishes on purpose, which its editors' pages may show: the
    email addresses on its own domain (``base_url``'s host, a domain it stands under, as
    ``maison-tartine.fr`` for ``souvenirs.maison-tartine.fr``, or one under it), and the
    addresses and phone numbers ``privacy.public_contacts`` lists."""

    host: str = ""
    addresses: frozenset[str] = frozenset()
    numbers: frozenset[str] = frozenset()
    """Each listed number's :func:`_number_key`."""

    @classmethod
    def of(cls, base_url: str, listed: Iterable[str]) -> PublicContacts:
        """The site's own contact details, from its ``base_url`` and ``privacy.public_contacts``."""
        listed = tuple(listed)
        return cls((urlsplit(base_url).hostname or "").lower(),
                   frozenset(entry.strip().lower() for entry in listed if "@" in entry),
                   frozenset(_number_key(entry) for entry in listed if "@" not in entry))

    def has_address(self, address: str) -> bool:
        address = address.lower()
        if address in self.addresses:
            return True
        domain = address.rpartition("@")[2]
        # A top-level domain alone ("fr") is no one's own: a dot is needed.
        return bool(self.host) and "." in domain and (
            domain == self.host or self.host.endswith("." + domain) or domain.endswith("." + self.host))

    def has_number(self, number: str) -> bool:
        return _number_key(number) in self.numbers


def _number_key(number: str) -> str:
    """A phone number's last nine digits: one number whether written with its country code or
    its trunk zero ("+33 4 72 00 00 00", "04 72 00 00 00"), its spaces or its dots."""
    return "".join(_DIGIT.findall(number))[-9:]


def personal_data_in(text: str, public: PublicContacts | None = None) -> str | None:
    """``"an email address"`` or ``"a phone number"`` when ``text`` seems to hold one, else ``None``;
    one of the ``public`` contact details does not count (an editor's page may show them)."""
    # Each pattern only where it could match: an address has an "@", a phone number nine digits.
    if (spelt := _spelt_out(text)) is not None and personal_data_in(spelt, public) == "an email address":
        return "an email address"
    if "@" in text and any(public is None or not public.has_address(text[start:end])
                           for start, end in _email_spans(text)):
        return "an email address"
    if _nine_digits(text) and any(not _YEARS.fullmatch(found.group(0))
                                  and (public is None or not public.has_number(found.group(0)))
                                  for found in PHONE.finditer(text)):
        return "a phone number"
    return None


def contact_kind(text: str) -> str | None:
    """``"an email address"`` or ``"a phone number"`` when the whole of ``text`` is one, else ``None``."""
    text = " ".join(text.split())
    if _EMAIL_HERE.fullmatch(text):
        return "an email address"
    if PHONE.fullmatch(text) and not _YEARS.fullmatch(text):
        return "a phone number"
    return None


def without_personal_data(text: str) -> str:
    """``text`` with every email address and phone number taken out (spaces tidied)."""
    return " ".join(PHONE.sub(" ", _without_emails(text)).split())


def _email_spans(text: str) -> Iterator[tuple[int, int]]:
    """Where each email address of ``text`` stands, the very addresses that substituting the bare
    pattern finds: one may also start right where another ends, within a run of its letters
    (``a@b.fr+c@d.fr``), which :data:`EMAIL`'s search never tries."""
    start = 0
    while (found := EMAIL.search(text, start)) is not None:
        yield found.span()
        start = found.end()
        while (following := _EMAIL_HERE.match(text, start)) is not None:
            yield following.span()
            start = following.end()


def _without_emails(text: str) -> str:
    """``text`` with a space for each email address (:func:`_email_spans`)."""
    parts: list[str] = []
    start = 0
    for begin, end in _email_spans(text):
        parts += [text[start:begin], " "]
        start = end
    parts.append(text[start:])
    return "".join(parts)


# A street address as fans write one ("12 rue des Lilas", "3 bis, avenue Foch", "221B Baker Street").
# Looked for only in the private fields an editor may keep in a memory (notes, original), where a
# false alarm costs a warning: a published text may well name a shop's street.
POSTAL_ADDRESS = re.compile(
    r"(?i:\b\d{1,3}\s?(?:bis|ter|[a-z])?,?\s+(?:rue|avenue|av\.|boulevard|bd|place|chemin|all[ée]e|impasse|quai|"
    r"route|cours|square|lieu-dit)\s)"
    r"|\b\d{1,5}[A-Za-z]?\s+(?:[A-Z][\w'-]*\s+){1,3}(?:Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Lane|Drive|Way)\b")


def private_data_in(text: str) -> str | None:
    """Like :func:`personal_data_in`, and ``"a postal address"`` too: for private fields."""
    found = personal_data_in(text)
    if found is None and POSTAL_ADDRESS.search(text):
        return "a postal address"
    return found
