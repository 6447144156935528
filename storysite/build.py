"""The build pipeline, top to bottom: load → validate → curate → render → write.

Every stage returns values and diagnostics; nothing is written unless the
whole build is free of errors, and then the new output is swapped in at once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import functools
import hashlib
import os
import pickle
import posixpath
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final, NamedTuple, TypeVar

from storysite import aliases, cache, heap, load, privacyguard, routing, takedown, thirdparty
from storysite.bodyimages import editorial_bodies, find_body_images, image_resolver
from storysite.config import CONFIG_NAME, SiteConfig, load_config
from storysite.curate import (
    Curation,
    PublicMemory,
    PublicSite,
    contact_details,
    display_candidates,
    display_leaks,
    doubtful_consents,
    doubtful_dates,
    drop_withheld_media,
    limit_tags,
    media_problems,
    name_leaks,
    publish,
    withheld_media,
)
from storysite.diagnostics import Diagnostic, Diagnostics, Severity, StorysiteError, error, notice
from storysite.galleries import draft_slugs, gallery_block, gallery_jobs
from storysite.images import (
    CACHE_DIR,
    ImageResults,
    cache_entry,
    default_jobs,
    image_dimensions,
    plan_images,
    prune_cache,
    run_images,
    settings_from_config,
)
from storysite.labels.pages import label_block, label_pages
from storysite.labels.stage import CACHE_DIR as LABEL_CACHE_DIR
from storysite.labels.stage import plan_labels
from storysite.links import (
    broken_links,
    pages_of_memories,
    unlink_fan_html,
    unpublished_memory_links,
)
from storysite.markdown import IMAGE_BLOCK, RenderedMarkdown, render_fan_markdown, summarize
from storysite.model import Content, LabelDesign, Memory, Origin, Page, field_line
from storysite.outputs import feed_jobs, not_found_job, robots_job, sitemap_job
from storysite.pagewriter import PageSettings, default_workers, write_pages
from storysite.parallel import fork_map
from storysite.photometa import jpeg_without_location, location_in
from storysite.pictures import build_site_media
from storysite.privatestore import SUBMISSIONS_FILE, PrivateStore
from storysite.render import OutputFile, PageJob, plan_pages, table_label
from storysite.search import (
    SEARCH_URL,
    SearchIndex,
    build_index,
    editorial_items,
    search_job,
    unused_search_assets,
)
from storysite.textstore import StoredTexts, TextStore
from storysite.theme import (
    Assets,
    CompiledTemplates,
    Translator,
    build_assets,
    bundled_themes_dir,
    format_date,
    load_theme,
    make_environment,
    palette,
    template_error,
)
from storysite.timeline import build_timeline, has_timeline
from storysite.timeline_pages import build_timeline_views, timeline_block, timeline_jobs
from storysite.validate import ValidatedItem, validate_content, validate_item, validates_alone
from storysite.video import (
    STILL_BRANDS,
    VideoFile,
    plan_videos,
    video_container,
)
from storysite.videocache import StrippedVideo, VideoCache
from storysite.views import EXCERPT_CHARS, IconView, Link, SiteView, build_memory_views
from storysite.write import (
    MARKER,
    BackgroundListing,
    Staging,
    clean_leftovers,
    foreign_files,
    marker_identity,
    prime_recycled,
    restore_set_aside,
    survey_recycled,
)

STATIC_DIR = "static"
EXCERPT_SOURCE = 1000
_PACKAGE_DIR = Path(__file__).resolve().parent
LOCALES = {"fr": "fr_FR", "en": "en_GB"}


def og_locale(language: str) -> str:
    """Open Graph's ``og:locale`` for a BCP 47 language tag: language_TERRITORY, as POSIX
    locales write it (``fr-ca`` and ``fr-CA`` are ``fr_CA``; ``zh-Hant-TW`` is ``zh_TW``)."""
    code, _, rest = language.partition("-")
    region = next((part for part in rest.split("-") if len(part) == 2 and part.isalpha()), "")
    return f"{code}_{region.upper()}" if region else LOCALES.get(code, code)


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What a build found and did."""

    diagnostics: Diagnostics
    output_dir: Path | None = None
    pages: int = 0
    files: int = 0
    seconds: float = 0.0
    written: bool = False
    curation: Curation | None = None
    content: Content | None = None
    """The content as validated, for ``check`` (``None`` for a build that writes: it is let go early)."""
    output_sizes: Mapping[str, int] = field(default_factory=dict)
    purge: tuple[str, ...] = ()
    """URLs removed or changed since the previous build, for a CDN purge."""
    up_to_date: bool = False
    """Nothing had changed since the last build: the output was left as it was."""
    pages_rendered: int = 0
    pages_reused: int = 0
    images_encoded: int = 0
    """Photos encoded by this build (the others came from the cache)."""
    images_reused: int = 0
    """Photos whose derivatives were reused from the cache, unchanged."""
    files_parsed: int = 0
    """Content files parsed by this build (the others came from the parse cache)."""
    files_reused: int = 0
    """Content files whose parse was reused from the cache, unchanged."""
    base_path: str | None = None
    """The path the site is served under (``/`` or ``/shop/``), when its configuration was read."""

    @property
    def ok(self) -> bool:
        return not self.diagnostics.has_errors


def build_date(environ: Mapping[str, str]) -> dt.date:
    """The day the publication rule is judged on: ``SOURCE_DATE_EPOCH`` when set (UTC)."""
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            seconds = int(epoch)
            if seconds < 0:  # the reproducible-builds spec: a non-negative integer
                raise ValueError(epoch)
            return dt.datetime.fromtimestamp(seconds, dt.UTC).date()
        except (ValueError, OverflowError, OSError):
            raise StorysiteError(f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds since 1970",
                                 exit_code=2) from None
    return dt.datetime.now(dt.UTC).date()


def build(
    site_dir: Path,
    *,
    today: dt.date | None = None,
    write: bool = True,
    strict: bool = False,
    output_dir: Path | None = None,
    workers: int | None = None,
    memo: cache.BuildMemo | None = None,
    base_url: str | None = None,
    output: Path | None = None,
) -> BuildResult:
    """Build the site in ``site_dir``; write the output only if there is no error.

    ``today`` decides consent expiry (default: :func:`build_date` of the
    environment). With ``write=False`` everything is checked and nothing is
    written (``storysite check``). With ``strict``, warnings also keep the
    new output from replacing the old. ``output_dir`` builds elsewhere than
    the configured output (a preview); the takedown record is then left alone,
    since it describes the deployed site. ``workers`` is how many processes
    encode photos (default: all cores). ``memo`` keeps the parsed content files and
    the page records between the builds of a long-lived process (the preview).
    ``base_url`` (checked already) stands for the configuration's (a staging deploy): the
    takedown record, which describes the site deployed at the configured address, is then
    left alone too. ``output`` (checked already: see :func:`output_folder_problem`) is the
    folder to write instead of the configured one (``storysite build --output``): the build is
    for the deployed site all the same.
    """
    # A build that writes keeps the texts on the site's own disk (the system's temporary
    # folder may be a tmpfs, that is memory); ``check`` makes nothing in the site.
    started = time.perf_counter()
    try:
        with (heap.long_lived_heap(), TextStore(site_dir.resolve() / cache.CACHE_DIR if write else None) as text_store,
              contextlib.ExitStack() as background):
            result = _build(site_dir, text_store, background, today=today, write=write, strict=strict,
                            output_dir=output_dir, workers=workers, memo=memo, base_url=base_url, output=output)
    except OSError as exc:
        # A folder the build cannot write (a read-only site, a full disk) before its output was
        # swapped in: the staging folder is gone, the previous output as it was.
        if exc.filename is None and exc.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EROFS):
            raise
        # (A full disk met while writing a file's bytes names no file: the site folder is named.)
        return BuildResult(Diagnostics([write_failure(site_dir, exc)]), seconds=time.perf_counter() - started)
    # A build that writes lets the content go early (and part of it without its texts): it is
    # never reported back half, whether the build succeeded or stopped on an error.
    return replace(result, content=None) if write else result


