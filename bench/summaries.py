"""Summary quality: our story summaries vs Lead-3, ROUGE against the editors' teasers.

    .venv/bin/pip install -e '.[bench]'   # rouge-score
    .venv/bin/python bench/summaries.py

Reads the real German article pages in ../shared/data/pages/pages/ (trafilatura test pages,
Apache-2.0; used in place). The reference of a page is its editor-written teaser:
`<meta name="description">`, else `og:description` (pages without one, or with fewer than 8
words, are left out). The summaries see the body only: each page goes through the real collector
(trafilatura main text, no metadata description) and the analysis stage into a fresh store, and
`summarise` picks sentences exactly as the briefing does. In the same run, Lead-N takes the
body's first N sentences (the headline left out), plain and without boilerplate sentences.

ROUGE is F1 over lower-cased word tokens (German letters kept, no stemming: rouge-score's own
tokenizer drops umlauts and ß, and its stemmer is English), ROUGE-L as summary-level LCS.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import lxml.html  # noqa: E402
from rouge_score import rouge_scorer  # noqa: E402
from sqlalchemy import select  # noqa: E402

from bot.analyse.analyser import Analyser  # noqa: E402
from bot.analyse.stage import analyse_pending  # noqa: E402
from bot.collect.files import read_file  # noqa: E402
from bot.collect.ingest import ingest  # noqa: E402
from bot.collect.text import decode_html  # noqa: E402
from bot.collect.types import RawArticle  # noqa: E402
from bot.store import open_store  # noqa: E402
from bot.store.schema import Article, Sentence  # noqa: E402
from bot.stories.summarise import story_candidates, summarise  # noqa: E402

PAGES = Path(__file__).resolve().parents[2] / "shared" / "data" / "pages" / "pages"


class GermanTokenizer:
    """Lower-cased word tokens with German letters intact (rouge-score's interface)."""

    def tokenize(self, text: str) -> list[str]:
        return re.findall(r"[^\W_]+", text.lower())


def teaser(path: Path) -> str | None:
    doc = lxml.html.fromstring(decode_html(path.read_bytes()))
    for query in (
        '//meta[@name="description"]/@content',
        '//meta[@property="og:description"]/@content',
        '//meta[@name="og:description"]/@content',
    ):
        found = [" ".join(v.split()) for v in doc.xpath(query) if v.strip()]
        if found and len(found[0].split()) >= 8:
            return found[0]
    return None


def lead(sentences: list[Sentence], title: str, count: int, skip_boilerplate: bool) -> str:
    head = title.rstrip(" …").strip()
    body = [
        s
        for s in sentences
        if not (head and (s.text.startswith(head) or head.startswith(s.text.rstrip("."))))
        and not (skip_boilerplate and s.boilerplate)
    ]
    return " ".join(s.text for s in body[:count])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--show", type=int, default=3, help="print this many examples")
    args = parser.parse_args()
    references: dict[str, str] = {}
    raws: list[RawArticle] = []
    for path in sorted(PAGES.glob("*.htm*")):
        reference = teaser(path)
        items = [i for i in read_file(path) if isinstance(i, RawArticle)]
        if reference and items:
            references[items[0].url] = reference
            raws.append(items[0])
    scorer = rouge_scorer.RougeScorer(
        ["rouge1", "rouge2", "rougeLsum"], tokenizer=GermanTokenizer()
    )
    systems = {
        "ours-3": [],
        "lead-3": [],
        "lead-3 no boilerplate": [],
        "ours-1": [],
        "lead-1": [],
    }
    examples = []
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/bench.sqlite")
        ingest(store, raws, "files", str(PAGES))
        analyse_pending(store, Analyser(), progress=False)
        with store.session() as session:
            articles = list(session.scalars(select(Article).where(Article.status == "analysed")))
            for article in articles:
                reference = references.get(article.url)
                if reference is None:
                    continue
                sentences = list(
                    session.scalars(
                        select(Sentence)
                        .where(Sentence.article_id == article.id)
                        .order_by(Sentence.position)
                    )
                )
                candidates = story_candidates(session, [article])
                outputs = {
                    "ours-3": " ".join(c.text for c in summarise(candidates, 3)),
                    "lead-3": lead(sentences, article.title, 3, False),
                    "lead-3 no boilerplate": lead(sentences, article.title, 3, True),
                    "ours-1": " ".join(c.text for c in summarise(candidates, 1)),
                    "lead-1": lead(sentences, article.title, 1, False),
                }
                for name, text in outputs.items():
                    # rougeLsum splits sentences at newlines.
                    systems[name].append(scorer.score(reference, text.replace(". ", ".\n")))
                if len(examples) < args.show:
                    examples.append(
                        (article.title, reference, outputs["ours-3"], outputs["lead-3"])
                    )
        store.close()

    pages = len(systems["ours-3"])
    print(f"pages with a teaser and an article body: {pages} of {len(list(PAGES.glob('*.htm*')))}")
    print(f"{'system':24s} {'ROUGE-1':>8s} {'ROUGE-2':>8s} {'ROUGE-L':>8s}   (F1 x 100)")
    for name, scores in systems.items():
        values = [
            100 * statistics.mean(s[key].fmeasure for s in scores)
            for key in ("rouge1", "rouge2", "rougeLsum")
        ]
        print(f"{name:24s} {values[0]:8.1f} {values[1]:8.1f} {values[2]:8.1f}")
    for title, reference, ours, lead3 in examples:
        print(f"\n# {title}\n  teaser: {reference}\n  ours:   {ours}\n  lead-3: {lead3}")


if __name__ == "__main__":
    main()
