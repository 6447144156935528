"""Curation: decide what may be published and keep only that.

This is the privacy boundary. :func:`publish` applies the publication rule
and the author-display policy and returns a :class:`PublicSite` whose types
have no field for an email, a full name beyond the policy, a consent
reference, the fan's original words or editors' notes. Every later stage sees
only a ``PublicSite``, so nothing private can reach a page by accident.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from storysite import routing
from storysite.config import SiteConfig
from storysite.dates import PartialDate, doubtful_date
from storysite.diagnostics import Diagnostic, notice, warning
from storysite.model import (
    Alias,
    Campaign,
    Consent,
    Content,
    Gallery,
    LabelDesign,
    MediaRef,
    Memory,
    Milestone,
    Origin,
    Page,
    field_line,
)
from storysite.names import display_name, folded_words, hidden_name_words
from storysite.personaldata import personal_data_in

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_COMPOUND_PARTS = re.compile(r"['’-]")


@dataclass(frozen=True)
class PublicLabel:
    design: str
    text: str
    origin: Origin
    design_line: int = 0


@dataclass(frozen=True)
class PublicMemory:
    """What may be shown of a published memory, and nothing more."""

    origin: Origin
    slug: str
    title: str
    body: str
    body_line: int
    date: PartialDate | None
    date_display: str
    description: str
    author_display: str
    location: str
    tags: tuple[str, ...]
    featured: bool
    media: tuple[MediaRef, ...]
    label: PublicLabel | None
    shareable: bool
    published: dt.date | None
    """When it went public, for ordering the feed: the ``published:`` date, else the consent's."""
    publication_date: dt.date | None = None
    """The ``published:`` date the editors wrote, and only it: what a page may state as its
    publication time (the day consent was granted is the fan's own business, never shown)."""
    body_key: str = ""
    """The rendered text's cache key, when ``body`` was let go (see :class:`storysite.model.Memory`)."""
    excerpt: str = ""
    """The rendered text's excerpt, when known without it (see :class:`storysite.model.Memory`)."""
    field_lines: tuple[int, ...] = ()
    """Lines of the fields a share card draws (see :class:`storysite.model.Memory`)."""
    language: str = ""
    """The language the fan wrote in, when given (see :class:`storysite.model.Memory`)."""
    aliases: tuple[Alias, ...] = ()
    """Earlier URLs of its page, each given a redirect page (see :mod:`storysite.aliases`)."""


@dataclass(frozen=True)
class PublicSite:
    """Everything that may be published, sorted for stable output."""

    config: SiteConfig
    build_date: dt.date
    memories: tuple[PublicMemory, ...]
    pages: tuple[Page, ...]
    campaigns: tuple[Campaign, ...]
    milestones: tuple[Milestone, ...] = ()
    """The brand's milestones: editorial, nothing private, so they pass as they are."""
    galleries: tuple[Gallery, ...] = ()
    """Photo galleries (editorial) that are not drafts, newest first."""
    labels: tuple[LabelDesign, ...] = ()
    """Personalised-label designs (editorial), by slug."""
    file_urls: Mapping[str, str] = field(default_factory=dict, hash=False)
    """The URL of the item each content file holds (files of one item), for editors' links to
    files: a published item's page, or, for a memory not published, the URL its links are
    removed by (see :func:`storysite.links.unpublished_memory_links`)."""
    memory_aliases: Mapping[str, str] = field(default_factory=dict, hash=False)
    """The slug of the memory each alias URL (in lower case) is of, published or not: an editor's
    link to it is a link to that memory, removed with it (as its URL is, by the same function)."""

    @functools.cached_property
    def memory_slugs(self) -> frozenset[str]:
        """The slugs of the published memories."""
        return frozenset(memory.slug for memory in self.memories)


@dataclass(frozen=True)
class Withheld:
    """A memory left out, and why (for the curation summary; never rendered)."""

    origin: Origin
    slug: str
    status: str
    reason: str