def _build(site_dir: Path, text_store: TextStore, background: contextlib.ExitStack, *, today: dt.date | None,
           write: bool, strict: bool, output_dir: Path | None, workers: int | None,
           memo: cache.BuildMemo | None = None, base_url: str | None = None, output: Path | None = None) -> BuildResult:
    """:func:`build`, with a store for the rendered fan texts and a stack for work done in the
    background (both closed by the caller)."""
    started = time.perf_counter()
    site_dir = site_dir.resolve()
    if today is None:
        today = build_date(os.environ)
    problems = Diagnostics()

    # 1. Config first: every later stage depends on it. A bad key takes its default, so that
    #    the content is still checked and every problem reported in one run.
    config, found = load_config(site_dir, lenient=True)
    problems.extend(found)
    config_read = not any(d.is_error for d in found)  # else its defaults stand in for what it says
    if config is None:
        return BuildResult(problems, seconds=time.perf_counter() - started)
    if base_url == config.base_url:
        base_url = None  # the configured address itself: a build for the deployed site
    if base_url is not None:
        # As if storysite.yaml said it (its line kept, so that no note asks for one).
        config = replace(config, base_url=base_url, key_lines={**config.key_lines,
                                                               "base_url": config.key_lines.get("base_url", 1)})
    preview = output_dir is not None
    if output_dir is None:
        output_dir = output.resolve() if output is not None else site_dir / config.output
    problems.extend(_check_output_dir(config, site_dir))
    if not config.absolute_base and config.base_url != "/" and "base_url" in config.key_lines:
        problems.warning(CONFIG_NAME, config.line_of("base_url"),
                         f"base_url: '{config.base_url}' has no domain, but the sitemap, the feed, robots.txt "
                         "and share links need full addresses; give it whole, such as https://example.org"
                         f"{config.base_url}")
    elif "base_url" not in config.key_lines and not preview and config_read:
        # A note, not a warning: a site of only a title is valid, even with --strict (as in Pelican,
        # which says so too).
        problems.add(Diagnostic(CONFIG_NAME, 1, Severity.NOTICE,
                                "no base_url: the sitemap, the feed and robots.txt hold addresses without a "
                                "domain, which search engines and feed readers do not accept; add the address "
                                "the site is published at, such as base_url: https://example.org/"))
    if output is None:  # (a folder named on the command line was checked there)
        problems.extend(_foreign_output(output_dir, site_dir, config, preview))
    # An old output a build could not remove still holds what it published (a withdrawn
    # memory's page among it): tried again, and while it stays, every build says so and exits 1,
    # after its new output is in place (a withdrawal must not wait for it). Only beside an
    # output this build may write.
    if write and not problems.has_errors:
        restore_set_aside(output_dir)  # (a build killed between setting it aside and replacing it)
    left_behind = ([_left_behind(site_dir, folder, problem) for folder, problem in clean_leftovers(output_dir)]
                   if write and not problems.has_errors else [])

    # 1b. Nothing changed since the last successful build, and its output is intact:
    #     nothing to do (its warnings are reported again, so none is ever hidden).
    # The configured output is not read even by a preview building elsewhere (its thousands of
    # folders would be walked on every save).
    state = cache.load_state(site_dir, output_dir) if write and not problems.has_errors else None
    content_stats: dict[str, os.stat_result] = {}
    fingerprint, recent = cache.input_fingerprint(
        site_dir, [output_dir, site_dir / config.output, site_dir / config.privacy.private_store],
        [bundled_themes_dir(), _PACKAGE_DIR],
        f"{today.isoformat()}\x00{strict}\x00{base_url or ''}",
        leftovers_in=[output_dir.parent, (site_dir / config.output).parent], stats=content_stats,
        # The private store's folder is not walked, but its fans' names are read for the
        # author.display warnings (_stored_names): an import or a repair of it builds anew.
        also=[*(state.named_inputs if state is not None else ()),
              (Path(config.privacy.private_store) / SUBMISSIONS_FILE).as_posix()])
    # Files too recent for their stat data to show a later edit are compared by their bytes.
    # The output is the very folder that build committed (not one restored from elsewhere).
    if (state is not None and state.fingerprint == fingerprint and state.output_marker is not None
            and cache.file_hashes(state.unsettled) == state.unsettled
            and marker_identity(output_dir) == state.output_marker and cache.output_intact(output_dir, state.files, state.finished_ns)):
        if now_settled := set(state.unsettled).difference(recent):
            cache.mark_settled(site_dir, output_dir, fingerprint, now_settled)  # stat data will tell from now on
        replayed = Diagnostics(_replay(state.diagnostics))
        replayed.extend(problems)
        replayed.extend(left_behind)
        return BuildResult(replayed, output_dir, pages=int(state.summary.get("pages", 0)), files=len(state.files),
                           seconds=time.perf_counter() - started, written=True, up_to_date=True,
                           output_sizes=state.files, images_reused=int(state.summary.get("images", 0)),
                           base_path=config.base_path)

    # Hashed before they are read: an edit made meanwhile makes the next build compare unequal.
    unsettled = cache.file_hashes(recent)
    processes = workers or default_workers()
    recycle = preview_recycle_dir(output_dir) if preview else cache.recycle_dir(site_dir, output_dir)
    stage = functools.partial(Staging, output_dir, recycle, previous_files=state.files if state is not None else None,
                              previous_marker=state.output_marker if state is not None else None,
                              recycled_listing=memo.recycled if memo is not None else None)
    staging: Staging | None = None
    listing: BackgroundListing | None = None
    if write and memo is None and processes > 1 and not problems.has_errors and recycle.is_dir():
        # The output before last is taken as the staging folder now (a build that stops before
        # writing gives it back): another process lists what it holds while this one loads and
        # plans. (A preview's was listed once its pages were served, see settle_preview: it is
        # taken when the pages are written, so that a save with an error keeps that listing good.)
        staging = background.enter_context(stage())
        if staging.recycled:
            listing = background.enter_context(BackgroundListing(staging.root))

    # 2. Load and validate every content file; all problems are collected.
    known = memo.digests if memo is not None and memo.digests is not None else cache.load_digests(site_dir)
    areas = privacyguard.SiteAreas(site_dir, config.privacy.private_store, config.output)
    # (The stat data the fingerprint was taken from: a file edited since is this build's next.)
    sources, found = load.discover(site_dir, config.limits.max_file_bytes, keep_data=False, known=known, areas=areas,
                                   stats=content_stats)
    del content_stats
    problems.extend(found)
    # Parsing is a pure function of a file's path and bytes: cached by their hash (known
    # from the last build when the file's stat data is unchanged), and what is not in the
    # cache is read and parsed over every core.
    # (A preview holds the values of unchanged files already: the shards holding them are not read.)
    parsed_cache = cache.ValueCache(site_dir, "parsed", memo.parsed_shards if memo is not None else None)
    if parsed_cache.stored:
        # Files changed (or just touched) since they were last read: hashed here, so that
        # one whose bytes are in the cache is not parsed again. A first build skips this:
        # every file is read and hashed once, by the worker that parses it.
        # (One that cannot be read has no hash: its worker reports why.)
        sources = [replace(s, digest=cache.file_hash(site_dir / s.path)) if not s.digest else s for s in sources]
    keys = [cache.ValueCache.key(s.path, s.kind, str(s.bundle), s.digest) if s.digest else "" for s in sources]
    missing = [index for index, key in enumerate(keys)
               if not key or not (parsed_cache.keep(key) if memo is not None and key in memo.parsed
                                  else parsed_cache.claim(key))]
    parse = functools.partial(_parse_pickled, site_dir, config.limits.max_file_bytes)
    files_parsed, files_reused = len(missing), len(sources) - len(missing)
    settled = time.time_ns() - cache.COARSE_SETTLING_NS  # see _parse_pickled: recent changes are not recorded
    # (By the later of its modification and change times: a copy that kept an old modification
    # time, cp -p or tar x, is as recent as its change time.)
    digests: load.DigestIndex = {s.path: (s.stat, s.digest) for s in sources
                                 if s.digest and max(s.stat[1], s.stat[2]) < settled}
    unreadable: list[tuple[int, bytes]] = []
    for index, (digest, stat, raw) in zip(missing, fork_map(parse, [sources[i] for i in missing], processes),
                                          strict=True):
        source = sources[index]
        if not digest:  # unreadable: its error is the value, used now and not kept
            unreadable.append((index, raw))
            continue
        keys[index] = cache.ValueCache.key(source.path, source.kind, str(source.bundle), digest)
        digests[source.path] = (stat, digest)
        parsed_cache.put_raw(keys[index], raw)
    if write:  # ``check`` writes nothing, not even its cache
        if memo is not None:  # saved once the pages are served (settle_preview), read from memory
            memo.digests, memo.digests_saved = digests, False
        else:
            cache.save_digests(site_dir, digests)
        # Saved before validation: each parsed file can then be let go as soon as it is validated.
        parsed_cache.save()
        if memo is not None:
            memo.parsed_shards = parsed_cache.records()
    del digests
    for index, raw in unreadable:
        keys[index] = f"unreadable-{index}"
        parsed_cache.put_raw(keys[index], raw)
    # Fans' texts come rendered with their parse (a memory validated here, with media, is
    # rendered below); when writing, only the rendered texts are kept.
    if memo is not None:
        memo.parsed.begin()
    remade: list[str] = []

    def remake(source: load.SourceFile) -> Any:
        remade.append(source.path)
        return pickle.loads(parse(source)[2])

    content, found = validate_content(
        _raw_items(sources, keys, parsed_cache, problems, text_store, write, remake,
                   memo.parsed if memo else None), site_dir)
    files_parsed, files_reused = files_parsed + len(remade), files_reused - len(remade)
    if memo is not None:
        memo.parsed.settle()
    del sources, parsed_cache, keys
    problems.extend(found)
    content, found = limit_tags(content, config.limits.max_tags, today)
    problems.extend(found)

    # 3. URLs are claimed by every item, published or not, so that approving a
    #    memory later can never collide with a page that already exists.
    claims = list(_claims(content))
    alias_claims = list(aliases.claims(content))
    problems.extend(routing.find_collisions([*claims, *alias_claims]))
    problems.extend(routing.unportable_urls(claims))
    problems.extend(routing.unportable_urls(alias_claims, "remove the alias if the site is worked on there"))
    # (Reported here, and not again where the redirect pages meet the other files of the output.)
    clashing_aliases = routing.shared_urls([*claims, *alias_claims])
    del claims, alias_claims

    # 4. Curation: from here on only public data exists.
    site, curation = publish(content, config, today)
    problems.extend(media_problems(content, today))
    problems.extend(routing.unportable_urls(_tag_claims(site), "rename the tag"))
    problems.extend(doubtful_dates(content, today))
    problems.extend(doubtful_consents(content, today))
    problems.extend(name_leaks(content, site))
    problems.extend(_display_problems(site_dir, config, content, site, write))
    if write:  # ``check`` says it of every field (report.personal_data_warnings)
        problems.extend(contact_details(content, site))
    # A withdrawn fan's photo leaves the site wherever it is named (lists, editors' Markdown).
    withheld = withheld_media(content, site, site_dir)
    site, found = drop_withheld_media(site, withheld)
    problems.extend(found)

    # 4b. Photos and videos of the public site only (an unpublished memory's photo
    #     is never even opened). Unchanged photos come from the cache, the others
    #     are encoded in a process pool; before rendering, since pages need sizes.
    image_settings, found = settings_from_config(site)
    problems.extend(found)
    # The origins a page may load from: the site's own, and those privacy.allowed_origins names.
    own_origin = thirdparty.origin_of(config.base_url)
    permitted = thirdparty.permitted_origins(own_origin, config.privacy.allowed_origins)
    body_images, found = find_body_images(site, site_dir, permitted, withheld)
    problems.extend(found)
    image_plan, found = plan_images(site, site_dir, image_settings, body_images)
    problems.extend(found)
    cache_dir = site_dir / CACHE_DIR
    if write:
        image_results, found = run_images(image_plan, site_dir, cache_dir, workers)
        video_cache = VideoCache(site_dir)
    else:  # ``check`` writes nothing: the photos it encodes to check them are let go
        with tempfile.TemporaryDirectory(prefix="storysite-check-") as scratch:
            image_results, found = run_images(image_plan, site_dir, cache_dir, workers, Path(scratch))
        # (And so are the videos it strips: removed with the build's other temporary files.)
        video_cache = VideoCache(site_dir, Path(background.enter_context(
            tempfile.TemporaryDirectory(prefix="storysite-check-"))))
    problems.extend(found)
    video_files, found = plan_videos(site, site_dir, video_cache)
    problems.extend(found)
    # Files content names where the fingerprint's walk does not go (a photo in node_modules/):
    # recorded, so that the next build notices an edit to them.
    named_inputs = sorted(path for path in {*image_plan.keys, *(video.source for video in video_files),
                                            *_label_files(content.labels)}
                          if cache.outside_the_walk(site_dir, path))
    stats = image_results.stats

    # 5. Theme, assets and rendering into a staging folder beside the output.
    theme, found = load_theme(config, site_dir, config.line_of("theme"))
    problems.extend(found)
    if theme is None:
        return BuildResult(problems, seconds=time.perf_counter() - started, curation=curation, content=content,
                           base_path=config.base_path)
    # The site's own theme publishes its pictures as static/ does: a photo of the shop taken with
    # a phone must not take where it was taken along (storysite's bundled themes hold none).
    located_theme: dict[str, bytes] = {}
    for layer in theme.layers:
        if layer.label.startswith("themes/"):
            static_root = layer.root / "static"
            mine = {logical: path for logical, path in theme.static_files.items() if path == static_root / logical}
            heads = _heads(mine)
            videos = _stripped_videos(mine, heads, f"{layer.label}/static", problems, video_cache)
            # (A theme's assets are named from their bytes, which build_assets is given.)
            located_theme.update({rel: video.file.read_bytes() for rel, video in videos.items()})
            located_theme.update(_located_photos(mine, heads, f"{layer.label}/static", problems, videos))
    assets, found = build_assets(theme.static_files, site_dir, located_theme)
    problems.extend(found)
    # Copied as they are: nothing that leads into content/, the private store, the caches, the
    # output or the configuration (by a symbolic or a hard link).
    static_files = _static_files(site_dir, problems, areas)
    static_files, found = privacyguard.without_hard_links(static_files, areas, STATIC_DIR)
    problems.extend(found)
    # Nor a withdrawn fan's photo put there (``media: [{src: /static/x.jpg}]``): it would stay online
    # at /x.jpg, whole, while every page leaves it out.
    static_files, found = _without_withheld(static_files, withheld)
    problems.extend(found)
    del withheld
    heads = _heads(static_files)
    static_videos = _stripped_videos(static_files, heads, STATIC_DIR, problems, video_cache)
    located_static = _located_photos(static_files, heads, STATIC_DIR, problems, static_videos)
    del heads
    problems.extend(routing.unportable_urls(
        (routing.Claim("/" + path, f"{STATIC_DIR}/{path}", 1, "this file") for path in static_files),
        "rename the file"))
    # The site search, unless the site has a page of its own at its URL; without it, nothing of
    # it is shipped (its page's script and stylesheet, its index).
    search_on, found = _search_wanted(config, content.pages, static_files)
    problems.extend(found)
    if not search_on:
        assets = assets.without(unused_search_assets(theme))
    missing_strings: list[str] = []
    translate = Translator(theme.strings, theme.fallback_strings, missing=missing_strings, language=config.language)
    # Compiled templates are kept between builds, for the filters' inputs (theme strings).
    compiled = CompiledTemplates(cache.compiled_templates_dir(
        site_dir, [repr(sorted(theme.strings.items())), repr(sorted(theme.fallback_strings.items()))], write), write)
    env = make_environment(theme, config, assets, compiled=compiled)
    strings = theme.date_strings
    # Fans' texts: those of memories validated by the parse workers came rendered with their
    # parse (and are kept with it by the parse cache); the others (memories with media) are
    # rendered once per text, cached by its hash, the new ones over every core.
    markdown_cache = cache.ValueCache(site_dir, "markdown")
    fan_keys: dict[str, str] = {}
    """Where every published memory's rendered text is in the text store, by slug."""
    texts: dict[str, tuple[str, int]] = {}
    for memory in site.memories:
        key = text_key(memory)
        if key in text_store:
            fan_keys[memory.slug] = key
        elif not markdown_cache.claim(key):
            texts[key] = (memory.body, memory.body_line)
    for key, made in zip(texts, fork_map(_render_pickled, list(texts.values()), processes), strict=True):
        markdown_cache.put_raw(key, made)
    for memory in site.memories:
        if memory.slug not in fan_keys:
            key = text_key(memory)
            stored = markdown_cache.get_raw(key)
            if stored is None:
                raise StorysiteError(f"internal error: the text of {memory.origin.path} was not rendered")
            text_store.put(key, stored)
            fan_keys[memory.slug] = key
    del texts
    # A fan's link to a memory that is not published (withdrawn since, say) keeps its words only:
    # its address, often the fan's name, leaves every page. The few texts with a link are looked
    # through; one changed so is kept under a key of its own, which its page's key follows.
    unlinked_keys: dict[str, str] = {}
    for memory in site.memories:
        key = fan_keys[memory.slug]
        if key in text_store.marked:
            rendered = pickle.loads(text_store.get(key))
            html = unlink_fan_html(rendered.html, unpublished_memory_links(site, routing.memory_url(memory.slug)))
            if html != rendered.html:
                unlinked_keys[memory.slug] = fan_keys[memory.slug] = cache.ValueCache.key(key, "unlinked", html)
                text_store.put(fan_keys[memory.slug], pickle.dumps(replace(rendered, html=html), protocol=5))
    if unlinked_keys:
        site = replace(site, memories=tuple(replace(m, body_key=unlinked_keys[m.slug]) if m.slug in unlinked_keys
                                            else m for m in site.memories))
    if write:
        markdown_cache.save()  # content-addressed: right whatever the rest of the build finds
        # From here on the source texts of memories with media are let go too, so that none is
        # held while pages are written. (``check`` keeps them: its report looks for personal data.)
        content = replace(content, memories=tuple(_without_text(m) for m in content.memories))
        site = replace(site, memories=tuple(_without_text(m) for m in site.memories))
    del markdown_cache
    heap.give_back()

    memories = build_memory_views(site, lambda d: format_date(d, strings), rendered_raw=StoredTexts(text_store, fan_keys))

    def date_words(date: Any, approximate: bool = False) -> str:
        return format_date(date, strings, approximate=approximate)

    site_view = _site_view(site, config, translate, static_files, tag_index=bool(memories.tags),
                           search_url=SEARCH_URL if search_on else "")
    # Labels: designs made ready (fonts measured, lists digested), fan labels checked by the
    # build's own policy, share cards planned. Files are named from their inputs' hashes and
    # drawn only when writing.
    label_stage, found = plan_labels(site, site_dir, theme.static_files, assets, memories, site_view, translate)
    problems.extend(found)
    site_view = replace(site_view, share_image=label_stage.views.site_card)
    site_media = build_site_media(site, image_results, {v.source: "/" + v.output_path for v in video_files},
                                  lambda d: format_date(d, strings), image_settings.formats)
    # The timeline merges milestones and dated memories, so it is built from the public site only.
    timeline, found = build_timeline_views(site, build_timeline(site), memories, date_words, site_media,
                                           table_label(translate))
    problems.extend(found)

    if config.brand.logo and site_view.logo is None:
        problems.error(CONFIG_NAME, config.line_of("brand.logo"),
                       f"brand.logo: '{config.brand.logo}' not found; put the logo in static/")
    block_problems: list[Any] = []

    def render_block(template: str, context: Mapping[str, Any]) -> str:
        try:
            return str(env.get_template(template).render({"site": site_view, **context}))
        except Exception as exc:
            block_problems.append(template_error(exc, theme))
            return ""

    published = frozenset(m.slug for m in site.memories)
    held_back = tuple(m.date for m in content.memories if m.date is not None and m.slug not in published)
    resolvers = {"timeline": timeline_block(timeline, render_block, config.timeline.overview_memories, held_back),
                 "gallery": gallery_block(site_media, draft_slugs(content.galleries), render_block),
                 "label": label_block(label_stage.views, render_block),
                 IMAGE_BLOCK: image_resolver(site_media, config.base_path)}
    jobs = list(plan_pages(site, site_view, memories, curation.withheld_slugs(), render_block, translate,
                           block_problems, resolvers, site_media=site_media, labels=label_stage.views))
    jobs += gallery_jobs(site, site_view, site_media, translate, block_problems)
    jobs += timeline_jobs(site_view, timeline, translate, config.timeline.overview_memories, config.timeline.per_page)
    jobs += label_pages(label_stage.views, site_view, translate)
    problems.extend(block_problems)
    search_index: SearchIndex | None = None
    if search_on:
        # Made from the cards and the published items, as the pages are: nothing else is in it.
        search_index = build_index(memories, editorial_items(
            site, site_media.galleries, ((design.title, design.url) for design in label_stage.views.designs),
            lambda d: format_date(d, strings)), config.base_path)
        jobs.append(search_job(site_view, search_index, translate, timeline=has_timeline(site)))
    generated = {search_index.path: search_index.data} if search_index is not None else {}
    pages = [job.url for job in jobs if job.in_sitemap]
    # Each alias of an item whose page is written leads to it (none of an unpublished memory).
    redirects = aliases.redirects(site, site_view, memories, frozenset(pages))
    jobs += [
        not_found_job(site_view, translate, {"latest": list(memories.cards[:3])}),
        *feed_jobs(site, site_view, memories, translate, site_media),
        sitemap_job(site_view, pages),
    ]
    if "robots.txt" not in static_files:  # a site's own static/robots.txt is used as it is
        jobs.append(robots_job(site_view))
    for key in sorted(set(missing_strings)):
        problems.error(f"{theme.layers[0].label}/strings/{config.language}.yaml", 1,
                       f"no theme string '{key}' in the strings of theme '{theme.name}' (nor in English); "
                       "add it, or extend a theme that has it (extends: default in theme.yaml)")
    media_files = list(_media_outputs(image_results, video_files, cache_dir))
    label_claims = [routing.Claim("/" + path, "", 0, "a label picture or share card") for path in label_stage.paths()]
    redirect_claims = [r.claim for r in redirects if r.job.url.lower() not in clashing_aliases]
    generated_claims = [routing.Claim("/" + path, "", 0, "the site search's index") for path in generated]
    problems.extend(routing.find_collisions([*_output_claims(jobs, assets, static_files, media_files), *label_claims,
                                             *redirect_claims, *generated_claims]))
    jobs += [redirect.job for redirect in redirects]
    outputs = {job.output_path for job in jobs} | {*assets.files} | {
        *static_files, *(path for path, _ in media_files), *label_stage.paths(), *generated}
    problems.extend(aliases.folder_clashes(redirects, outputs))
    problems.extend(_static_folder_clashes(static_files, outputs))
    del redirects
    problems.extend(broken_links(site, editorial_bodies(site), outputs, curation.withheld_slugs(), pages_of_memories(
        (m.tags, m.date) for m in content.memories if m.slug not in published)))

    base_path = config.base_path
    page_settings = PageSettings(
        env, theme,
        cache.theme_salt(theme.template_dirs(), [repr(config), repr(sorted(assets.urls.items())),
                                                 repr(sorted(theme.strings.items())),
                                                 repr(sorted(theme.fallback_strings.items()))]),
        base_path, permitted, config.output)
    if problems.has_errors or not write:
        checked = write_pages(jobs, page_settings, None, {}, output_dir, 1)
        problems.extend(checked.problems)
        return BuildResult(problems, output_dir, pages=len(jobs), seconds=time.perf_counter() - started,
                           curation=curation, content=content, images_encoded=stats.encoded,
                           images_reused=stats.reused, files_parsed=files_parsed,
                           files_reused=files_reused, base_path=config.base_path)

    # Everything the pages need is planned: the content as written (private fields and all)
    # is let go before the workers are forked, so that none of them starts with it. A build
    # that writes reports no content back (``check`` does, for its report).
    del content
    heap.give_back()
    if staging is None:
        staging = background.enter_context(stage())
    elif listing is not None and (listed := listing.result()) is not None:
        staging.take_listing(*listed)
    if memo is not None:
        memo.recycled = None  # a survey holds for the folder surveyed, now taken
    # 6. Pages: unchanged ones are linked from the previous output, the others rendered
    #    (in parallel when there are many). Every written file is checked for requests
    #    to other origins: no page may make a visitor's browser call anyone else.
    previous_output, previous_finished = output_dir, state.finished_ns if state is not None else 0
    if memo is not None and memo.pages is not None:
        previous_pages = memo.pages
    elif preview and memo is not None and (seed := _seed_output(site_dir, site_dir / config.output)):
        # A preview's first build starts from the site's own output, when it has one: its
        # pages are the preview's (the reload script is added as they are served), and
        # each is taken by its bytes where they still hash as recorded: copied, never
        # linked (the preview must not show an edit made in place there, nor move the
        # change times of the site's output, whose next build would take them for edited).
        previous_output, previous_finished, previous_pages = seed
    else:
        previous_pages = cache.load_pages(site_dir, output_dir)
    staging.expected = outputs
    written = write_pages(jobs, page_settings, staging, previous_pages, previous_output, processes,
                          previous_finished, link_previous=previous_output == output_dir)
    # Every page that shows a fan's text is written.
    text_store.close()
    del previous_pages
    heap.give_back()
    problems.extend(written.problems)
    facts: dict[str, takedown.FileFacts] = {
        path: takedown.FileFacts(f.sha256, f.memories, f.media) for path, f in written.facts.items()}

    def put(path: str, data: bytes) -> None:
        staging.write(path, data)
        facts[path] = takedown.file_facts(path, data, base_path)
        problems.extend(thirdparty.check_files([(path, data)], own_origin, config.privacy.allowed_origins,
                                               config.output))

    def place(path: str, video: StrippedVideo) -> None:
        if path.endswith(_READ_OUTPUTS):  # (a video named like a page or a stylesheet: looked through as one)
            put(path, video.file.read_bytes())
            return
        # Linked into the configured output only: a file shared by two outputs (a preview's, a
        # build -o folder's) would change, with each link, what the other's next build finds.
        staging.place(path, video.file, video.size, link=not preview and output is None)
        facts[path] = takedown.FileFacts(video.sha256)

    for out in _asset_outputs(assets, {rel: source for rel, source in static_files.items()
                                       if rel not in static_videos}, located_static):
        put(out.path, out.data)
    for rel, video in static_videos.items():
        place(rel, video)
    for path, data in generated.items():
        put(path, data)
    for path, media_file in media_files:
        if isinstance(media_file, VideoFile):
            place(path, media_file.stripped)
        else:
            put(path, media_file.read_bytes())
    for path, data in label_stage.outputs(site_dir / LABEL_CACHE_DIR, workers or default_jobs()):
        put(path, data)
    if problems.has_errors or (strict and problems.fails_strict):
        return BuildResult(problems, output_dir, seconds=time.perf_counter() - started,
                           curation=curation, images_encoded=stats.encoded, images_reused=stats.reused,
                           base_path=config.base_path)
    # A preview, or a build for another address, leaves the takedown record alone (it
    # describes the site deployed at the configured one).
    manifest = None if preview or base_url is not None else takedown.manifest_from_facts(
        facts, (m.slug for m in site.memories), str(output_dir.resolve()))
    cache.forget_output_records(site_dir, output_dir)
    staging.commit()
    if preview and memo is None:
        # A first preview had no output to recycle: one is linked now, before the build is
        # recorded as finished (a link changes its file's change time), so that the first
        # save is as quick as the next ones. (A deploying build does not pay for it: the
        # output before last is there from its second build on. The preview server does it
        # once its pages are served: see settle_preview.)
        prime_recycled(output_dir, recycle)
    sizes = dict(sorted(staging.written.items()))
    count = written.rendered + written.reused
    rendered, reused = written.rendered, written.reused
    purge: list[str] = []
    # The new output is in place: a record that cannot be written now is an error of a build
    # that wrote (the next build, finding no record, renders everything again).
    try:
        if memo is not None:
            memo.pages = written.facts
        else:
            cache.save_pages(site_dir, output_dir, written.facts)
        # What the pages were made from is let go before the takedown records are compared (at
        # 100,000 memories, the previous manifest alone is a hundred megabytes).
        facts.clear()
        del written, jobs, memories, timeline, resolvers, site_media, label_stage, site
        heap.give_back()
        cache.save_state(site_dir, output_dir, cache.BuildState(
            fingerprint, sizes, [(d.path, d.line, int(d.severity), d.message) for d in problems.sorted()],
            {"pages": count, "images": stats.encoded + stats.reused}, marker_identity(output_dir), unsettled=unsettled,
            named_inputs=named_inputs))
        # The cache keeps only what this build used: a withdrawn photo leaves it too.
        prune_cache(cache_dir, image_results.results)
        video_cache.save()
        # 7. The takedown record lives outside the output: what changed must be purged from caches.
        if manifest is not None:
            previous, changed = takedown.purge_since(site_dir, manifest)
            purge = [takedown.url_of(p, config.base_url) for p in changed]
            takedown.save(site_dir, manifest, purge, previous)
    except OSError as exc:
        with contextlib.suppress(OSError):  # a cache that cannot be written at all
            cache.forget_output_records(site_dir, output_dir)
        problems.add(write_failure(site_dir, exc))
    problems.extend(left_behind)
    for folder, problem in staging.left_behind:
        problems.add(_left_behind(site_dir, folder, problem))
    return BuildResult(problems, output_dir, pages=count, files=len(sizes), seconds=time.perf_counter() - started,
                       written=True, curation=curation, output_sizes=sizes, purge=tuple(purge),
                       images_encoded=stats.encoded, images_reused=stats.reused, pages_rendered=rendered,
                       pages_reused=reused, files_parsed=files_parsed, files_reused=files_reused,
                       base_path=config.base_path)


