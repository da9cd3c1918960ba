"""Writing analysis results: actors resolved across articles, mentions, quotes, sentences."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.analyse.types import ActorInfo, ArticleAnalysis
from bot.store.schema import (
    Actor,
    Article,
    ArticleActor,
    Mention,
    Quote,
    Sentence,
    utcnow,
)


def resolve_actor(session: Session, info: ActorInfo) -> Actor:
    """The stored actor for a name: the same name, or for a bare surname the one person whose
    full name ends with it. A full name adopts an earlier bare-surname actor."""
    actor = session.scalar(select(Actor).where(Actor.name == info.name))
    if actor is not None:
        return actor
    if info.kind == "PER" and " " not in info.name:
        owners = list(
            session.scalars(
                select(Actor).where(Actor.kind == "PER", Actor.name.like(f"% {info.name}")).limit(2)
            )
        )
        if len(owners) == 1:
            return owners[0]
    if info.kind == "PER" and " " in info.name:
        surname = info.name.rsplit(" ", 1)[1]
        bare = session.scalar(select(Actor).where(Actor.name == surname, Actor.kind == "PER"))
        others = session.scalar(
            select(Actor.id).where(Actor.kind == "PER", Actor.name.like(f"% {surname}")).limit(1)
        )
        if bare is not None and others is None:
            bare.name = info.name
            return bare
    actor = Actor(name=info.name, kind=info.kind)
    session.add(actor)
    session.flush()
    return actor


def clear_analysis(session: Session, article_id: int) -> None:
    for table in (Mention, Quote, Sentence, ArticleActor):
        session.execute(delete(table).where(table.article_id == article_id))


def save_analysis(session: Session, article: Article, analysis: ArticleAnalysis) -> None:
    """Replace the article's analysis (re-running changes nothing) and mark it analysed."""
    clear_analysis(session, article.id)
    ids: dict[str, int] = {}
    now = utcnow()
    for info in analysis.actors:
        actor = resolve_actor(session, info)
        actor.last_seen_at = now
        ids[info.name] = actor.id
        # Two names of one article can resolve to one actor ("Rubio" and "Marco Rubio").
        existing = session.get(ArticleActor, (article.id, actor.id))
        if existing is not None:
            existing.mentions += info.mentions
            existing.salience += info.salience
            existing.role = existing.role or info.role
        else:
            session.add(
                ArticleActor(
                    article_id=article.id,
                    actor_id=actor.id,
                    role=info.role,
                    mentions=info.mentions,
                    salience=info.salience,
                )
            )
    session.add_all(
        Mention(
            article_id=article.id,
            actor_id=ids[m.name],
            text=m.text[:300],
            label=m.label,
            start_char=m.start_char,
            end_char=m.end_char,
            sentence=m.sentence,
        )
        for m in analysis.mentions
        if m.name in ids
    )
    session.add_all(
        Quote(
            article_id=article.id,
            speaker_id=ids.get(q.speaker) if q.speaker else None,
            text=q.text,
            cue=q.cue,
            start_char=q.start_char,
            sentence=q.sentence,
            direct=q.direct,
        )
        for q in analysis.quotes
    )
    keys = {k.position: (rank, k.score) for rank, k in enumerate(analysis.key_sentences)}
    session.add_all(
        Sentence(
            article_id=article.id,
            position=i,
            text=text,
            boilerplate=i in analysis.boilerplate,
            key_rank=keys.get(i, (None, None))[0],
            score=keys.get(i, (None, None))[1],
        )
        for i, text in enumerate(analysis.sentences)
    )
    article.language = analysis.language
    article.status, article.skip_reason, article.analysed_at = "analysed", None, now


def mark_skipped(session: Session, article: Article, reason: str) -> None:
    clear_analysis(session, article.id)
    article.status, article.skip_reason, article.analysed_at = "skipped", reason[:300], utcnow()