@dataclass(frozen=True)
class Curation:
    """How curation stands: counts per status and the memories withheld."""

    by_status: dict[str, int] = field(default_factory=dict)
    withheld: tuple[Withheld, ...] = ()
    published: int = 0
    without_consent: int = 0

    def withheld_slugs(self) -> frozenset[str]:
        return frozenset(w.slug for w in self.withheld)


def standing_problem(status: str, withdrawn: dt.date | None, consent: Consent | None) -> str | None:
    """Why a memory may not be published whatever the day (its status, a withdrawal, no
    consent), or ``None``: the part of :func:`publication_problem` its file alone decides."""
    if status != "approved":
        return f"status is {status}"
    if withdrawn is not None:
        # The date ``storysite withdraw`` writes outlives a status reverted by a merge.
        return f"approved, but withdrawn on {withdrawn.isoformat()}"
    if consent is None or consent.granted is None:
        return "approved, but consent.granted is missing or not a date"
    return None


def unpublished_notice(problem: Diagnostic) -> Diagnostic:
    """An error of an unpublished memory's media, as a note: nothing of it is published."""
    return notice(problem.path, problem.line, f"{problem.message} (this memory is not published)")


def media_problems(content: Content, today: dt.date) -> list[Diagnostic]:
    """The media errors validation left to curation (see ``Memory.media_problems``): errors
    for a published memory, notes for one that is not (on ``today``)."""
    found: list[Diagnostic] = []
    for memory in content.memories:
        if memory.media_problems:
            published = publication_problem(memory, today) is None
            found.extend(memory.media_problems if published else map(unpublished_notice, memory.media_problems))
    return found


def publication_problem(memory: Memory, today: dt.date) -> str | None:
    """Why ``memory`` may not be published on ``today``, or ``None`` if it may."""
    standing = standing_problem(memory.status, memory.withdrawn, memory.consent)
    if standing is not None:
        return standing
    consent = memory.consent
    assert consent is not None and consent.granted is not None
    if consent.expires is not None and consent.expires <= today:
        return f"approved, but consent expired on {consent.expires.isoformat()}"
    if "site" not in consent.scope:
        return "approved, but consent.scope does not include site"
    if consent.granted > today:
        return f"approved, but consent is only granted from {consent.granted.isoformat()}"
    if memory.published is not None and memory.published > today:
        # As in Hugo: a publication date still to come is a schedule, kept to by CI's daily build.
        return f"approved, but scheduled for publication on {memory.published.isoformat()}"
    return None


def author_display(memory: Memory, policy: str) -> str:
    """The name shown for a memory's author under ``privacy.author_display``.

    An explicit ``author.display`` wins, except under ``anonymous``; else it is derived from
    ``author.name`` (:func:`storysite.names.display_name`: never a surname beyond its initial
    under ``first_initial`` and ``first``). An empty result means the author is shown as
    anonymous.
    """
    if policy == "anonymous":
        return ""
    if memory.author.display:
        return memory.author.display
    return display_name(memory.author.name, policy)


