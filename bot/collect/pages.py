"""Article pages: the main text, title, date and author of an HTML page (trafilatura).

Used for local .html files and for the page behind a feed item that carries only a teaser."""

from __future__ import annotations

import dataclasses

import trafilatura

from bot.collect.text import clean_text, parse_date, title_from_text
from bot.collect.types import RawArticle, Skipped

# A page text shorter than this is navigation or a paywall stub, not the article.
MIN_PAGE_CHARS = 200


def extract_article(html: str, url: str) -> RawArticle | Skipped:
    """The page's article; a page without one is Skipped with the reason."""
    try:
        doc = trafilatura.bare_extraction(
            html,
            url=url if url.startswith(("http://", "https://")) else None,
            with_metadata=True,
            include_comments=False,
            # Precision keeps "more on the topic" teasers and ads out (measured on the
            # trafilatura gold pages: more snippets right, and faster).
            favor_precision=True,
        )
    except Exception as error:  # trafilatura raises assorted errors on broken markup
        return Skipped(url, f"HTML not readable: {' '.join(str(error).split())[:200]}")
    if doc is None or not doc.text:
        return Skipped(url, "no article text found in the HTML")
    text = clean_text(doc.text)
    return RawArticle(
        url=url,
        title=clean_text(doc.title or "") or title_from_text(text),
        text=text,
        published_at=parse_date(doc.date),
        author=clean_text(doc.author or "") or None,
        outlet=clean_text(doc.sitename or "") or None,
    )


def with_full_text(teaser: RawArticle, page: RawArticle | Skipped) -> RawArticle:
    """The feed item completed by its page: the page's text when it is the real article (longer
    than the teaser), the feed's title and date first, the page's where the feed had none."""
    if isinstance(page, Skipped) or len(page.text) < max(MIN_PAGE_CHARS, len(teaser.text)):
        return teaser
    return dataclasses.replace(
        teaser,
        text=page.text,
        title=teaser.title or page.title,
        published_at=teaser.published_at or page.published_at,
        author=teaser.author or page.author,
        outlet=page.outlet or teaser.outlet,
    )
