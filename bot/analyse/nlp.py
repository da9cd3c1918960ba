"""The spaCy pipeline: the shipped German model (or a configured one) plus Morgenlage's
components, registered by name and added in order. Texts go through `nlp.pipe` in batches."""

from __future__ import annotations

import logging

import spacy
from spacy.language import Language

# Importing the modules registers their components and Doc attributes.
from bot.analyse import (  # noqa: F401
    actors,
    boilerplate,
    embed,
    entity_rules,
    extensions,
    key_sentences,
    quotes,
    roles,
    sentences,
)
from bot.paths import shipped_model_dir

log = logging.getLogger(__name__)

COMPONENTS = (
    "morgenlage_boilerplate",
    "morgenlage_actors",
    "morgenlage_roles",
    "morgenlage_quotes",
    "morgenlage_key_sentences",
)


class ModelError(RuntimeError):
    """The configured spaCy model cannot be loaded."""


def load_model(name: str = "") -> Language:
    """A spaCy pipeline by package name or path; empty: the shipped German model."""
    target = name or str(shipped_model_dir())
    try:
        return spacy.load(target)
    except OSError as error:
        hint = "" if name else " (the shipped model is missing: reinstall morgenlage)"
        raise ModelError(f"cannot load spaCy model {target!r}{hint}: {error}") from None


def build_pipeline(nlp: Language) -> Language:
    """Add sentence boundaries and the Morgenlage components to a loaded model."""
    has_sentences = any(n in nlp.pipe_names for n in ("parser", "senter", "sentencizer"))
    if not has_sentences:
        nlp.add_pipe("sentencizer", first=True)
        nlp.add_pipe("morgenlage_line_breaks", after="sentencizer")
    elif "parser" in nlp.pipe_names or "senter" in nlp.pipe_names:
        before = "senter" if "senter" in nlp.pipe_names else "parser"
        nlp.add_pipe("morgenlage_line_breaks", before=before)
    if (
        "ner" in nlp.pipe_names
        and nlp.lang == "de"
        and "morgenlage_entity_rules" not in nlp.pipe_names
    ):
        nlp.add_pipe("morgenlage_entity_rules", after="ner")
    for name in COMPONENTS:
        if name not in nlp.pipe_names:
            nlp.add_pipe(name, last=True)
    return nlp


def load_pipeline(name: str = "") -> Language:
    return build_pipeline(load_model(name))