def name_leaks(content: Content, site: PublicSite) -> list[Diagnostic]:
    """A warning for each published field that shows a part of the author's name which
    ``privacy.author_display`` keeps private (the family name under ``first_initial``, any of
    ``author.name`` and ``author.display`` under ``anonymous``): the title, description and place
    (where they write it as a name, capitalised past their first word), the slug, aliases and tags
    (in URLs), a label's text (drawn as typed on the label picture and share card) and photos'
    credits, alt texts and captions."""
    policy = site.config.privacy.author_display
    published = {memory.slug: memory for memory in site.memories}
    found = []
    anonymous = policy == "anonymous"
    for memory in content.memories:
        # Only author.name has parts a policy hides, but under anonymous, where the display is hidden too.
        if not memory.author.name and not (anonymous and memory.author.display):
            continue
        public = published.get(memory.slug)
        if public is None:
            continue
        # Under anonymous, author.display is hidden too: its capitalised words ("Rom the fan" names Rom).
        shown_display = " ".join(word for word in memory.author.display.split() if word[:1].isupper())
        written = f"{memory.author.name} {shown_display if policy == 'anonymous' else ''}"
        hidden = hidden_name_words(written, public.author_display)
        if not hidden:
            continue
        whose = "author.name" if memory.author.name else "author.display"
        # A title shows a name as names are written: capitalised, past its first word.
        if shown := _shown_capitalised(public.title, hidden):
            found.append(warning(memory.origin.path, field_line(memory.field_lines, "title") or memory.origin.line,
                                 f"title shows {_parts(shown)} of {whose} that privacy.author_display ({policy}) "
                                 "does not publish (on every page, card and share card that names the memory): "
                                 "write it as the policy shows the name"))
        # A slug is in the memory's URL, and the slug of a file is its name: "lefevre-romain.md".
        slug_words = set(folded_words(public.slug.replace("-", " ")))
        if shown := sorted({written for word, written in hidden.items() if len(word) >= 3 and word in slug_words}):
            found.append(warning(memory.origin.path, memory.origin.line,
                                 f"the slug '{public.slug}' shows {_parts(shown)} of {whose} that "
                                 f"privacy.author_display ({policy}) does not publish, in the memory's URL "
                                 f"({routing.memory_url(public.slug)}): rename the file, or give it a slug: "
                                 "that does not name the fan"))
        # An alias is the old URL of a page renamed, often for that very reason: its redirect
        # page would keep the name online at it.
        for alias in public.aliases:
            alias_words = set(folded_words(re.sub(r"[-_./]", " ", alias.url)))
            if shown := sorted({written for word, written in hidden.items() if len(word) >= 3 and word in alias_words}):
                found.append(warning(memory.origin.path, alias.line,
                                     f"the alias '{alias.url}' shows {_parts(shown)} of {whose} that "
                                     f"privacy.author_display ({policy}) does not publish, in the URL of its "
                                     "redirect page: remove the alias"))
        # What every card, share card, feed entry and search result shows beside the title: the
        # description (written as prose, as the title), the place and the tags (in their URLs too).
        for field_name, shown, line in (
                ("description", _shown_capitalised(public.description, hidden),
                 field_line(memory.field_lines, "description")),
                ("author.location", _shown_capitalised(public.location, hidden),
                 field_line(memory.field_lines, "author.location")),
                ("tags", sorted({part for tag in public.tags for part in _shown_words(tag, hidden)}),
                 field_line(memory.field_lines, "tags"))):
            if shown:
                found.append(warning(memory.origin.path, line or memory.origin.line,
                                     f"{field_name} shows {_parts(shown)} of {whose} that privacy.author_display "
                                     f"({policy}) does not publish: write it as the policy shows the name"))
        if public.label is not None and (shown := _shown_words(public.label.text, hidden)):
            found.append(warning(memory.origin.path, public.label.origin.line or memory.origin.line,
                                 f"label.text shows {_parts(shown)} of {whose} that privacy.author_display ({policy}) "
                                 "does not publish; the label picture and share card show the text as typed: change "
                                 "the text, or leave 'share' out of consent.scope"))
        for media in public.media:
            for field_name in ("credit", "alt", "caption"):
                if shown := _shown_words(getattr(media, field_name), hidden):
                    found.append(warning(memory.origin.path, media.origin.line or memory.origin.line,
                                         f"media.{field_name} shows {_parts(shown)} of {whose} that "
                                         f"privacy.author_display ({policy}) does not publish: write it as the "
                                         "policy shows the name"))
    return found


_HIDING_POLICIES = ("first_initial", "first")
_POLICY_WORDS = {"first_initial": "the first name and the family name's initial", "first": "the first name alone"}
"""The policies that never show a surname beyond its initial."""


def display_candidates(content: Content, site: PublicSite) -> set[str]:
    """The author ids whose fans' names :func:`display_leaks` needs from the private store: those
    of published memories without ``author.name`` whose ``author.display`` may name more than the
    policy shows: a word of it is no initial ("Lefèvre" alone, a surname, as much as "Romain
    Lefèvre"; not "R. L.")."""
    if site.config.privacy.author_display not in _HIDING_POLICIES:
        return set()
    published = {memory.slug for memory in site.memories}
    return {memory.author.id for memory in content.memories
            if memory.author.id and not memory.author.name and memory.slug in published
            and any(len(word.rstrip(".")) > 1 for word in memory.author.display.split())}