def write_failure(site_dir: Path, exc: OSError) -> Diagnostic:
    """An error for a file or folder the build could not write (or read), named from the site."""
    path = _site_relative(site_dir, exc.filename) if exc.filename else "."
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS):
        folder = posixpath.dirname(path.rstrip("/"))
        advice = "free some space and build again" if exc.errno != errno.EROFS else "the file system is read-only"
        return error(f"{folder}/" if folder else "./", 0, f"cannot write here ({exc.strerror}); {advice}")
    if exc.errno in (errno.EACCES, errno.EPERM):
        if exc.filename and os.path.lexists(exc.filename):
            # There already: a file the build reads, or one of its own it replaces.
            return error(path, 0, f"cannot be read or replaced ({exc.strerror}); the build reads the site's files "
                                  "and writes its output folder and its cache (.storysite/): make them readable and "
                                  "writable by this user")
        # Named by its folder: the file it was making may be a temporary one, named at random.
        folder = posixpath.dirname(path.rstrip("/"))
        return error(f"{folder}/" if folder else "./", 0, f"cannot write here ({exc.strerror}); the build writes its "
                     "output folder and its cache (.storysite/) in the site folder: make them writable by this user")
    if _OUTPUT_ASIDE.fullmatch(posixpath.basename(path)):
        # A folder the build makes beside its output (to build aside, or to set the old one
        # aside): named by the output, since the editor never named it.
        path = f"{posixpath.dirname(path)}/{posixpath.basename(path)[1:].rsplit('.', 1)[0]}/"
    return error(path, 0, f"cannot be used ({exc.strerror or exc})")


