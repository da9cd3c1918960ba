"""The store's tables, as SQLAlchemy 2 ORM models. Portable SQL only: SQLite and PostgreSQL.

Changing a table means adding an Alembic migration in `bot/store/migrations/versions/`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy import true as sa_true
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Named constraints keep migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """Naive UTC: every timestamp in the store is UTC without tzinfo."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Source(Base):
    __tablename__ = "sources"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # files | feed | page
    location: Mapped[str] = mapped_column(String(2000), unique=True)  # folder path or URL
    title: Mapped[str | None] = mapped_column(String(500))
    added_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_success_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    last_error_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    # Feeds (bot/collect/sources.py): who added it, whether it is still collected, the feed
    # found at `location` (autodiscovery, permanent redirects), and the last run in one line.
    origin: Mapped[str | None] = mapped_column(String(16))  # config | user
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    feed_url: Mapped[str | None] = mapped_column(String(2000))
    last_status: Mapped[str | None] = mapped_column(String(300))


class Article(Base):
    __tablename__ = "articles"
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000), unique=True)  # canonical URL or file URI
    title: Mapped[str] = mapped_column(String(500))
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
    author: Mapped[str | None] = mapped_column(String(300))
    outlet: Mapped[str | None] = mapped_column(String(300))  # the publisher's name, if known
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    ingested_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # new → analysed | skipped (skip_reason says why)
    status: Mapped[str] = mapped_column(String(16), default="new", index=True)
    skip_reason: Mapped[str | None] = mapped_column(String(300))
    analysed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    source: Mapped[Source | None] = relationship()

    @property
    def day_time(self) -> dt.datetime:
        """The time that places an article on a day: published, else ingested."""
        return self.published_at or self.ingested_at


class ArticleSource(Base):
    """Where an article was found: one row per source and URL, so the same agency story on
    three sites is one article with three sources."""

    __tablename__ = "article_sources"
    __table_args__ = (
        UniqueConstraint("article_id", "source_id", "url", name="uq_article_sources_article_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="SET NULL"), index=True
    )
    url: Mapped[str] = mapped_column(String(2000))  # canonical URL of this copy
    outlet: Mapped[str | None] = mapped_column(String(300))
    title: Mapped[str | None] = mapped_column(String(500))
    seen_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class FeedItem(Base):
    """A feed item already handled: a known, unedited item costs no page fetch and no analysis."""

    __tablename__ = "feed_items"
    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True
    )
    item_key: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the guid
    digest: Mapped[str] = mapped_column(String(64))  # sha256 of what the item said
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL"), index=True
    )
    first_seen_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)


class ArticleFingerprint(Base):
    """An article's MinHash signature (bot/collect/dedup.py), for near-duplicate detection."""

    __tablename__ = "article_fingerprints"
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    minhash: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)


class Actor(Base):
    """A person, organisation or place: one row per real-world actor across all articles."""

    __tablename__ = "actors"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    kind: Mapped[str] = mapped_column(String(8))  # PER | ORG | LOC
    first_seen_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ActorAlias(Base):
    """A spelling under which an actor appears ("Selenskyj", "Volodymyr Zelenskyy", "Maduro"):
    one actor per spelling. `name_key` folds case, accents and transliteration
    (bot/analyse/names.py), `last_key` is the key of the last word, so a bare surname finds its
    full name through an index. Moving an alias to another actor undoes a merge."""

    __tablename__ = "actor_aliases"
    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    name_key: Mapped[str] = mapped_column(String(300), index=True)
    last_key: Mapped[str] = mapped_column(String(100), index=True)
    words: Mapped[int] = mapped_column(Integer, default=1)
    uses: Mapped[int] = mapped_column(Integer, default=0)  # articles that wrote it this way


