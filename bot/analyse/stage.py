"""The analysis stage: every stored article not yet analysed goes through the pipeline once."""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass

from sqlalchemy import func, select
from tqdm import tqdm

from bot.analyse.analyser import Analyser, NotAnalysed
from bot.analyse.types import ArticleAnalysis
from bot.store import Store
from bot.store.actors import moved_articles
from bot.store.analysis import mark_skipped, save_analyses
from bot.store.articles import analysed_without_story, pending_ids
from bot.store.db import fit_strings, one_of
from bot.store.schema import Actor, Article, Mention, Sentence
from bot.stories.cluster import (
    LEAD_SENTENCES,
    PEOPLE,
    Item,
    KnownItems,
    article_item,
    assign_stories_quietly,
)

log = logging.getLogger(__name__)
CHUNK = 64


@dataclass
class AnalyseReport:
    analysed: int = 0
    skipped: int = 0


def analyse_pending(
    store: Store, analyser: Analyser, progress: bool | None = None
) -> AnalyseReport:
    """Analyse all new articles in chunks; one failing article is marked skipped, not retried
    forever, and never stops the rest."""
    report = AnalyseReport()
    with store.session() as session:
        # Stories are given here, on the writing side, never while a briefing is read: articles
        # a failed assignment left without one get theirs at the next run.
        assign_stories_quietly(session, analysed_without_story(session))
        total = session.scalar(select(func.count()).where(Article.status == "new")) or 0
    if total == 0:
        return report
    show = sys.stderr.isatty() if progress is None else progress
    known = KnownItems()  # the run's items and terms: stories do not read back what it wrote
    with tqdm(total=total, desc="Analyse", unit="Artikel", disable=not show) as bar:
        while True:
            with store.session() as session:
                ids = pending_ids(session, CHUNK)
                if not ids:
                    break
                found = session.scalars(select(Article).where(one_of(session, Article.id, ids)))
                articles = {article.id: article for article in found}
                analysed = []
                for article_id, result in _analyse_chunk(analyser, [articles[i] for i in ids]):
                    article = articles[article_id]
                    if isinstance(result, NotAnalysed):
                        mark_skipped(session, article, result.reason)
                        report.skipped += 1
                    else:
                        analysed.append((article, result))
                named = save_analyses(session, analysed)  # together: a few statements per chunk
                report.analysed += len(analysed)
                # Incremental: new articles join stories, their items made from what was just
                # written (not read back) — but for articles a detach moved to another actor.
                moved = moved_articles(session)
                known.items = {
                    article.id: story_item(article, analysis, named[article.id])
                    for article, analysis in analysed
                    if article.id not in moved
                }
                assign_stories_quietly(session, ids, known)
                bar.update(len(ids))
    return report


def story_item(article: Article, analysis: ArticleAnalysis, actors: dict[str, Actor]) -> Item:
    """The article's clustering item from its analysis, as `article_items` reads it from the
    rows `save_analyses` wrote (`actors`: its actors by name, as it returned them)."""
    sentence, mention = Sentence.__table__, Mention.__table__
    leads = [
        fit_strings(sentence, {"text": text})["text"]
        for position, text in enumerate(analysis.sentences[: LEAD_SENTENCES + 1])
        if position not in analysis.boilerplate
    ]
    people = [
        (actors[m.name].id, fit_strings(mention, {"text": m.text[:300]})["text"])
        for m in analysis.mentions
        if m.name in actors and m.label in PEOPLE
    ]
    salience: dict[int, float] = {}
    for info in analysis.actors:
        key = actors[info.name].id
        salience[key] = salience[key] + info.salience if key in salience else info.salience
    return article_item(article, leads, people, salience)


def _analyse_chunk(analyser: Analyser, articles: list[Article]):
    items = [(a.id, a.title, a.text, a.language) for a in articles]
    try:
        return list(analyser.analyse(items))
    except Exception:
        log.exception("analysis of a batch failed; retrying its articles one by one")
    results = []
    for item in items:
        try:
            results.extend(analyser.analyse([item]))
        except Exception as error:
            log.exception("analysis failed for article %s", item[0])
            results.append((item[0], NotAnalysed(f"analysis failed: {error}")))
    return results
