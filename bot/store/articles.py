"""Articles and sources in the store."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer

from bot.collect.dedup import (
    NEAR_WINDOW_DAYS,
    NearDuplicates,
    canonical_url,
    content_hash,
    minhash,
)
from bot.collect.language import skip_reason
from bot.collect.types import RawArticle
from bot.store.schema import (
    Article,
    ArticleFingerprint,
    ArticleSource,
    Source,
    StoryArticle,
    utcnow,
)


@dataclass(frozen=True)
class Stored:
    outcome: str  # new | updated | unchanged | duplicate
    article_id: int  # the article that now holds the text (the earlier one for a duplicate)


def add_article(
    session: Session, raw: RawArticle, source: Source | None, near: NearDuplicates | None = None
) -> Stored:
    """Store one article: 'new', 'updated' (same URL, new text), 'unchanged', or 'duplicate'
    (the same text, or with `near` a near-duplicate of a recent article, under another URL:
    the article gains this source instead of a twin). An article in a language that is not
    analysed is stored as skipped, with the reason."""
    url = canonical_url(raw.url)
    digest = content_hash(raw.text)
    existing = session.scalar(select(Article).where(Article.url == url))
    if existing is not None and existing.content_hash == digest:
        add_source(session, existing, source, url, raw)
        return Stored("unchanged", existing.id)
    twin = session.scalar(select(Article).where(Article.content_hash == digest))
    if twin is not None:
        add_source(session, twin, source, url, raw)
        return Stored("duplicate", twin.id)
    if existing is not None and not _may_replace(existing, source, raw):
        add_source(session, existing, source, url, raw)
        return Stored("duplicate", existing.id)
    signature = minhash(raw.text)
    if existing is not None:
        add_source(session, existing, source, url, raw)
        existing.title, existing.text, existing.content_hash = raw.title[:500], raw.text, digest
        existing.published_at = raw.published_at or existing.published_at
        existing.language = raw.language or existing.language
        _set_status(existing)
        _set_fingerprint(session, existing.id, signature)
        return Stored("updated", existing.id)
    if near is not None and signature is not None:
        match = near.find(signature)
        if match is not None and (story := session.get(Article, match)) is not None:
            add_source(session, story, source, url, raw)
            return Stored("duplicate", story.id)
    article = Article(
        source=source,
        url=url,
        title=raw.title[:500],
        text=raw.text,
        language=raw.language,
        author=(raw.author or "")[:300] or None,
        outlet=(raw.outlet or "")[:300] or None,
        published_at=raw.published_at,
        content_hash=digest,
    )
    _set_status(article)
    session.add(article)
    session.flush()
    # A new article has no sources and no fingerprint yet: plain inserts, no look-ups.
    session.add(_source_row(article.id, source, url, raw))
    if signature is not None:
        session.add(ArticleFingerprint(article_id=article.id, minhash=signature))
        if near is not None:
            near.add(article.id, signature)
    return Stored("new", article.id)


def add_source(
    session: Session, article: Article, source: Source | None, url: str, raw: RawArticle
) -> None:
    """Record that `source` carries `article` at `url` (once per article, source and URL)."""
    source_id = source.id if source is not None else None
    known = session.scalar(
        select(ArticleSource.id).where(
            ArticleSource.article_id == article.id,
            ArticleSource.source_id == source_id,  # "IS NULL" for None
            ArticleSource.url == url,
        )
    )
    if known is None:
        session.add(_source_row(article.id, source, url, raw))


def _source_row(article_id: int, source: Source | None, url: str, raw: RawArticle) -> ArticleSource:
    return ArticleSource(
        article_id=article_id,
        source_id=source.id if source is not None else None,
        url=url,
        outlet=(raw.outlet or "")[:300] or None,
        title=raw.title[:500] or None,
    )


def article_sources(session: Session, article_id: int) -> list[ArticleSource]:
    query = select(ArticleSource).where(ArticleSource.article_id == article_id)
    return list(session.scalars(query.order_by(ArticleSource.id)))


def near_duplicate_index(session: Session, days: int = NEAR_WINDOW_DAYS) -> NearDuplicates:
    """The signatures of the articles of the last `days`, ready for `add_article(near=…)`."""
    index = NearDuplicates()
    since = utcnow() - dt.timedelta(days=days)
    rows = session.execute(
        select(ArticleFingerprint.article_id, ArticleFingerprint.minhash).where(
            ArticleFingerprint.created_at >= since
        )
    )
    for article_id, signature in rows:
        index.add(article_id, signature)
    return index


def _may_replace(existing: Article, source: Source | None, raw: RawArticle) -> bool:
    """Another text under a known URL: its own source's edit, or a fuller text (a page
    instead of a teaser). Another feed's shorter teaser for the same link is just a source;
    otherwise two feeds would overwrite each other's text on every run."""
    same_source = source is None or existing.source_id in (None, source.id)
    return same_source or len(raw.text) > len(existing.text)