class ArticleAlias(Base):
    """Which spellings of its actors an article used: what a reversed merge moves back."""

    __tablename__ = "article_aliases"
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    alias_id: Mapped[int] = mapped_column(
        ForeignKey("actor_aliases.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    alias: Mapped[ActorAlias] = relationship()


class ArticleActor(Base):
    __tablename__ = "article_actors"
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id"), primary_key=True, index=True)
    role: Mapped[str | None] = mapped_column(String(300))
    mentions: Mapped[int] = mapped_column(Integer, default=1)
    salience: Mapped[float] = mapped_column(Float, default=0.0)

    actor: Mapped[Actor] = relationship()
    article: Mapped[Article] = relationship()


class Mention(Base):
    __tablename__ = "mentions"
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id"), index=True)
    text: Mapped[str] = mapped_column(String(300))
    label: Mapped[str] = mapped_column(String(8))
    start_char: Mapped[int] = mapped_column(Integer)
    end_char: Mapped[int] = mapped_column(Integer)
    sentence: Mapped[int] = mapped_column(Integer)


class Quote(Base):
    __tablename__ = "quotes"
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    speaker_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    cue: Mapped[str | None] = mapped_column(String(100))
    start_char: Mapped[int] = mapped_column(Integer)
    sentence: Mapped[int] = mapped_column(Integer)
    direct: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())

    speaker: Mapped[Actor | None] = relationship()
    article: Mapped[Article] = relationship()


class Sentence(Base):
    """Every sentence of an analysed article; key sentences carry their rank."""

    __tablename__ = "sentences"
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    boilerplate: Mapped[bool] = mapped_column(Boolean, default=False)
    key_rank: Mapped[int | None] = mapped_column(Integer)  # 0 = the article's best sentence
    score: Mapped[float | None] = mapped_column(Float)


class Story(Base):
    """Articles that tell the same story, across sources and days (bot/stories/cluster.py).

    `terms` and `actors` are the story's running centroid — a new article is compared with it
    and added to it, so assignment is incremental and never re-clusters old articles."""

    __tablename__ = "stories"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(500))  # the headline that opened the story
    first_seen_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)  # article times
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    article_count: Mapped[int] = mapped_column(Integer, default=0)
    terms: Mapped[dict] = mapped_column(JSON, default=dict)  # content-word stem → weight
    actors: Mapped[dict] = mapped_column(JSON, default=dict)  # actor id (text) → weight
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class StoryArticle(Base):
    """Which story an article belongs to: one story per article, kept once assigned."""

    __tablename__ = "story_articles"
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    similarity: Mapped[float] = mapped_column(Float, default=0.0)  # to the story when it joined
    assigned_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class StoryTermDay(Base):
    """In how many of a day's articles a term occurs, counted as articles are given their story:
    the background the story clustering takes its IDF from (bot/stories/cluster.py), so it does
    not depend on which articles were assigned together. The empty term counts the day's
    articles."""

    __tablename__ = "story_term_days"
    term: Mapped[str] = mapped_column(String(100), primary_key=True)  # looked up by term
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True, index=True)
    articles: Mapped[int] = mapped_column(Integer, default=0)


class Edition(Base):
    """A briefing rendered for one window and language, stored once and shared by every reader
    it goes to: a delivery names its edition, so whichever process sends or resumes it sends
    the very same parts."""

    __tablename__ = "editions"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of what selects it
    language: Mapped[str] = mapped_column(String(8))
    window_start: Mapped[dt.datetime] = mapped_column(DateTime)
    window_end: Mapped[dt.datetime] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    parts: Mapped[list] = mapped_column(JSON, default=list)  # Telegram HTML, ≤ 4096 each
    buttons: Mapped[list] = mapped_column(JSON, default=list)  # [[label, command], …]
    article_ids: Mapped[list] = mapped_column(JSON, default=list)
    actor_ids: Mapped[list] = mapped_column(JSON, default=list)


class Subscriber(Base):
    __tablename__ = "subscribers"
    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    chat_type: Mapped[str] = mapped_column(String(16), default="private")
    language: Mapped[str] = mapped_column(String(8), default="de")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Berlin")
    delivery_time: Mapped[str] = mapped_column(String(5), default="07:00")  # HH:MM local
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    subscribed: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_briefing_day: Mapped[dt.date | None] = mapped_column(Date)


class Delivery(Base):
    """One briefing for one subscriber for one day's slot: written before sending, completed
    after. A process works on it only while it holds the lease (`owner`, renewed at
    `claimed_at` with every part sent); a lease older than `delivery.lease_seconds` belongs to a
    process that died and is taken over."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("subscriber_id", "day", name="uq_deliveries_subscriber_day"),
        Index("ix_deliveries_subscriber_state", "subscriber_id", "state", "window_end"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    day: Mapped[dt.date] = mapped_column(Date)
    # pending → sent | blocked | failed | empty (nothing new in its window: nothing sent)
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    parts_sent: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    error: Mapped[str | None] = mapped_column(String(500))
    # What the briefing covers ([start, end), naive UTC): the next one starts where it ended.
    window_start: Mapped[dt.datetime | None] = mapped_column(DateTime)
    window_end: Mapped[dt.datetime | None] = mapped_column(DateTime)
    edition_id: Mapped[int | None] = mapped_column(
        ForeignKey("editions.id", ondelete="SET NULL"), index=True
    )
    owner: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Lease(Base):
    """A named lease across processes: the one process that runs a scheduled job this tick
    (`job:collect`, `job:deliver`) holds it until `until`."""

    __tablename__ = "leases"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner: Mapped[str | None] = mapped_column(String(64))
    until: Mapped[dt.datetime | None] = mapped_column(DateTime)


class SendBudget(Base):
    """Telegram's overall sending rate, shared by every process: `next_at` (Unix time) is the
    next free moment to send; taking it moves it on by one interval (bot/deliver.py)."""

    __tablename__ = "send_budget"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    next_at: Mapped[float] = mapped_column(Float, default=0.0)


class Follow(Base):
    __tablename__ = "follows"
    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), primary_key=True
    )
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id"), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class FollowNotice(Base):
    """A push sent to a reader about a followed actor: once per actor per story."""

    __tablename__ = "follow_notices"
    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), primary_key=True
    )
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id"), primary_key=True)
    story_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class ArticleTopic(Base):
    """A topic of an article (bot/collect/topics.py TOPICS): one or more per article."""

    __tablename__ = "article_topics"
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    topic: Mapped[str] = mapped_column(String(16), primary_key=True)


class ReaderFilterEntry(Base):
    """One of a reader's filters: a topic switched off ("topic"), a muted word or topic
    ("mute"), or a word the briefing is limited to ("only")."""

    __tablename__ = "reader_filters"
    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    value: Mapped[str] = mapped_column(String(100), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