def display_leaks(content: Content, site: PublicSite, stored_names: Mapping[str, Sequence[str]]
                  ) -> list[Diagnostic]:
    """A warning at the ``author.display`` of each published memory whose display shows a part of
    the fan's name that ``privacy.author_display`` keeps private (their family name, under
    ``first_initial`` and ``first``): an explicit display is shown as written, so that "Romain
    Lefèvre" typed there publishes the surname the policy hides everywhere else. The fan's name
    is ``author.name``, else their names in the private store (``stored_names``, by author id:
    SPEC keeps names there, out of git)."""
    policy = site.config.privacy.author_display
    if policy not in _HIDING_POLICIES:
        return []
    published = {memory.slug for memory in site.memories}
    found = []
    for memory in content.memories:
        display = memory.author.display
        if not display or memory.slug not in published:
            continue
        names = [(memory.author.name, "author.name")] if memory.author.name else \
            [(name, "in the private store") for name in stored_names.get(memory.author.id, ())]
        for name, where in names:
            shows = display_name(name, policy)
            if shown := _shown_words(display, hidden_name_words(name, shows)):
                # (A name from the private store is not quoted: build logs are read by more people.)
                suggestion = (shows or "or leave it out") if where == "author.name" else _POLICY_WORDS[policy]
                found.append(warning(memory.origin.path,
                                     field_line(memory.field_lines, "author.display") or memory.origin.line,
                                     f"author.display shows {_parts(shown)} of the fan's name ({where}) that "
                                     f"privacy.author_display ({policy}) does not publish, on every page, card and "
                                     f"feed that names the memory (a display is shown as written): write it as "
                                     f"the policy shows the name ({suggestion}), unless the fan asked to be named so"))
                break
    return found


def contact_details(content: Content, site: PublicSite) -> list[Diagnostic]:
    """A warning for each published field of a published memory that seems to hold an email
    address or a phone number: its text, title, names, places, tags (found when the file was
    validated, see ``Memory.contact_text``), its label's text (drawn on the label picture and
    the share card) and its media's credits, alt texts, captions and video titles. (``check`` looks at every
    memory, published or not.)"""
    published = {memory.slug: memory for memory in site.memories}
    found = []
    for written in content.memories:
        memory = published.get(written.slug)
        if memory is None:
            continue
        fields = list(written.contact_text)
        texts = [("label.text", memory.label.text, memory.label.origin.line)] if memory.label else []
        texts += [(f"media.{name}", getattr(media, name), media.origin.line)
                  for media in memory.media for name in ("credit", "alt", "caption", "title")]
        fields += [(name, line, kind) for name, text, line in texts if text and (kind := personal_data_in(text))]
        for name, line, kind in fields:
            found.append(warning(memory.origin.path, line or memory.origin.line,
                                 f"{name} seems to contain {kind}, which would be published; take it out"))
    return found


def _shown_words(text: str, hidden: Mapping[str, str]) -> list[str]:
    """The hidden name words (as written) that ``text`` shows, folded; a long one also within a word."""
    words = folded_words(text)
    squeezed = "".join(words)
    return sorted({written for word, written in hidden.items() if word in words or (len(word) >= 5 and word in squeezed)})


def _shown_capitalised(text: str, hidden: Mapping[str, str]) -> list[str]:
    """The hidden name words (as written) that ``text`` shows as a name: a capitalised word
    that is not the text's first ("Les Lefèvre à la plage", not "Petit déjeuner"), nor the first
    part of a compound first word ("Romain-Lefèvre's jar" shows Lefèvre)."""
    words = _WORD.findall(text)
    later = [*_COMPOUND_PARTS.split(words[0])[1:], *words[1:]] if words else []
    named = {token for word in later if word[:1].isupper() for token in folded_words(word)}
    return sorted({written for word, written in hidden.items() if word in named})


def _parts(shown: list[str]) -> str:
    return f"{'a part' if len(shown) == 1 else 'parts'} ({', '.join(shown)})"


