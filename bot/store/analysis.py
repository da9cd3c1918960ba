"""Writing analysis results: actors resolved across articles (bot/store/actors.py), mentions,
quotes, sentences — a chunk of articles at a time, its rows inserted together (one statement per
table: `insert_rows`)."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from bot.analyse.types import ArticleAnalysis
from bot.store.actors import (
    actor_book,
    forget_spellings,
    prefetch,
    record_spellings,
    resolve_actor,
    write_pending,
)
from bot.store.db import update_rows
from bot.store.schema import (
    Actor,
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
    save_analyses(session, [(article, analysis)])


def save_analyses(
    session: Session, results: list[tuple[Article, ArticleAnalysis]]
) -> dict[int, dict[str, Actor]]:
    """`save_analysis` for several articles, in order: their names looked up together, their
    rows written together. Returns each article's actors by the names its analysis gave them
    (written: their ids are set)."""
    prefetch(session, (info for _article, analysis in results for info in analysis.actors))
    named = {article.id: _save(session, article, analysis) for article, analysis in results}
    write_pending(session)
    _mark_analysed(session, [article for article, _analysis in results])
    return named


def _save(session: Session, article: Article, analysis: ArticleAnalysis) -> dict[str, Actor]:
    if article.analysed_at is not None:  # a new article has nothing to replace
        clear_analysis(session, article.id)
    actors: dict[str, Actor] = {}
    now = utcnow()
    counted: set = set()
    rows: list[dict] = []  # the article's article_actors rows, waiting in the book
    book = actor_book(session)
    for info in analysis.actors:
        actor, spelling = resolve_actor(session, info)
        book.saw(actor, now)
        actors[info.name] = actor
        record_spellings(session, article.id, actor, [spelling, *info.surnames], counted)
        # Two names of one article can resolve to one actor ("Rubio" and "Marco Rubio"): one
        # row. The article's old rows are gone, so its rows are the ones made here (a detach
        # may have moved one to the parted spelling's actor: that actor's row now).
        row = next((row for row in rows if row["actor_id"] is actor), None)
        if row is None:
            row = {
                "article_id": article.id,
                "actor_id": actor,  # its id once written (the book's `write`)
                "role": info.role,
                "mentions": info.mentions,
                "salience": info.salience,
            }
            rows.append(row)
            book.add_row(ArticleActor.__table__, row)
            continue
        row["mentions"] += info.mentions
        row["salience"] += info.salience
        row["role"] = row["role"] or info.role
    for m in analysis.mentions:
        if m.name in actors:
            book.add_row(
                Mention.__table__,
                {
                    "article_id": article.id,
                    "actor_id": actors[m.name],
                    "text": m.text[:300],
                    "label": m.label,
                    "start_char": m.start_char,
                    "end_char": m.end_char,
                    "sentence": m.sentence,
                },
            )
    for q in analysis.quotes:
        book.add_row(
            Quote.__table__,
            {
                "article_id": article.id,
                "speaker_id": actors.get(q.speaker) if q.speaker else None,
                "text": q.text,
                "cue": q.cue,
                "start_char": q.start_char,
                "sentence": q.sentence,
                "direct": q.direct,
            },
        )
    keys = {k.position: (rank, k.score) for rank, k in enumerate(analysis.key_sentences)}
    for i, text in enumerate(analysis.sentences):
        rank, score = keys.get(i, (None, None))
        book.add_row(
            Sentence.__table__,
            {
                "article_id": article.id,
                "position": i,
                "text": text,
                "boilerplate": i in analysis.boilerplate,
                "key_rank": rank,
                "score": score,
            },
        )
    marked = {"language": analysis.language, "status": "analysed", "skip_reason": None}
    for key, value in {**marked, "analysed_at": now}.items():
        # Written by `_mark_analysed` in one statement: through the ORM each row would be
        # updated alone and its generated day_time read back.
        set_committed_value(article, key, value)
    return actors


def _mark_analysed(session: Session, articles: list[Article]) -> None:
    keys = ("language", "status", "skip_reason", "analysed_at")
    rows = [{"id": a.id, **{k: getattr(a, k) for k in keys}} for a in articles]
    update_rows(session, Article.__table__, sorted(rows, key=lambda row: row["id"]))


def mark_skipped(session: Session, article: Article, reason: str) -> None:
    clear_analysis(session, article.id)
    article.status, article.skip_reason, article.analysed_at = "skipped", reason[:300], utcnow()
