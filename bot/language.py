"""Which language an article is in: one detector (py3langid, offline) for the whole bot.

The collector decides when it stores an article; the analysis takes that decision and asks
here only for texts nobody has decided on (`morgenlage analyse`, old rows). German and English
articles go on to the analysis; others are stored, marked skipped with the reason, and never
reach the pipeline. A module of its own: collect, analyse and store all import it."""

from __future__ import annotations

import functools

from py3langid.langid import MODEL_FILE, LanguageIdentifier

ANALYSED = ("de", "en")
MIN_CHARS = 40  # below this the text says too little; the feed's own language tag decides
MIN_CONFIDENCE = 0.7
SAMPLE_CHARS = 1000  # enough to tell; the cost grows with the sample


@functools.cache
def _identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)  # loads once, ~0.5 s


def detect_language(text: str, hint: str | None = None) -> str | None:
    """An ISO 639-1 code, or None when neither the text nor the hint (a feed's `<language>`,
    e.g. "de-DE") tells. A confident reading of the text beats the hint; feeds mislabel."""
    hinted = hint.strip().lower().replace("_", "-").split("-", 1)[0] if hint else ""
    hinted = hinted if len(hinted) == 2 and hinted.isalpha() else ""
    sample = text[:SAMPLE_CHARS]
    if len(sample.strip()) >= MIN_CHARS:
        language, confidence = _identifier().classify(sample)
        if confidence >= MIN_CONFIDENCE or not hinted:
            return language
    return hinted or None


def skip_reason(language: str | None) -> str | None:
    """Why an article in `language` is stored but not analysed; None when it is analysed."""
    if language is None or language in ANALYSED:
        return None
    return f"language {language!r} is not analysed (only {', '.join(ANALYSED)})"
