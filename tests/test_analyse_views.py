"""The per-Doc views the components share say what spaCy's own Token and Span attributes say."""

from __future__ import annotations

import pytest

from bot.analyse import views

TEXTS = [
    "",
    " ",
    "Merkel",
    "Wien – Der  österreichische Bundeskanzler Karl Nehammer (ÖVP) sagte am Montag:\n\n"
    "„Wir werden das schaffen.“  Er fügte hinzu, die Lage sei ernst.\n"
    "Holen Sie sich tägliche Nachrichten",
    "US -Präsident Trump traf İstanbul's Bürgermeister… 3,5 Mio. Euro! \t Ende",
]


@pytest.fixture(scope="module")
def docs(analyser):
    return list(analyser.pipeline("de").pipe(TEXTS))


def test_token_views_match_tokens(docs):
    for doc in docs:
        lexical = views.flags(doc)
        assert views.words(doc) == [t.text for t in doc]
        assert views.lowers(doc) == [t.lower_ for t in doc]
        assert lexical.is_title == [t.is_title for t in doc]
        assert lexical.is_stop == [t.is_stop for t in doc]
        assert lexical.is_punct == [t.is_punct for t in doc]
        assert lexical.is_lower == [t.is_lower for t in doc]
        assert lexical.is_alpha == [t.is_alpha for t in doc]


def test_text_views_match_spans(docs):
    for doc in docs:
        assert views.doc_text(doc) == doc.text
        assert views.sentence_starts(doc) == [s.start for s in doc.sents]
        assert views.sentence_texts(doc) == [s.text for s in doc.sents]
        for start in range(len(doc) + 1):
            for end in range(start, min(len(doc), start + 4) + 1):
                assert views.span_text(doc, start, end) == doc[start:end].text
                if end > start:
                    span = doc[start:end]
                    assert views.span_chars(doc, start, end) == (span.start_char, span.end_char)


def test_views_are_read_once_per_doc(docs):
    doc = docs[3]
    assert views.words(doc) is views.words(doc)
    assert views.sentence_texts(doc) is views.sentence_texts(doc)


def test_word_texts_survive_a_full_cache(docs, monkeypatch):
    monkeypatch.setattr(views, "_MAX_TEXTS", 0)
    doc = docs[4]
    doc.user_data.clear()
    assert views.words(doc) == [t.text for t in doc]
    assert views.doc_text(doc) == doc.text
