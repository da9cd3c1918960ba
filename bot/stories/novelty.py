"""What is new in a continuing story since the reader's last briefing.

The story's articles split at `since` into those the reader could already have read (known) and
the new ones. New are: facts (sentences of new articles that no known sentence already says),
actors (people and organisations no known article named), quotes and numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.db import one_of
from bot.store.schema import Actor, Article, ArticleActor, Quote
from bot.stories.numbers import Figure, story_figures
from bot.stories.summarise import REDUNDANT, SENTENCES_PER_ARTICLE, Candidate
from bot.stories.terms import cosine, normalised, term_vector

PEOPLE = ("PER", "ORG")


@dataclass
class QuoteLine:
    speaker: str
    text: str
    article_id: int


@dataclass
class NewSince:
    """The new in a story that the reader has followed before."""

    since: dt.datetime
    known_articles: int
    new_articles: int
    facts: list[Candidate] = field(default_factory=list)  # new sentences, best first
    actors: list[str] = field(default_factory=list)
    quotes: list[QuoteLine] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)

    @property
    def anything(self) -> bool:
        return bool(self.facts or self.actors or self.quotes or self.figures)


def split_known(articles: Iterable[Article], since: dt.datetime) -> tuple[list[Article], list]:
    """(known, new): articles placed before `since` the reader could have read already."""
    known, new = [], []
    for article in articles:
        (known if article.day_time < since else new).append(article)
    return known, new


def new_facts(candidates: list[Candidate], known: Iterable[str]) -> list[Candidate]:
    """The candidates that no known sentence already says (content-word cosine); only the top
    of each article is compared, as a summary would use it."""
    candidates = [c for c in candidates if c.lead < SENTENCES_PER_ARTICLE]
    known_vectors = [normalised(term_vector([(text, 1.0)])) for text in known]
    out = []
    for candidate in candidates:
        vector = normalised(term_vector([(candidate.text, 1.0)]))
        if all(cosine(vector, other) <= REDUNDANT for other in known_vectors):
            out.append(candidate)
    return out


def new_names(new: Iterable[str], known: Iterable[str]) -> list[str]:
    """Names in `new` (in order, once each) that `known` does not contain."""
    seen = set(known)
    return [name for name in dict.fromkeys(new) if name not in seen]


def actor_names(session: Session, article_ids: list[int]) -> list[str]:
    """People and organisations of the articles, most salient first."""
    rows = session.execute(
        select(Actor.name, ArticleActor.salience)
        .join(ArticleActor, ArticleActor.actor_id == Actor.id)
        .where(one_of(session, ArticleActor.article_id, article_ids), Actor.kind.in_(PEOPLE))
        .order_by(ArticleActor.salience.desc())
    ).all()
    return [name for name, _salience in rows]


def attributed_quotes(session: Session, article_ids: list[int]) -> list[QuoteLine]:
    rows = session.execute(
        select(Actor.name, Quote.text, Quote.article_id)
        .join(Actor, Actor.id == Quote.speaker_id)
        .where(one_of(session, Quote.article_id, article_ids), Quote.direct.is_(True))
        .order_by(Quote.article_id, Quote.start_char)
    ).all()
    return [QuoteLine(name, text, article_id) for name, text, article_id in rows]


def candidate_figures(candidates: Iterable[Candidate]) -> list[Figure]:
    return story_figures((c.article_id, c.position, c.text) for c in candidates)


def what_is_new(
    session: Session,
    known: list[Article],
    new: list[Article],
    new_candidates: list[Candidate],
    known_candidates: list[Candidate],
    since: dt.datetime,
) -> NewSince:
    """Everything new in `new` against `known` (both the story's articles)."""
    known_ids, new_ids = [a.id for a in known], [a.id for a in new]
    known_texts = [c.text for c in known_candidates if c.lead < SENTENCES_PER_ARTICLE]
    old_quotes = {q.text for q in attributed_quotes(session, known_ids)}
    quotes = [
        q
        for q in attributed_quotes(session, new_ids)
        if q.text not in old_quotes and len(q.text.split()) >= 5
    ]
    old_numbers = {f.number for f in candidate_figures(known_candidates)}
    figures = [f for f in candidate_figures(new_candidates) if f.number not in old_numbers]
    return NewSince(
        since=since,
        known_articles=len(known),
        new_articles=len(new),
        facts=new_facts(new_candidates, known_texts),
        actors=new_names(actor_names(session, new_ids), actor_names(session, known_ids)),
        quotes=quotes,
        figures=figures,
    )
