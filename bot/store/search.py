"""Full-text search over the articles' sentences, through the engine's own index: SQLite FTS5
(unicode61 with diacritics removed: case- and accent-insensitive) or PostgreSQL tsvector with
the German configuration (stems). Both are kept in sync by the database (migration 0010).

A word matches the tokens it begins ("Flücht" finds "Flüchtlinge"); every word must occur in
the same sentence. A word with characters the index does not keep ("100%") must also occur as
written, checked on the candidates.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import and_, func, literal_column, select, table, text
from sqlalchemy.orm import Session

from bot.store.articles import WITHOUT_TEXT
from bot.store.schema import Article, Sentence

_TOKEN = re.compile(r"\w+")
ROWID_SHIFT = 65536  # sentence_search.rowid = article_id * 65536 + position (migration 0010)


@dataclass(frozen=True)
class Hit:
    article: Article
    sentence: str


def fold(value: str) -> str:
    """Lower case without accents: how a word and a sentence are compared."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def search_sentences(
    session: Session, words: list[str], since: dt.datetime, limit: int = 200
) -> list[Hit]:
    """Sentences (not boilerplate) of articles from `since` on that contain every word, newest
    article first, in text order within an article."""
    tokens = [token for word in words for token in _TOKEN.findall(word)]
    if not tokens:
        return []
    query = select(Article, Sentence.text).options(WITHOUT_TEXT)  # a hit shows its sentence
    if session.get_bind().dialect.name == "postgresql":
        document = func.to_tsvector(literal_column("'german'"), Sentence.text)
        found = func.to_tsquery(literal_column("'german'"), tsquery(tokens))
        query = query.join(Sentence, Sentence.article_id == Article.id).where(
            document.op("@@")(found)
        )
    else:  # from the FTS5 matches to their sentences and articles by primary key
        # `+ 0`: a bare min(id) lets SQLite walk ix_articles_status in id order and test every
        # analysed article's day (130 ms at 100,000); this reads the (status, day_time) range.
        first = session.scalar(
            select(func.min(Article.id + 0)).where(
                Article.status == "analysed", Article.day_time >= since
            )
        )
        if first is None:
            return []
        # Rowids below the window's first article cannot be in it: FTS5 skips them by range
        # (article ids grow with time, so this leaves about the window's own matches).
        matched = (
            select(literal_column("rowid").label("key"))
            .select_from(table("sentence_search"))
            .where(
                text("sentence_search MATCH :query AND rowid >= :low").bindparams(
                    query=fts5_query(tokens), low=first * ROWID_SHIFT
                )
            )
            .subquery("matched")
        )
        query = (
            query.select_from(matched)
            .join(
                Sentence,
                and_(
                    Sentence.article_id == literal_column(f"matched.key / {ROWID_SHIFT}"),
                    Sentence.position == literal_column(f"matched.key % {ROWID_SHIFT}"),
                ),
            )
            .join(Article, Article.id == Sentence.article_id)
        )
    rows = session.execute(
        query.where(Sentence.boilerplate.is_(False), Article.day_time >= since)
        .order_by(Article.day_time.desc(), Article.id, Sentence.position)
        .limit(limit)
    ).all()
    exact = [fold(word) for word in words if not _TOKEN.fullmatch(word)]
    return [
        Hit(article, sentence)
        for article, sentence in rows
        if all(word in fold(sentence) for word in exact)
    ]


def fts5_query(tokens: list[str]) -> str:
    """Every token as a quoted prefix: '"riad"* AND "wien"*' (tokens are \\w only)."""
    return " AND ".join(f'"{token}"*' for token in tokens)


def tsquery(tokens: list[str]) -> str:
    """Every token as a prefix, stemmed by the German configuration: 'riad:* & wien:*'."""
    return " & ".join(f"{token}:*" for token in tokens)