_OUTPUT_ASIDE = re.compile(r"\..+\.(?:staging|old)-[0-9a-f-]+")
"""The name of a folder a build makes beside its output folder (see :class:`storysite.write.Staging`)."""


def _left_behind(site_dir: Path, folder: Path, problem: OSError) -> Diagnostic:
    return error(_site_relative(site_dir, str(folder)) + "/", 0,
                 f"an earlier output storysite could not remove ({problem.strerror or problem}); it still "
                 "holds what an earlier build published, withdrawn memories included, and would be committed by "
                 "'git add -A': make it writable (chmod -R u+w) and delete it")


def _site_relative(site_dir: Path, path: str | bytes) -> str:
    text = os.fsdecode(path)
    try:
        return Path(text).resolve().relative_to(site_dir.resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):  # outside the site, or a loop of links
        return text


def _seed_output(site_dir: Path, output_dir: Path) -> tuple[Path, int, dict[str, cache.PageFacts]] | None:
    """The output a build of the site committed in ``output_dir``, when it is still that very
    output: the folder, when its build finished (ns) and its page records; else None."""
    state = cache.load_state(site_dir, output_dir)
    if state is None or state.output_marker is None or marker_identity(output_dir) != state.output_marker:
        return None
    pages = cache.load_pages(site_dir, output_dir)
    return (output_dir, state.finished_ns, pages) if pages else None


