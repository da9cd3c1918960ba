"""Finding actors by what a reader types: "rubio", "Rubios", "Marco Rubio", "Rubo"."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, utils
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.store.schema import Actor, ArticleActor

FUZZY_CUTOFF = 80


@dataclass
class ActorMatch:
    exact: list[Actor]  # one: that's the actor; several: let the reader pick
    close: list[Actor]  # suggestions when nothing matched well


def _weights(session: Session, ids: list[int]) -> dict[int, int]:
    """How many articles name each of these actors: the more, the likelier the one meant."""
    rows = session.execute(
        select(ArticleActor.actor_id, func.count())
        .where(ArticleActor.actor_id.in_(ids))
        .group_by(ArticleActor.actor_id)
    )
    return dict(rows.all())


class _NameIndex:
    """Every actor's name and its words, case-folded — rebuilt only when actors change, so a
    lookup does not load thousands of rows."""

    def __init__(self) -> None:
        self.version: tuple | None = None
        self.names: list[tuple[int, str, frozenset[str]]] = []

    def current(self, session: Session) -> list[tuple[int, str, frozenset[str]]]:
        version = tuple(
            session.execute(
                select(func.count(Actor.id), func.max(Actor.id), func.max(Actor.last_seen_at))
            ).one()
        )
        if version != self.version:
            rows = session.execute(select(Actor.id, Actor.name)).all()
            self.names = [(i, name, frozenset(name.casefold().split())) for i, name in rows]
            self.version = version
        return self.names


_INDEXES: dict[str, _NameIndex] = {}


def _index(session: Session) -> list[tuple[int, str, frozenset[str]]]:
    key = str(session.get_bind().url)
    return _INDEXES.setdefault(key, _NameIndex()).current(session)


def find_actor(session: Session, query: str, limit: int = 5) -> ActorMatch:
    query = " ".join(query.split())[:200]
    if query.startswith("#") and query[1:].isdigit():
        actor = session.get(Actor, int(query[1:]))
        return ActorMatch([actor] if actor else [], [])
    if not query:
        return ActorMatch([], [])
    key = query.casefold()
    keys = {key, key.removesuffix("s"), key.removesuffix("'s"), key.removesuffix("’s")}
    names = _index(session)

    def ranked(ids: list[int]) -> list[Actor]:
        weights = _weights(session, ids)
        best = sorted(ids, key=lambda i: -weights.get(i, 0))[:limit]
        actors = {a.id: a for a in session.scalars(select(Actor).where(Actor.id.in_(best)))}
        return sorted(actors.values(), key=lambda a: (-weights.get(a.id, 0), a.name))

    exact = [i for i, name, _words in names if name.casefold() in keys]
    if exact:
        return ActorMatch(ranked(exact), [])
    # A surname or any whole word of the name: "rubio" → "Marco Rubio".
    words = [i for i, _name, name_words in names if keys & name_words]
    if words:
        return ActorMatch(ranked(words), [])
    # Typos: compare with whole names and with each word of a name ("Rubo" ~ "Rubio").
    best: dict[int, float] = {}
    for i, name, _words in names:
        forms = [name, *name.split()]
        score = max(fuzz.ratio(query, form, processor=utils.default_process) for form in forms)
        if score >= 60:
            best[i] = score
    scored = sorted(best.items(), key=lambda kv: -kv[1])
    if (
        scored
        and scored[0][1] >= FUZZY_CUTOFF
        and (len(scored) == 1 or scored[1][1] < scored[0][1] - 5)
    ):
        return ActorMatch([session.get(Actor, scored[0][0])], [])
    return ActorMatch([], ranked([i for i, _score in scored[: limit * 4]]))


def top_actors(session: Session, article_ids: list[int], limit: int = 8) -> list[Actor]:
    rows = session.execute(
        select(Actor, func.sum(ArticleActor.salience).label("weight"))
        .join(ArticleActor, ArticleActor.actor_id == Actor.id)
        .where(ArticleActor.article_id.in_(article_ids), Actor.kind.in_(("PER", "ORG")))
        .group_by(Actor.id)
        .order_by(func.sum(ArticleActor.salience).desc())
        .limit(limit)
    )
    return [row[0] for row in rows]
