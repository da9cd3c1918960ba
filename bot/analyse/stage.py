"""The analysis stage: every stored article not yet analysed goes through the pipeline once."""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass

from sqlalchemy import func, select
from tqdm import tqdm

from bot.analyse.analyser import Analyser, NotAnalysed
from bot.store import Store
from bot.store.analysis import mark_skipped, save_analyses
from bot.store.articles import analysed_without_story, pending_ids
from bot.store.schema import Article
from bot.stories.cluster import assign_stories_quietly

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
    with tqdm(total=total, desc="Analyse", unit="Artikel", disable=not show) as bar:
        while True:
            with store.session() as session:
                ids = pending_ids(session, CHUNK)
                if not ids:
                    break
                found = session.scalars(select(Article).where(Article.id.in_(ids)))
                articles = {article.id: article for article in found}
                analysed = []
                for article_id, result in _analyse_chunk(analyser, [articles[i] for i in ids]):
                    article = articles[article_id]
                    if isinstance(result, NotAnalysed):
                        mark_skipped(session, article, result.reason)
                        report.skipped += 1
                    else:
                        analysed.append((article, result))
                save_analyses(session, analysed)  # together: a few statements per chunk
                report.analysed += len(analysed)
                assign_stories_quietly(session, ids)  # incremental: new articles join stories
                bar.update(len(ids))
    return report


def _analyse_chunk(analyser: Analyser, articles: list[Article]):
    items = [(a.id, a.title, a.text) for a in articles]
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