def settle_preview(site_dir: Path, output_dir: Path, memo: cache.BuildMemo) -> None:
    """What the preview server does once a build's pages are served, off the path from a save
    to its reload: the content files' digests are saved (the next build of the site reads
    them), a first output is linked into the recycled folder (so that the first save recycles
    a folder rather than making one per page), and the folder the next build will recycle is
    surveyed (see :func:`storysite.write.survey_recycled`)."""
    save_preview_digests(site_dir, memo)
    recycle = preview_recycle_dir(output_dir)
    if prime_recycled(output_dir, recycle):
        # The links moved the change time of every file of the output on: the build is recorded
        # as finished now, or the next would take them all for edited and write them again.
        cache.restamp_state(site_dir, output_dir)
    memo.recycled = survey_recycled(recycle)


def save_preview_digests(site_dir: Path, memo: cache.BuildMemo) -> None:
    """Save the content files' digests a preview build left in ``memo``, if not saved yet (a
    cache folder that cannot be written only costs the site's next build some hashing)."""
    if memo.digests is not None and not memo.digests_saved:
        with contextlib.suppress(OSError):
            cache.save_digests(site_dir, memo.digests)
        memo.digests_saved = True


def preview_recycle_dir(output_dir: Path) -> Path:
    """Where a preview building into ``output_dir`` keeps its recycled folder: beside its own
    output, on the same file system (a rename, not a copy) and out of the site folder the
    preview server watches."""
    return output_dir.parent / f".{output_dir.name}.recycled"


def _raw_items(sources: list[load.SourceFile], keys: list[str], parsed: cache.ValueCache,
               problems: Diagnostics, rendered: TextStore, writing: bool, remake: Callable[[load.SourceFile], Any],
               memo: cache.ParsedMemo | None = None) -> Iterator[load.RawItem | ValidatedItem]:
    """The parsed items, one file at a time: a parsed file lives only until its items
    are validated, and the bytes read are let go. Memories without media come validated,
    their texts rendered: the rendered texts go to ``rendered``; when ``writing``, the
    memories come without their source text, else (``check``, whose report reads it) with it.
    With ``memo``, the parsed files are kept there as values and taken from it when there.
    ``remake`` parses a file again whose value the cache holds damaged."""
    for index, source in enumerate(sources):
        if index % 4096 == 4095:
            # The pickles taken so far are freed, but glibc keeps their pages while the items
            # made from them grow elsewhere: given back as we go, the two never add up.
            heap.give_back()
        key = keys[index]
        # An unreadable file's value is its error, under a key of its place in this build only.
        if memo is not None and not key.startswith("unreadable-"):
            value = memo.take(key, parsed, functools.partial(remake, source))
        else:
            value = parsed.take(key)
            if value is None:  # damaged in the cache: parsed again
                value = remake(source)
        problems.extend(value.problems)
        if not value.validated:
            yield from (load.RawItem(source, *part) for part in value.items)
        else:
            for key, text in value.rendered.items():
                rendered.put(key, text)
            if writing:
                yield from value.items
            else:
                for item, body in zip(value.items, value.bodies, strict=True):
                    yield item if body is None else replace(item, value=replace(item.value, body=body))


