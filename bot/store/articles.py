"""Articles and sources in the store."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Table, func, or_, select
from sqlalchemy.orm import Session, defer

from bot.collect.dedup import (
    NEAR_WINDOW_DAYS,
    NearDuplicates,
    canonical_url,
    content_hash,
    minhash,
)
from bot.collect.types import RawArticle
from bot.language import skip_reason
from bot.store.db import fit_strings, insert_rows, one_of, reserve_ids
from bot.store.leases import COLLECTING, holder
from bot.store.schema import (
    Article,
    ArticleFingerprint,
    ArticleSource,
    Source,
    StoryArticle,
    utcnow,
)

IN_LIST = 500  # values per IN (...) of a look-up


@dataclass(frozen=True)
class Stored:
    outcome: str  # new | updated | unchanged | duplicate
    article_id: int  # the article that now holds the text (the earlier one for a duplicate)


class ArticleLookups(Protocol):
    """What storing an article looks up and adds through: a batch's (`ArticleBatch`: read up
    front, written together) or one article's (`_OneAtATime`: straight from and to the store)."""

    signatures: list[int]  # the articles added to the near-duplicate index

    def key(self, raw: RawArticle) -> tuple[str, str]: ...
    def by_url(self, url: str) -> Article | None: ...
    def by_hash(self, digest: str) -> Article | None: ...
    def rehash(self, article: Article, old: str) -> None: ...
    def get(self, article_id: int) -> Article | None: ...
    def add(self, article: Article) -> None: ...
    def add_row(self, row: ArticleSource | ArticleFingerprint) -> None: ...
    def set_fingerprint(self, article_id: int, signature: bytes | None) -> None: ...
    def source_known(self, article_id: int, source_id: int | None, url: str) -> bool: ...


class ArticleBatch:
    """What storing a batch of articles looks up, read in one query for the whole batch (the
    stored articles with its URLs or texts) and kept up to date as the batch adds articles.
    New articles get their ids up front, so nothing is flushed until the batch ends: one
    statement per table (`insert_rows`) instead of statements per article. The batch's unit of
    work holds the write lock (SQLite: its savepoint begins IMMEDIATE), so the reserved ids
    stay free."""

    def __init__(self, session: Session, raws: list[RawArticle]) -> None:
        self.session = session
        self.urls: dict[str, Article] = {}
        self.hashes: dict[str, Article] = {}
        self.added: dict[int, Article] = {}
        self.sources: set[tuple[int, int | None, str]] = set()
        self.signatures: list[int] = []  # what the batch added to the near-duplicate index
        self.rows: dict[Table, list[dict]] = {}  # rows of the new articles, inserted at `write`
        keys = [(canonical_url(raw.url), content_hash(raw.text)) for raw in raws]
        self._keys = {id(raw): key for raw, key in zip(raws, keys, strict=True)}
        urls, hashes = sorted({u for u, _h in keys}), sorted({h for _u, h in keys})
        for start in range(0, max(len(urls), len(hashes)), IN_LIST):
            for article in session.scalars(
                select(Article).where(
                    or_(
                        one_of(session, Article.url, urls[start : start + IN_LIST]),
                        one_of(session, Article.content_hash, hashes[start : start + IN_LIST]),
                    )
                )
            ):
                self._enter(article)
        # Ids for the items that look new (on PostgreSQL one that turns out a near-duplicate
        # leaves a gap in the sequence, as a rolled-back insert would).
        unknown = {h for u, h in keys if u not in self.urls and h not in self.hashes}
        self._ids = reserve_ids(session, Article.__table__, len(unknown))

    def _enter(self, article: Article) -> None:
        self.urls.setdefault(article.url, article)
        self.hashes.setdefault(article.content_hash, article)

    def key(self, raw: RawArticle) -> tuple[str, str]:
        """The item's canonical URL and content hash."""
        known = self._keys.get(id(raw))
        return known if known is not None else (canonical_url(raw.url), content_hash(raw.text))

    def by_url(self, url: str) -> Article | None:
        return self.urls.get(url)

    def by_hash(self, digest: str) -> Article | None:
        return self.hashes.get(digest)

    def rehash(self, article: Article, old: str) -> None:
        if self.hashes.get(old) is article:
            del self.hashes[old]
        self.hashes.setdefault(article.content_hash, article)

    def get(self, article_id: int) -> Article | None:
        return self.added.get(article_id) or self.session.get(Article, article_id)

    def add(self, article: Article) -> None:
        if not self._ids:  # more new articles than foreseen
            taken = max(self.added, default=0)
            self._ids = [max(reserve_ids(self.session, Article.__table__, 1)[0], taken + 1)]
        # Not added to the session: the ORM would insert it alone and read its generated
        # day_time back; it is inserted with the batch's other new articles at `write`.
        article.id = self._ids.pop(0)
        article.source_id = article.source.id if article.source is not None else None
        article.ingested_at = utcnow()
        self.added[article.id] = article
        self._enter(article)

    def add_row(self, row: ArticleSource | ArticleFingerprint) -> None:
        """A row to insert after the batch's articles (one statement per table)."""
        table = row.__table__
        # Unset columns are left out, so their defaults apply (seen_at, created_at).
        values = {c.key: getattr(row, c.key) for c in table.columns}
        values = {k: v for k, v in values.items() if v is not None or table.c[k].default is None}
        values.pop("id", None)
        self.rows.setdefault(table, []).append(fit_strings(table, values))

    def set_fingerprint(self, article_id: int, signature: bytes | None) -> None:
        """An updated article's signature (it may be one the batch added)."""
        if article_id not in self.added:
            _set_fingerprint(self.session, article_id, signature)
            return
        table = ArticleFingerprint.__table__
        rows = [r for r in self.rows.get(table, []) if r["article_id"] != article_id]
        self.rows[table] = rows
        if signature is not None:
            self.add_row(ArticleFingerprint(article_id=article_id, minhash=signature))

    def write(self) -> None:
        """Write the batch: its new articles (one statement), the changes to stored ones (one
        flush), then the rows that refer to them."""
        if self.added:
            table = Article.__table__
            columns = [c.key for c in table.columns if c.computed is None]
            rows = [
                fit_strings(table, {key: getattr(article, key) for key in columns})
                for article in self.added.values()
            ]
            insert_rows(self.session, table, rows)
        self.session.flush()
        for table, rows in self.rows.items():
            insert_rows(self.session, table, rows)
        self.rows = {}

    def source_known(self, article_id: int, source_id: int | None, url: str) -> bool:
        """Whether the article has this source already (stored, or earlier in the batch)."""
        key = (article_id, source_id, url)
        if key in self.sources:
            return True
        self.sources.add(key)
        return article_id not in self.added and _source_stored(
            self.session, article_id, source_id, url
        )


