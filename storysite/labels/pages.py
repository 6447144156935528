"""The label pages: ``/labels/`` (every design) and ``/labels/<design>/`` (the label maker).

Also the ``::: label <design>`` block, which places a design's example and a
link to its label maker inside a page or a campaign.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from storysite.diagnostics import Diagnostic, error
from storysite.labels.views import LabelViews
from storysite.markdown import BlockRef
from storysite.render import BlockResolver, PageJob
from storysite.views import PageMeta, SiteView

INDEX_URL = "/labels/"


def label_pages(views: LabelViews, site_view: SiteView, translate: Callable[..., str]) -> Iterator[PageJob]:
    """The index of designs and one label maker per design (none when the site has no design)."""
    if not views.designs:
        return

    def job(url: str, template: str, meta: PageMeta, **context: Any) -> PageJob:
        return PageJob(url, template, {"site": site_view, "meta": meta, **context})

    yield job(INDEX_URL, "label_list.html",
              PageMeta(translate("labels.title"), translate("labels.description"), INDEX_URL, section="labels"),
              designs=list(views.designs))
    for design in views.designs:
        description = design.description or translate("labels.maker_description", design=design.title)
        yield job(design.url, "label_maker.html",
                  PageMeta(design.title, description, design.url, section="labels"),
                  design=design, others=[d for d in views.designs if d.slug != design.slug])


def label_block(views: LabelViews, render_block: Callable[[str, Mapping[str, Any]], str]) -> BlockResolver:
    """The resolver of ``::: label <design>`` blocks."""

    def resolve(block: BlockRef, path: str, problems: list[Diagnostic]) -> str:
        if len(block.args) != 1:
            problems.append(error(path, block.line, "'::: label' takes one label design slug"))
            return ""
        design = views.design(block.args[0])
        if design is None:
            known = ", ".join(d.slug for d in views.designs) or "none: add one to content/labels/"
            problems.append(error(path, block.line, f"no label design with slug '{block.args[0]}' (designs: {known})"))
            return ""
        return render_block("blocks/label.html", {"design": design})

    return resolve