AnyMemory = TypeVar("AnyMemory", Memory, PublicMemory)


class ParsedFile(NamedTuple):
    """One content file as the parse cache keeps it."""

    validated: bool
    """``items`` are validated items (memories without media), else raw parts of items."""
    items: list[Any]
    problems: list[Diagnostic]
    bodies: list[str | None]
    """Each validated memory's source text, set apart from it (None for other items)."""
    rendered: dict[str, bytes]
    """The validated memories' texts rendered and pickled, by text key."""


def _without_text(memory: AnyMemory) -> AnyMemory:
    """The memory without its source text (its rendered text is kept by key)."""
    return memory if not memory.body else replace(memory, body="", body_key=text_key(memory))


def _parse_pickled(site_dir: Path, max_bytes: int, source: load.SourceFile
                   ) -> tuple[str, tuple[int, int, int, int], bytes]:
    """One file read and parsed, as the parse cache keeps it, with the hash of the bytes
    read and the stat data they were read with (a worker's unit of work). A file of
    memories without media is validated here too: its validation reads nothing else,
    so it is cached with the parse."""
    try:
        with open(site_dir / source.path, "rb") as handle:
            info = os.fstat(handle.fileno())
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        found = [Diagnostic(source.path, 0, Severity.ERROR, f"cannot be read: {exc.strerror}")]
        return "", (0, 0, 0, 0), pickle.dumps(ParsedFile(False, [], found, [], {}), protocol=pickle.HIGHEST_PROTOCOL)
    if len(data) > max_bytes:
        found = [Diagnostic(source.path, 0, Severity.ERROR, f"is over the limit of {max_bytes:,} bytes "
                            "(limits.max_file_bytes in storysite.yaml)")]
        return "", (0, 0, 0, 0), pickle.dumps(ParsedFile(False, [], found, [], {}), protocol=pickle.HIGHEST_PROTOCOL)
    items, found = load.parse(replace(source, data=data))
    if items and all(validates_alone(item) for item in items):
        validated, bodies, rendered = _texts_apart([validate_item(item, site_dir) for item in items])
        value = ParsedFile(True, validated, found, bodies, rendered)
    else:
        value = ParsedFile(False, [(i.fields, i.body, i.body_line, i.line, i.index) for i in items], found, [], {})
    # A file changed within the last two seconds may change again within its timestamp's
    # tick unseen (whole seconds on some file systems): its stat data is not recorded, so the
    # next build reads it again.
    recent = time.time_ns() - max(info.st_mtime_ns, info.st_ctime_ns) < cache.COARSE_SETTLING_NS
    stat = (0, 0, 0, 0) if recent else (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
    return hashlib.sha256(data).hexdigest(), stat, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def text_key(memory: Memory | PublicMemory) -> str:
    """The key of a memory's rendered text in the Markdown cache."""
    return memory.body_key or cache.ValueCache.key(memory.body, str(memory.body_line))


def _texts_apart(validated: list[ValidatedItem]
                 ) -> tuple[list[ValidatedItem], list[str | None], dict[str, bytes]]:
    """Validated items with each memory's text set apart and rendered already (kept so by
    the parse cache): a build that writes needs only the rendered text, and at 100,000
    memories the source texts are hundreds of megabytes it then never holds at once."""
    items: list[ValidatedItem] = []
    bodies: list[str | None] = []
    rendered: dict[str, bytes] = {}
    for item in validated:
        memory = item.value
        if not isinstance(memory, Memory):
            items.append(item)
            bodies.append(None)
            continue
        key = text_key(memory)
        text = _render_for_cache(memory.body, memory.body_line)
        rendered[key] = pickle.dumps(text, protocol=pickle.HIGHEST_PROTOCOL)
        items.append(ValidatedItem(item.kind, replace(memory, body="", body_key=key, excerpt=text.text),
                                   item.problems))
        bodies.append(memory.body)
    return items, bodies, rendered


def _render_pickled(text: tuple[str, int]) -> bytes:
    """One fan text rendered, as the Markdown cache keeps it (a worker's unit of work)."""
    return pickle.dumps(_render_for_cache(*text), protocol=pickle.HIGHEST_PROTOCOL)


def _render_for_cache(body: str, body_line: int) -> RenderedMarkdown:
    """A fan text rendered, with only the excerpt of its plain text (all a memory's text is
    used for): a site of 100,000 memories need not hold every text three times."""
    rendered = render_fan_markdown(body, body_line)
    return replace(rendered, text=summarize(rendered.text[:EXCERPT_SOURCE], EXCERPT_CHARS))


def _replay(recorded: list[tuple[str, int, int, str]]) -> list[Diagnostic]:
    """Diagnostics of the last build, as it recorded them."""
    return [Diagnostic(path, line, Severity(severity), message) for path, line, severity, message in recorded]


def _protected_folders(config: SiteConfig | None) -> set[str]:
    """The top-level names of the site an output must never be in: its sources, version
    control, its configuration, storysite's cache and (when known) the private store."""
    protected = {load.CONTENT_DIR, STATIC_DIR, "themes", ".git", CONFIG_NAME, ".storysite"}
    if config is not None:
        protected.add(config.privacy.private_store.split("/")[0])
    return protected


def _others_files(output_dir: Path, site_dir: Path) -> list[str]:
    """A few files of ``output_dir`` that storysite did not write (none once a build of the
    site has written there: see :func:`storysite.write.foreign_files`)."""
    found = foreign_files(output_dir)
    return found if found and cache.load_state(site_dir, output_dir) is None else []


def _check_output_dir(config: SiteConfig, site_dir: Path) -> Iterator[Any]:
    first = config.output.split("/")[0]
    if first in _protected_folders(config):
        what = ("the private store (privacy.private_store)" if first == config.privacy.private_store.split("/")[0]
                else f"{first}/")
        other = "site" if first == "public" else "public"
        yield error(CONFIG_NAME, config.line_of("output" if config.output != "public" else "privacy.private_store"),
                    f"output: '{config.output}' would overwrite {what}; choose another folder, such as {other}")


def output_folder_problem(folder: Path, site_dir: Path) -> str | None:
    """Why ``folder`` cannot be the output of the site in ``site_dir`` (``build --output``),
    or None: a build replaces its output folder whole, so it must be no folder the site, its
    sources or anyone else's files live in."""
    try:
        os.lstat(folder)
    except (FileNotFoundError, NotADirectoryError):
        pass  # a new folder (or one below a file: refused below)
    except OSError as exc:  # a name too long, a folder on the way that cannot be searched
        return f"'{folder}' cannot be used ({exc.strerror or exc})"
    if os.path.islink(folder):
        return f"'{folder}' is a symbolic link (to {os.readlink(folder)}); name the real folder instead"
    if os.path.lexists(folder) and not folder.is_dir():
        return f"'{folder}' is an existing file; name a folder"
    real, site = folder.resolve(), site_dir.resolve()
    if real == site or site.is_relative_to(real):
        return f"'{folder}' holds the site itself, which a build would replace; name a folder of its own"
    if real.is_relative_to(site):
        first = real.relative_to(site).parts[0]
        if first in _protected_folders(load_config(site, lenient=True)[0]):
            return f"'{folder}' is in {first}/ of the site, which a build would overwrite; choose another folder"
    found = _others_files(real, site)
    if found:
        shown = ", ".join(found) + ("…" if len(found) >= 3 else "")
        return (f"'{folder}' already holds files storysite did not write ({shown}); a build replaces its "
                "output folder whole, so empty it or name a new one")
    return None


def _foreign_output(output_dir: Path, site_dir: Path, config: SiteConfig, preview: bool) -> Iterator[Diagnostic]:
    """What stands where the output goes and is not storysite's to replace: a file, a symbolic
    link, a folder of files storysite did not write (reported by ``check`` too, as by ``build``;
    a preview's own folder is only warned about)."""
    line = config.line_of("output")
    if not preview:
        # The output folder and every folder on the way to it, inside the site.
        step = site_dir
        for part in Path(config.output).parts:
            step = step / part
            shown = step.relative_to(site_dir).as_posix()
            if os.path.islink(step):
                yield error(CONFIG_NAME, line, f"output: '{shown}' is a symbolic link (to {os.readlink(step)}); "
                                               "a build replaces its output folder whole, so name the real folder "
                                               "instead")
                return
            if os.path.lexists(step) and not step.is_dir():
                yield error(CONFIG_NAME, line, f"output: '{shown}' is an existing file, which a build would replace "
                                               "with a folder; choose another name for the output folder")
                return
    found = _others_files(output_dir, site_dir)
    if found:
        shown = ", ".join(f"{config.output}/{name}" for name in found) + ("…" if len(found) >= 3 else "")
        yield Diagnostic(CONFIG_NAME, line, Severity.WARNING if preview else Severity.ERROR,
                         f"output: '{config.output}' already holds files storysite did not write ({shown}); "
                         "a build replaces its output folder whole, so move them (static files belong in "
                         "static/) or empty the folder")


def _claims(content: Content) -> Iterator[routing.Claim]:
    for memory in content.memories:
        yield routing.Claim(routing.memory_url(memory.slug), memory.origin.path, _slug_line(memory.origin),
                            "this memory")
    for campaign in content.campaigns:
        yield routing.Claim(routing.campaign_url(campaign.slug), campaign.origin.path, _slug_line(campaign.origin),
                            "this campaign")
    for milestone in content.milestones:
        yield routing.Claim(routing.milestone_url(milestone.slug), milestone.origin.path, _slug_line(milestone.origin),
                            "this milestone")
    for gallery in content.galleries:
        yield routing.Claim(routing.gallery_url(gallery.slug), gallery.origin.path, _slug_line(gallery.origin),
                            "this gallery")
    for design in content.labels:
        yield routing.Claim(routing.label_url(design.slug), design.origin.path, _slug_line(design.origin),
                            "this label design")
    for page in content.pages:
        yield routing.Claim(routing.page_url(page.slug), page.origin.path, _slug_line(page.origin), "this page")
        if page.slug in routing.RESERVED_SECTIONS:
            yield routing.Claim(routing.page_url(page.slug), "", 0, f"the site's own /{page.slug}/ section")


def _display_problems(site_dir: Path, config: SiteConfig, content: Content, site: PublicSite,
                      write: bool) -> list[Diagnostic]:
    """:func:`display_leaks`, the private store read only when it or a display it is needed for
    changed since the last build: at 10,000 fans it is tens of megabytes to read on each edit.
    What is kept between builds is what the warnings say (the display's words, a path and a
    line: never a fan's name) under a hash of what they were made from."""
    # (Those of displays checked against author.name in the file are made anew each time.)
    direct = display_leaks(content, site, {})
    author_ids = display_candidates(content, site)
    if not author_ids:
        return direct
    store = site_dir / config.privacy.private_store / SUBMISSIONS_FILE
    try:
        info = os.stat(store)
    except OSError:  # no store (or none to be read): no name in it, nothing to look up or keep
        return direct
    stamp = f"{info.st_size}\x00{info.st_mtime_ns}\x00{info.st_ctime_ns}\x00{info.st_ino}"
    digest = hashlib.sha256(f"{cache.code_stamp()}\x00{config.privacy.author_display}\x00{stamp}".encode())
    for memory in content.memories:
        if memory.author.id in author_ids:
            digest.update(f"\x00{memory.slug}\x00{memory.author.id}\x00{memory.author.display}\x00"
                          f"{memory.origin.path}\x00{field_line(memory.field_lines, 'author.display')}".encode())
    key = digest.hexdigest()
    kept = cache.load_display_checks(site_dir, key)
    if kept is not None:
        return [*direct, *(Diagnostic(path, line, Severity.WARNING, message) for path, line, message in kept)]
    from_store = [d for d in display_leaks(content, site, _stored_names(site_dir, config, author_ids))
                  if d not in direct]
    if write:
        cache.save_display_checks(site_dir, key, [(d.path, d.line, d.message) for d in from_store])
    return [*direct, *from_store]


def _stored_names(site_dir: Path, config: SiteConfig, author_ids: set[str]) -> dict[str, list[str]]:
    """The fans' names the private store records for ``author_ids`` (none read when there are
    none: the store is opened only for a display that may name more than the policy shows).
    A store that cannot be read is left to the commands that need it (import, withdraw)."""
    if not author_ids:
        return {}
    try:
        return PrivateStore(site_dir / config.privacy.private_store).names_of(author_ids)
    except (OSError, StorysiteError, UnicodeDecodeError):
        return {}


def _tag_claims(site: PublicSite) -> Iterator[routing.Claim]:
    """Each tag page's URL, claimed by the first published memory that names the tag."""
    names: set[str] = set()
    slugs: set[str] = set()
    for memory in site.memories:
        for tag in memory.tags:
            if tag in names:  # a site has few tags, named by many memories
                continue
            names.add(tag)
            slug = routing.slugify(tag)
            if slug and slug not in slugs:
                slugs.add(slug)
                yield routing.Claim(routing.tag_url(slug), memory.origin.path,
                                    field_line(memory.field_lines, "tags") or memory.origin.line,
                                    f"the tag '{tag}'")


def _label_files(designs: Iterable[LabelDesign]) -> Iterator[str]:
    """The site files label designs read: artworks, fonts of the site's own, word lists."""
    for design in designs:
        if design.artwork:
            yield design.artwork
        yield from (ref.font for ref in design.fonts if not ref.in_theme)
        yield from (words.source for words in (*design.blocked_words, *design.allowed_names)
                    if words.source != "default")


def _slug_line(origin: Origin) -> int:
    """Where a clash of URLs is reported: the item's ``slug:`` line, else its first line."""
    return origin.slug_line or origin.line


def _media_outputs(results: ImageResults, videos: list[VideoFile], cache_dir: Path
                   ) -> Iterator[tuple[str, Path | VideoFile]]:
    """Every photo derivative (its file in the cache) and local video, by output path."""
    for key, result in results.results.items():
        for output, filename in result.files():
            yield output, cache_entry(cache_dir, key) / filename
    for video in videos:
        yield video.output_path, video


def _output_claims(jobs: list[PageJob], assets: Assets, static_files: Mapping[str, Path],
                   media_files: Sequence[tuple[str, Path | VideoFile]] = ()) -> Iterator[routing.Claim]:
    for path, _ in media_files:
        yield routing.Claim("/" + path, "", 0, "a photo or video of the site")
    for job in jobs:
        yield routing.Claim("/" + job.output_path, "", 0, f"the generated page {job.url}")
    for path in assets.files:
        yield routing.Claim("/" + path, "", 0, "a theme asset")
    for rel in static_files:
        yield routing.Claim("/" + rel, f"{STATIC_DIR}/{rel}", 0, "this static file")


def _static_folder_clashes(static_files: Iterable[str], outputs: Iterable[str]) -> list[Diagnostic]:
    """An error for each file of ``static/`` that the output needs as a folder (``static/memories``
    beside the memories' pages), or that needs a file of the output as a folder (``static/feed.xml/x``):
    one name cannot be both, and the build failed writing, with a message naming its staging folder."""
    mine = sorted(static_files)
    if not mine:
        return []
    tree = routing.OutputTree({path.lower() for path in outputs}.difference(path.lower() for path in mine))
    problems = []
    for path in mine:
        if (below := tree.file_below(path)) is not None:
            problems.append(error(f"{STATIC_DIR}/{path}", 1, f"is a file, but the site needs a folder of that name "
                                  f"(for {below}); rename or move it"))
        elif (file_above := tree.file_above(path.lower())) is not None:
            problems.append(error(f"{STATIC_DIR}/{path}", 1, f"needs a folder named {file_above}, but the site "
                                  "writes a file of that name; rename or move it"))
    return problems


def _static_files(site_dir: Path, problems: Diagnostics, areas: privacyguard.SiteAreas) -> dict[str, Path]:
    """The site's ``static/`` files, by output path (symlinks must stay inside the site, out of
    its parts that are never published: :func:`privacyguard.unpublishable`).

    Copied verbatim: dotfiles and ``_`` files too; only VCS and OS junk is left out."""
    root = site_dir / STATIC_DIR
    if not root.is_dir():
        return {}
    found: list[Any] = []
    try:
        reason = privacyguard.unpublishable(root.resolve(), areas)
    except (OSError, RuntimeError):
        reason = None  # a loop: reported by the walk
    if reason is not None:
        problems.error(STATIC_DIR, 1, reason)
        return {}
    files = {path.relative_to(root).as_posix(): path
             for path in load._walk(root, site_dir, found, load.skip_static_name,
                                    lambda target: privacyguard.unpublishable(target, areas))}
    problems.extend(found)
    for relpath in sorted(files):
        # A name that is not valid UTF-8 (or holds a line break) cannot be a URL, nor be named.
        unsafe = load._unsafe_name(relpath)
        if unsafe is not None:
            problems.error(f"{STATIC_DIR}/{relpath}", 0, f"the file name {unsafe}; rename the file")
            del files[relpath]
        elif relpath == MARKER:  # copied over it, it would pass any folder off as storysite's output
            problems.error(f"{STATIC_DIR}/{relpath}", 0, "this name is the mark storysite leaves in the output "
                           "folder it writes; rename or remove the file")
            del files[relpath]
    return dict(sorted(files.items()))


def _without_withheld(static_files: Mapping[str, Path], owner: Callable[[str | None], str | None] | None
                      ) -> tuple[dict[str, Path], list[Diagnostic]]:
    """``static_files`` without those that belong to an unpublished memory (see
    :func:`storysite.curate.withheld_media`), each with a note (which never fails a build)."""
    kept: dict[str, Path] = {}
    notes: list[Diagnostic] = []
    for relpath, path in static_files.items():
        memory_file = owner(f"{STATIC_DIR}/{relpath}") if owner is not None else None
        if memory_file is None:
            kept[relpath] = path
        else:
            notes.append(notice(f"{STATIC_DIR}/{relpath}", 0, f"belongs to {memory_file}, which is not published; "
                                "not copied to the output"))
    return kept, notes


def _asset_outputs(assets: Assets, static_files: Mapping[str, Path], stripped: Mapping[str, bytes]
                   ) -> Iterator[OutputFile]:
    """The theme's assets and the files of ``static/``, the photos of ``stripped`` as given there."""
    for path, data in assets.files.items():
        yield OutputFile(path, data)
    for rel, source in static_files.items():
        yield OutputFile(rel, stripped[rel] if rel in stripped else source.read_bytes())


_PHOTO_SUFFIXES = (".jpg", ".jpeg", ".jpe", ".png", ".webp", ".tif", ".tiff", ".heic", ".heif", ".avif", ".jxl")
_PHOTO_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"II*\x00", b"MM\x00*", b"\xff\x0a",
                     b"\x00\x00\x00\x0cJXL ")
