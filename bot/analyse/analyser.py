"""One entry point for analysis: language → pipeline → `ArticleAnalysis`."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from bot.analyse.nlp import load_pipeline
from bot.analyse.sentences import without_dateline
from bot.analyse.types import ArticleAnalysis
from bot.analyse.views import sentence_texts
from bot.config import AnalysisConfig
from bot.language import detect_language

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NotAnalysed:
    reason: str


# Machine translation leaves "US -Präsident" and "Saudi -Arabien": glue such compounds back.
_SPACED_HYPHEN = re.compile(r"(?<=[A-Za-zÄÖÜäöüß]) -(?=[A-ZÄÖÜ][a-zäöüß])")


def analysis_text(title: str, text: str, max_chars: int) -> str:
    """The text the pipeline reads: the headline (unless the text starts with it) and the body,
    cut at a paragraph boundary when it is longer than `max_chars`."""
    head = title.rstrip(" …").strip()
    full = text if not head or text.startswith(head) else f"{title}\n\n{text}"
    full = _SPACED_HYPHEN.sub("-", full)
    if len(full) > max_chars:
        cut = full.rfind("\n", 0, max_chars)
        full = full[: cut if cut > max_chars // 2 else max_chars]
    return full


def analysis_from_doc(doc: Doc, language: str) -> ArticleAnalysis:
    return ArticleAnalysis(
        language=language,
        actors=list(doc._.actors or []),
        mentions=list(doc._.mentions or []),
        quotes=list(doc._.quotes or []),
        key_sentences=list(doc._.key_sentences or []),
        sentences=[without_dateline(sentence.strip()) for sentence in sentence_texts(doc)],
        boilerplate=frozenset(doc._.boilerplate or ()),
    )


class Analyser:
    """Loads each language's pipeline once, on first use."""

    def __init__(self, config: AnalysisConfig | None = None) -> None:
        self.config = config or AnalysisConfig()
        self._pipelines: dict[str, Language | None] = {}

    def pipeline(self, language: str) -> Language | None:
        if language not in self._pipelines:
            if language == "de":
                self._pipelines[language] = load_pipeline(self.config.model)
            elif language == "en" and self.config.english_model:
                self._pipelines[language] = load_pipeline(self.config.english_model)
            else:
                self._pipelines[language] = None
        return self._pipelines[language]

    def analyse(
        self, items: Iterable[tuple[object, str, str] | tuple[object, str, str, str | None]]
    ) -> Iterator[tuple[object, ArticleAnalysis | NotAnalysed]]:
        """(key, title, text) or (key, title, text, language) in, (key, result) out — in input
        order within each language. The language the collector decided is taken as it is
        (detecting again could disagree); only an item without one is read by the detector."""
        by_language: dict[str, list[tuple[str, object]]] = {}
        for key, title, text, *decided in items:
            language = (decided[0] if decided else None) or detect_language(text) or "de"
            by_language.setdefault(language, []).append(
                (analysis_text(title, text, self.config.max_chars), key)
            )
        for language, batch in by_language.items():
            nlp = self.pipeline(language)
            if nlp is None:
                reason = (
                    "English: no English spaCy model configured (analysis.english_model)"
                    if language == "en"
                    else f"language {language!r} is not analysed"
                )
                for _text, key in batch:
                    yield key, NotAnalysed(reason)
                continue
            docs = nlp.pipe(batch, as_tuples=True, batch_size=self.config.batch_size)
            for doc, key in docs:
                yield key, analysis_from_doc(doc, language)