def doubtful_dates(content: Content, today: dt.date) -> list[Diagnostic]:
    """A warning at the ``date:`` of each item dated where it cannot be (see :func:`storysite.dates.doubtful_date`): a memory after
    the build date or before a fan's life, a milestone, campaign or gallery before the year
    1000 or decades ahead. Most such dates are typos (2099 for 1999, 0850 for 1850) that open
    a decade of their own on the timeline. An unpublished memory's is a note."""
    found: list[Diagnostic] = []
    dated: list[tuple[Origin, PartialDate | None, Memory | None]] = [(m.origin, m.date, m) for m in content.memories]
    dated += [(m.origin, m.date, None) for m in content.milestones]
    dated += [(c.origin, c.date, None) for c in content.campaigns]
    dated += [(g.origin, g.date, None) for g in content.galleries]
    for origin, date, memory in dated:
        reason = doubtful_date(date, today, lived=memory is not None) if date is not None else None
        if reason is None:
            continue
        problem = warning(origin.path, origin.date_line or origin.line, f"date: {reason}")
        # (Whether it is published is asked of the few doubtful ones only: 10,000 memories cost 0.05 s.)
        unpublished = memory is not None and publication_problem(memory, today) is not None
        found.append(unpublished_notice(problem) if unpublished else problem)
    return found


def limit_tags(content: Content, max_tags: int, today: dt.date) -> tuple[Content, list[Diagnostic]]:
    """``content`` with each memory's tags cut to its first ``max_tags`` (``limits.max_tags``),
    and a warning at the ``tags:`` line of each memory that had more (a note for one not
    published). Each tag makes a page and a feed: a memory given thousands (a pasted word
    list, a hostile submission) would make the build write thousands of pages."""
    if all(len(memory.tags) <= max_tags for memory in content.memories):
        return content, []
    found: list[Diagnostic] = []
    memories: list[Memory] = []
    for memory in content.memories:
        if len(memory.tags) <= max_tags:
            memories.append(memory)
            continue
        problem = warning(memory.origin.path, field_line(memory.field_lines, "tags") or memory.origin.line,
                          f"tags: {len(memory.tags):,} tags, more than limits.max_tags ({max_tags}) in storysite.yaml; "
                          f"only the first {max_tags} are used (each tag makes a page and a feed)")
        found.append(unpublished_notice(problem) if publication_problem(memory, today) is not None else problem)
        memories.append(replace(memory, tags=memory.tags[:max_tags]))
    return replace(content, memories=tuple(memories)), found


EARLIEST_CONSENT_YEAR = 1990
"""The earliest year a consent may be granted without a warning: no consent to publish a memory on
a web site was collected before there was a web. An earlier day is far likelier an export's empty
date read as a placeholder (1900-01-01, 1970-01-01) or a slip in the year, and the consent
evidence is then to be checked before the memory is published on its strength."""


def doubtful_consents(content: Content, today: dt.date) -> list[Diagnostic]:
    """At each ``consent.granted:`` that cannot be right: a note when it is after ``today`` (the
    build date: such a consent does not count until that day, see :func:`publication_problem`);
    a warning when it is before :data:`EARLIEST_CONSENT_YEAR` (a note for a memory that is not
    published)."""
    found: list[Diagnostic] = []
    for memory in content.memories:
        consent = memory.consent
        if consent is None or consent.granted is None:
            continue
        path, line, granted = memory.origin.path, consent.granted_line or memory.origin.line, consent.granted
        if granted > today:
            # A note: the memory is not published, and --strict must never hold a build (and with it
            # another fan's withdrawal) back for it.
            found.append(notice(path, line, f"consent.granted: {granted.isoformat()} is after the build date "
                                f"({today.isoformat()}), so it does not count as consent before that day: a consent is "
                                "given on a day that has come; check the year (to publish a memory on a later day, "
                                "give it published:)"))
        elif granted.year < EARLIEST_CONSENT_YEAR:
            problem = warning(path, line, f"consent.granted: {granted.isoformat()} is before {EARLIEST_CONSENT_YEAR}, "
                              "when no consent to publish on the web was collected: check it against the consent "
                              "record (an empty date read as 1900-01-01 or 1970-01-01? a slip in the year?)")
            found.append(problem if publication_problem(memory, today) is None else unpublished_notice(problem))
    return found