"""How a JPEG, PNG, TIFF and JPEG XL file starts (WebP and HEIF/AVIF: see :func:`_is_photo`)."""


def _head(source: Path) -> bytes:
    """The first bytes of a file, by which its kind is known (none when it cannot be read: the
    copy reports that)."""
    try:
        with open(source, "rb") as handle:
            return handle.read(12)
    except OSError:
        return b""


def _photo_bytes(head: bytes) -> bool:
    """Whether a file's first bytes are a photo's."""
    return (head.startswith(_PHOTO_SIGNATURES) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")
            or (head[4:8] == b"ftyp" and head[8:12] in STILL_BRANDS))


def _heads(files: Mapping[str, Path]) -> dict[str, bytes]:
    """Each file's first bytes (see :func:`_head`), read once for :func:`_stripped_videos` and
    :func:`_located_photos`."""
    return {rel: _head(source) for rel, source in files.items()}


def _is_photo(rel: str, head: bytes) -> bool:
    """Whether a file copied as it is may be a photo: by its name, or else by its first bytes
    ``head`` (Windows saves a JPEG from the web as ``.jfif``; a phone or a script may give no suffix)."""
    return rel.lower().endswith(_PHOTO_SUFFIXES) or _photo_bytes(head)


_READ_OUTPUTS = (".html", ".htm", ".xml", ".json", ".txt", ".js", ".mjs", ".webmanifest", ".css", ".svg")
"""Output files read for what they are (the takedown record's links, third-party addresses):
a video named so is given as bytes, not placed from the cache."""


