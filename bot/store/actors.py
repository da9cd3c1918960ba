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


def _weights(session: Session) -> dict[int, int]:
    rows = session.execute(
        select(ArticleActor.actor_id, func.count()).group_by(ArticleActor.actor_id)
    )
    return dict(rows.all())


def find_actor(session: Session, query: str, limit: int = 5) -> ActorMatch:
    query = " ".join(query.split())[:200]
    if query.startswith("#") and query[1:].isdigit():
        actor = session.get(Actor, int(query[1:]))
        return ActorMatch([actor] if actor else [], [])
    if not query:
        return ActorMatch([], [])
    key = query.casefold()
    keys = {key, key.removesuffix("s"), key.removesuffix("'s"), key.removesuffix("’s")}
    actors = list(session.scalars(select(Actor)))
    weights = _weights(session)

    def ranked(found: list[Actor]) -> list[Actor]:
        return sorted(found, key=lambda a: (-weights.get(a.id, 0), a.name))[:limit]

    exact = [a for a in actors if a.name.casefold() in keys]
    if exact:
        return ActorMatch(ranked(exact), [])
    # A surname or any whole word of the name: "rubio" → "Marco Rubio".
    words = [a for a in actors if keys & set(a.name.casefold().split())]
    if words:
        return ActorMatch(ranked(words), [])
    # Typos: compare with whole names and with each word of a name ("Rubo" ~ "Rubio").
    best: dict[int, float] = {}
    for a in actors:
        forms = [a.name, *a.name.split()]
        score = max(fuzz.ratio(query, form, processor=utils.default_process) for form in forms)
        if score >= 60:
            best[a.id] = score
    by_id = {a.id: a for a in actors}
    scored = sorted(best.items(), key=lambda kv: (-kv[1], -weights.get(kv[0], 0)))
    if (
        scored
        and scored[0][1] >= FUZZY_CUTOFF
        and (len(scored) == 1 or scored[1][1] < scored[0][1] - 5)
    ):
        return ActorMatch([by_id[scored[0][0]]], [])
    return ActorMatch([], [by_id[i] for i, _score in scored[:limit]])


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
