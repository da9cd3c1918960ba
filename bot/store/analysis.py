"""Writing analysis results: actors resolved across articles (bot/store/actors.py), mentions,
quotes, sentences."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from bot.analyse.types import ArticleAnalysis
from bot.store.actors import forget_spellings, record_spellings, resolve_actor
from bot.store.schema import (
    Article,
    ArticleActor,
    Mention,
    Quote,
    Sentence,
    utcnow,
)


def clear_analysis(session: Session, article_id: int) -> None:
    forget_spellings(session, article_id)
    for table in (Mention, Quote, Sentence, ArticleActor):
        session.execute(delete(table).where(table.article_id == article_id))


def save_analysis(session: Session, article: Article, analysis: ArticleAnalysis) -> None:
    """Replace the article's analysis (re-running changes nothing) and mark it analysed."""
    if article.analysed_at is not None:  # a new article has nothing to replace
        clear_analysis(session, article.id)
    ids: dict[str, int] = {}
    now = utcnow()
    counted: set = set()
    rows: dict[int, ArticleActor] = {}
    for info in analysis.actors:
        actor, spelling = resolve_actor(session, info)
        actor.last_seen_at = now
        ids[info.name] = actor.id
        record_spellings(session, article.id, actor, [spelling, *info.surnames], counted)
        # Two names of one article can resolve to one actor ("Rubio" and "Marco Rubio"); the
        # article's old rows are gone, so its rows are the ones made here.
        existing = rows.get(actor.id)
        if existing is not None:
            existing.mentions += info.mentions
            existing.salience += info.salience
            existing.role = existing.role or info.role
        else:
            rows[actor.id] = ArticleActor(
                article_id=article.id,
                actor_id=actor.id,
                role=info.role,
                mentions=info.mentions,
                salience=info.salience,
            )
            session.add(rows[actor.id])
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