def _stripped_videos(files: Mapping[str, Path], heads: Mapping[str, bytes], folder: str, problems: Diagnostics,
                     video_cache: VideoCache) -> dict[str, StrippedVideo]:
    """The videos of ``files`` (those of ``static/``, or of a site theme's ``static/``, named in
    ``folder``; known by their first bytes, else by their names) as they are published: with
    their metadata blanked as a fan's are (:func:`storysite.video.strip_video_metadata`), by
    output path. A phone writes where a video was recorded into it: a warning says so (git
    keeps the original); a video that cannot be read through is an error, and not published."""
    stripped: dict[str, StrippedVideo] = {}
    for rel, source in files.items():
        head = heads[rel]
        container = video_container(rel, head)
        if container is None or _photo_bytes(head):
            continue
        path = f"{folder}/{rel}"
        try:
            published = video_cache.stripped(source, container)
        except OSError as exc:
            problems.error(path, 0, f"cannot be read: {exc.strerror}")
            continue
        if isinstance(published, str):
            problems.error(path, 0, "cannot be published: a video copied to the output is published without its "
                                    f"metadata, and this one {published}")
            continue
        stripped[rel] = published
        if published.blanked_place:
            problems.warning(path, 0, "holds where it was recorded: published with its metadata blanked; strip it "
                                      f"here too, git keeps it (ffmpeg -i {path} -map_metadata -1 -c copy "
                                      f"OUT{posixpath.splitext(rel)[1]})")
    return stripped


def _located_photos(files: Mapping[str, Path], heads: Mapping[str, bytes], folder: str, problems: Diagnostics,
                    videos: Mapping[str, StrippedVideo]) -> dict[str, bytes]:
    """The JPEG photos of ``files`` (those of ``static/``, or of a site theme's ``static/``,
    named in ``folder``) that say where they were taken, as they are published: without their
    EXIF, XMP and IPTC blocks (a warning each); another photo that does is an error. Those
    files are copied as they are, but a fan's photo put there would otherwise take their
    kitchen's GPS position to every visitor."""
    stripped: dict[str, bytes] = {}
    for rel, source in files.items():
        if rel in videos or not _is_photo(rel, heads[rel]) or (place := location_in(source)) is None:
            continue
        path = f"{folder}/{rel}"
        if (published := jpeg_without_location(source.read_bytes())) is not None:
            stripped[rel] = published
            problems.warning(path, 0, f"holds {place} (where it was taken): published without its EXIF, XMP and "
                                      f"IPTC blocks; strip it here too, git keeps it (exiftool -all= {path})")
        else:
            problems.error(path, 0, f"holds {place} (where it was taken), which would be published with it; strip "
                                    f"it (exiftool -all= {path}), or put the photo in content/, whose photos are "
                                    "published without their metadata")
    return stripped


#: The favicons a site's ``static/`` folder may hold, by output path, in the order they are
#: linked: bitmaps first, the SVG last (with ``sizes="any"``, which browsers that draw SVG prefer).
FAVICONS: Final = (("favicon.ico", "image/x-icon", ""), ("favicon.png", "image/png", ""),
                   ("favicon.svg", "image/svg+xml", "any"))


def _search_wanted(config: SiteConfig, pages: Iterable[Page], static_files: Mapping[str, Path]
                   ) -> tuple[bool, list[Diagnostic]]:
    """Whether the site gets its search page (``search.enabled``), and a note when a page or a
    static file of the site's own has the page's URL: that one is kept, and the site has no
    search (a site that built before storysite had one keeps building, ``--strict`` too)."""
    if not config.search.enabled:
        return False, []
    advice = ("the site search, whose page is at /search/, is left out; rename it to have both, or say "
              "search: {enabled: false} in storysite.yaml")
    for page in pages:
        if routing.page_url(page.slug) == SEARCH_URL:
            return False, [notice(page.origin.path, _slug_line(page.origin), f"this page has the URL /search/: {advice}")]
    index_page = routing.output_path(SEARCH_URL)
    for relpath in static_files:
        if relpath.lower() == index_page:
            return False, [notice(f"{STATIC_DIR}/{relpath}", 0, f"this file is served at /search/: {advice}")]
    return True, []


def _site_view(site: PublicSite, config: SiteConfig, translate: Translator, static_files: Mapping[str, Path],
               *, tag_index: bool = False, search_url: str = "") -> SiteView:
    nav = [Link(translate("nav.memories"), "/memories/")]
    if has_timeline(site):
        nav.append(Link(translate("nav.timeline"), "/timeline/"))
    if site.galleries:
        nav.append(Link(translate("nav.galleries"), "/galleries/"))
    if site.campaigns:
        nav.append(Link(translate("nav.campaigns"), "/campaigns/"))
    if site.labels:
        nav.append(Link(translate("nav.labels"), "/labels/"))
    for page in sorted((p for p in site.pages if p.menu is not None), key=lambda p: (p.menu or 0, p.title)):
        nav.append(Link(page.title, routing.page_url(page.slug)))
    logo = None
    logo_size = None
    if config.brand.logo:
        rel = config.brand.logo
        if rel.startswith(STATIC_DIR + "/") and rel[len(STATIC_DIR) + 1 :] in static_files:
            logo = "/" + rel[len(STATIC_DIR) + 1 :]
            logo_size = image_dimensions(static_files[logo[1:]])
    colors = config.brand.colors
    return SiteView(
        title=config.title,
        description=config.description or translate("site.description", brand=config.brand_name),
        brand_name=config.brand_name,
        language=config.language,
        # Open Graph writes a region with an underscore (fr_CA), as POSIX locales do.
        locale=og_locale(config.language),
        base_url=config.base_url,
        logo=logo,
        palette=palette(colors.primary, colors.accent),
        nav=tuple(nav),
        copyright=config.copyright or f"© {config.brand_name}",
        logo_size=logo_size,
        # Linked only when the site ships one: a link to a missing icon would be a 404 on every page.
        icons=tuple(IconView("/" + name, type_, sizes) for name, type_, sizes in FAVICONS if name in static_files),
        tag_index=tag_index,
        search_url=search_url,
    )