def publish(content: Content, config: SiteConfig, today: dt.date) -> tuple[PublicSite, Curation]:
    """Apply the publication rule and the privacy policy (pure)."""
    public: list[PublicMemory] = []
    withheld: list[Withheld] = []
    statuses: Counter[str] = Counter()
    without_consent = 0
    for memory in content.memories:
        statuses[memory.status] += 1
        if memory.consent is None or memory.consent.granted is None:
            without_consent += 1
        problem = publication_problem(memory, today)
        if problem is not None:
            withheld.append(Withheld(memory.origin, memory.slug, memory.status, problem))
            continue
        assert memory.consent is not None
        shareable = "share" in memory.consent.scope
        label = None
        if memory.label is not None and shareable:
            label = PublicLabel(memory.label.design, memory.label.text, memory.label.origin,
                                 memory.label.design_line)
        public.append(
            PublicMemory(
                origin=memory.origin,
                slug=memory.slug,
                title=memory.title,
                body=memory.body,
                body_line=memory.body_line,
                date=memory.date,
                date_display=memory.date_display,
                description=memory.description,
                author_display=author_display(memory, config.privacy.author_display),
                location=memory.author.location,
                tags=memory.tags,
                featured=memory.featured,
                media=memory.media,
                label=label,
                shareable=shareable,
                # When it went public: `published:` if given, else the day the fan's consent
                # allowed it (a date of the content, so builds stay reproducible).
                published=memory.published or memory.consent.granted,
                publication_date=memory.published,
                body_key=memory.body_key,
                excerpt=memory.excerpt,
                field_lines=memory.field_lines,
                language=memory.language,
                aliases=memory.aliases,
            )
        )
    public.sort(key=memory_order)
    site = PublicSite(
        config=config,
        build_date=today,
        memories=tuple(public),
        pages=tuple(sorted((p for p in content.pages if not p.draft), key=lambda p: p.slug)),
        campaigns=tuple(
            sorted((c for c in content.campaigns if not c.draft), key=lambda c: (_neg_date(c.date), c.slug))
        ),
        milestones=tuple(sorted(content.milestones, key=lambda m: (m.date.start(), m.slug))),
        galleries=tuple(
            sorted((g for g in content.galleries if not g.draft), key=lambda g: (_neg_date(g.date), g.slug))
        ),
        labels=tuple(sorted(content.labels, key=lambda d: d.slug)),
        file_urls=_file_urls(content),
        memory_aliases={alias.url.lower(): memory.slug for memory in content.memories for alias in memory.aliases},
    )
    curation = Curation(
        by_status=dict(sorted(statuses.items())),
        withheld=tuple(sorted(withheld, key=lambda w: (w.origin.path, w.origin.line))),
        published=len(public),
        without_consent=without_consent,
    )
    return site, curation


def _file_urls(content: Content) -> dict[str, str]:
    """The URL of the item each content file of one item holds (drafts have none)."""
    claims: list[tuple[str, str]] = [(m.origin.path, routing.memory_url(m.slug)) for m in content.memories]
    claims += [(p.origin.path, routing.page_url(p.slug)) for p in content.pages if not p.draft]
    claims += [(c.origin.path, routing.campaign_url(c.slug)) for c in content.campaigns if not c.draft]
    claims += [(g.origin.path, routing.gallery_url(g.slug)) for g in content.galleries if not g.draft]
    claims += [(m.origin.path, routing.milestone_url(m.slug)) for m in content.milestones]
    claims += [(d.origin.path, routing.label_url(d.slug)) for d in content.labels]
    items = Counter(path for path, _ in claims)
    return dict(sorted((path, url) for path, url in claims if items[path] == 1))