class _OneAtATime:
    """One article, looked up in the store directly; its id comes from its insert."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.signatures: list[int] = []

    def key(self, raw: RawArticle) -> tuple[str, str]:
        return canonical_url(raw.url), content_hash(raw.text)

    def by_url(self, url: str) -> Article | None:
        return self.session.scalar(select(Article).where(Article.url == url))

    def by_hash(self, digest: str) -> Article | None:
        return self.session.scalar(select(Article).where(Article.content_hash == digest))

    def rehash(self, article: Article, old: str) -> None:
        pass

    def get(self, article_id: int) -> Article | None:
        return self.session.get(Article, article_id)

    def add(self, article: Article) -> None:
        self.session.add(article)
        self.session.flush()

    def add_row(self, row: ArticleSource | ArticleFingerprint) -> None:
        self.session.add(row)

    def set_fingerprint(self, article_id: int, signature: bytes | None) -> None:
        _set_fingerprint(self.session, article_id, signature)

    def source_known(self, article_id: int, source_id: int | None, url: str) -> bool:
        return _source_stored(self.session, article_id, source_id, url)


def add_article(
    session: Session,
    raw: RawArticle,
    source: Source | None,
    near: NearDuplicates | None = None,
    batch: ArticleBatch | None = None,
) -> Stored:
    """Store one article: 'new', 'updated' (same URL, new text), 'unchanged', or 'duplicate'
    (the same text, or with `near` a near-duplicate of a recent article, under another URL:
    the article gains this source instead of a twin). An article in a language that is not
    analysed is stored as skipped, with the reason. With `batch` (made for the items this one
    belongs to), its look-ups come from the batch and its rows are written when the batch is
    flushed."""
    known: ArticleLookups = batch if batch is not None else _OneAtATime(session)
    url, digest = known.key(raw)
    existing = known.by_url(url)
    if existing is not None and existing.content_hash == digest:
        _add_source(known, existing.id, source, url, raw)
        return Stored("unchanged", existing.id)
    twin = known.by_hash(digest)
    if twin is not None:
        _add_source(known, twin.id, source, url, raw)
        return Stored("duplicate", twin.id)
    if existing is not None and not _may_replace(existing, source, raw):
        _add_source(known, existing.id, source, url, raw)
        return Stored("duplicate", existing.id)
    signature = minhash(raw.text)
    if existing is not None:
        _add_source(known, existing.id, source, url, raw)
        old = existing.content_hash
        existing.title, existing.text, existing.content_hash = raw.title[:500], raw.text, digest
        known.rehash(existing, old)
        existing.published_at = raw.published_at or existing.published_at
        existing.language = raw.language or existing.language
        _set_status(existing)
        known.set_fingerprint(existing.id, signature)
        return Stored("updated", existing.id)
    if near is not None and signature is not None:
        match = near.find(signature)
        if match is not None and (story := known.get(match)) is not None:
            _add_source(known, story.id, source, url, raw)
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
    known.add(article)
    _add_source(known, article.id, source, url, raw)  # a batch knows it is new: no look-up
    if signature is not None:
        known.add_row(ArticleFingerprint(article_id=article.id, minhash=signature))
        if near is not None:
            near.add(article.id, signature)
            known.signatures.append(article.id)
    return Stored("new", article.id)


def _add_source(
    known: ArticleLookups, article_id: int, source: Source | None, url: str, raw: RawArticle
) -> None:
    """Record that `source` carries the article at `url` (once per article, source and URL)."""
    if not known.source_known(article_id, source.id if source is not None else None, url):
        known.add_row(_source_row(article_id, source, url, raw))


def _source_stored(session: Session, article_id: int, source_id: int | None, url: str) -> bool:
    found = session.scalar(
        select(ArticleSource.id).where(
            ArticleSource.article_id == article_id,
            ArticleSource.source_id == source_id,  # "IS NULL" for None
            ArticleSource.url == url,
        )
    )
    return found is not None


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


@dataclass(frozen=True)
class NewsState:
    """What a briefing is built from: `version` changes with every stored or analysed article;
    `collecting` while a collection holds its lease (more news is on its way)."""

    version: tuple
    collecting: bool


def news_state(session: Session) -> NewsState:
    """The store's news now (index look-ups only)."""
    newest = select(func.max(Article.analysed_at)).where(Article.status == "analysed")
    version = (session.scalar(select(func.max(Article.id))), session.scalar(newest))
    return NewsState(version, holder(session, COLLECTING, utcnow()) is not None)