def _set_status(article: Article) -> None:
    reason = skip_reason(article.language)
    article.status, article.skip_reason = ("skipped", reason) if reason else ("new", None)


def _set_fingerprint(session: Session, article_id: int, signature: bytes | None) -> None:
    fingerprint = session.get(ArticleFingerprint, article_id)
    if signature is None:
        if fingerprint is not None:
            session.delete(fingerprint)
    elif fingerprint is None:
        session.add(ArticleFingerprint(article_id=article_id, minhash=signature))
    else:
        fingerprint.minhash, fingerprint.created_at = signature, utcnow()


def pending_ids(session: Session, limit: int | None = None) -> list[int]:
    query = select(Article.id).where(Article.status == "new").order_by(Article.id)
    return list(session.scalars(query.limit(limit)))


def day_time_column():
    """The indexed column that places an article on a day: published, else ingested."""
    return Article.day_time


# Briefings and dossiers place, rank and name articles, never read them whole: their texts (a
# day's worth of megabytes) stay in the database; reading one by mistake raises instead of
# loading each.
WITHOUT_TEXT = defer(Article.text, raiseload=True)


def articles_arrived(
    session: Session, start: dt.datetime, end: dt.datetime, oldest: dt.datetime | None = None
) -> list[Article]:
    """The articles analysed in [start, end) (naive UTC) and published no earlier than
    `oldest`, newest first."""
    query = (
        select(Article)
        .options(WITHOUT_TEXT)
        .where(
            Article.status == "analysed", Article.analysed_at >= start, Article.analysed_at < end
        )
        .order_by(Article.day_time.desc(), Article.id.desc())
    )
    if oldest is not None:
        query = query.where(Article.day_time >= oldest)
    return list(session.scalars(query))


def articles_between(session: Session, start: dt.datetime, end: dt.datetime) -> list[Article]:
    """The analysed articles published (else ingested) in [start, end) (naive UTC), newest
    first."""
    query = (
        select(Article)
        .options(WITHOUT_TEXT)
        .where(Article.status == "analysed", Article.day_time >= start, Article.day_time < end)
        .order_by(Article.day_time.desc())
    )
    return list(session.scalars(query))


def latest_day(session: Session, zone: dt.tzinfo) -> dt.date | None:
    """The local day of the newest analysed article."""
    newest = session.scalar(select(func.max(Article.day_time)).where(Article.status == "analysed"))
    if newest is None:
        return None
    return newest.replace(tzinfo=dt.UTC).astimezone(zone).date()


def analysed_without_story(session: Session, limit: int = 1000) -> list[int]:
    """Analysed articles that have no story yet (their chunk's assignment failed, or they were
    analysed before stories existed), oldest first."""
    return list(
        session.scalars(
            select(Article.id)
            .outerjoin(StoryArticle, StoryArticle.article_id == Article.id)
            .where(Article.status == "analysed", StoryArticle.article_id.is_(None))
            .order_by(Article.id)
            .limit(limit)
        )
    )