def withheld_media(content: Content, site: PublicSite, site_dir: Path | None = None
                   ) -> Callable[[str | None], str | None] | None:
    """The owner of a media path: the file of the unpublished memory that lists it in its
    ``media`` or keeps it in its bundle folder (None for a path no unpublished memory owns);
    None when no unpublished memory has media at all.

    With ``site_dir``, a path is also its file: one that is the very file of such a photo
    (a symbolic or hard link to it, from a gallery's folder say) or lies, once its symbolic
    links are followed, in such a bundle's folder, belongs to that memory too."""
    published = {m.slug for m in site.memories}
    owners: dict[str, str] = {}
    folders: list[tuple[str, str]] = []
    for memory in content.memories:
        if memory.slug in published:
            continue
        for ref in memory.media:
            for path in (ref.src, ref.video, ref.poster):
                if path:
                    owners.setdefault(path, memory.origin.path)
        if memory.origin.path.rsplit("/", 1)[-1].startswith("index."):
            folders.append((memory.origin.path.rsplit("/", 1)[0] + "/", memory.origin.path))

    if not owners and not folders:
        return None

    files: dict[tuple[int, int], str] = {}
    real_folders: list[tuple[str, str]] = []
    if site_dir is not None:
        for path, memory_file in owners.items():
            if (identity := _identity(site_dir / path)) is not None:
                files.setdefault(identity, memory_file)
        for folder, memory_file in folders:
            real = os.path.realpath(site_dir / folder)
            real_folders.append((real.rstrip(os.sep) + os.sep, memory_file))
            for parent, _dirs, names in os.walk(real):
                for name in names:
                    if (identity := _identity(Path(parent, name))) is not None:
                        files.setdefault(identity, memory_file)

    def owner(path: str | None) -> str | None:
        if not path:
            return None
        found = owners.get(path) or next((file for folder, file in folders if path.startswith(folder)), None)
        if found is not None or site_dir is None:
            return found
        identity = _identity(site_dir / path)
        if identity is not None and identity in files:
            return files[identity]
        real = os.path.realpath(site_dir / path)
        return next((file for folder, file in real_folders if real.startswith(folder)), None)

    return owner


def _identity(path: Path) -> tuple[int, int] | None:
    """The file ``path`` leads to (device and inode, symbolic links followed), or None."""
    try:
        stat = os.stat(path)
    except (OSError, ValueError):
        return None
    return stat.st_dev, stat.st_ino


def withheld_notice(path: str, line: int, media: str, memory_file: str) -> Diagnostic:
    """The note for a photo or video left out because its memory is not published (a note:
    ``--strict`` must never hold a withdrawal back)."""
    return notice(path, line, f"'{media}' belongs to {memory_file}, which is not published; left out")


def drop_withheld_media(site: PublicSite, owner: Callable[[str | None], str | None] | None
                        ) -> tuple[PublicSite, list[Diagnostic]]:
    """``site`` without any photo or video that belongs to an unpublished memory (``owner``:
    see :func:`withheld_media`), each with a note naming both files.

    A withdrawn fan's photo must not stay online because a gallery, a milestone, a campaign
    or another memory points at the same file (editorial Markdown's images: see
    :func:`storysite.bodyimages.find_body_images`).
    """
    if owner is None:
        return site, []
    problems: list[Diagnostic] = []

    def keep(ref: MediaRef) -> bool:
        for path in (ref.src, ref.video, ref.poster):
            memory_file = owner(path)
            if memory_file is not None:
                problems.append(withheld_notice(ref.origin.path, ref.origin.line, path or "", memory_file))
                return False
        return True

    site = replace(
        site,
        memories=tuple(replace(m, media=tuple(r for r in m.media if keep(r))) for m in site.memories),
        galleries=tuple(replace(g, images=tuple(r for r in g.images if keep(r))) for g in site.galleries),
        milestones=tuple(replace(m, media=tuple(r for r in m.media if keep(r))) for m in site.milestones),
        campaigns=tuple(replace(c, hero=c.hero if c.hero is None or keep(c.hero) else None)
                        for c in site.campaigns),
    )
    return site, problems


def _neg_date(date: PartialDate | None) -> tuple[int, int, int]:
    if date is None:
        return (1, 0, 0)
    return (0, -date.year, -(date.month * 100 + date.day))


def memory_order(memory: PublicMemory) -> tuple[tuple[int, int, int], str]:
    """Newest first; undated memories last; ties by slug."""
    return _neg_date(memory.date), memory.slug
