"""The English path: a configured English spaCy pipeline gets actors and quotes too."""

import importlib.util

import pytest
import spacy

from bot.analyse.analyser import Analyser
from bot.config import AnalysisConfig

pytestmark = pytest.mark.store_free

TEXT = (
    "Rubio meets Lavrov in Riyadh\n\n"
    "US Secretary of State Marco Rubio met Russian Foreign Minister Sergey Lavrov in Riyadh "
    'on Tuesday. "We have to have vibrant diplomatic missions that can function normally," '
    "Rubio said after the meeting. Lavrov said the talks had been useful for both sides. "
    '"We listened to each other carefully and heard each other," he said.'
)


@pytest.fixture(scope="module")
def tiny_english(tmp_path_factory) -> str:
    """A stand-in English pipeline (rules, no download): the path every model takes."""
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(
        [
            {"label": "PERSON", "pattern": "Marco Rubio"},
            {"label": "PERSON", "pattern": "Rubio"},
            {"label": "PERSON", "pattern": "Sergey Lavrov"},
            {"label": "PERSON", "pattern": "Lavrov"},
            {"label": "GPE", "pattern": "Riyadh"},
        ]
    )
    path = tmp_path_factory.mktemp("en_model") / "tiny_en"
    nlp.to_disk(path)
    return str(path)


def analyse_english(model: str):
    analyser = Analyser(AnalysisConfig(english_model=model))
    [(_key, result)] = analyser.analyse([(None, "", TEXT)])
    return result


def test_english_article_gets_actors_and_quotes(tiny_english):
    result = analyse_english(tiny_english)
    assert result.language == "en"
    people = {a.name: a for a in result.actors if a.kind == "PER"}
    assert {"Marco Rubio", "Sergey Lavrov"} <= set(people)
    assert not {"Rubio", "Lavrov"} & set(people)
    speakers = {q.text[:20]: q.speaker for q in result.quotes}
    assert speakers["We have to have vibr"] == "Marco Rubio"
    assert speakers["We listened to each "] == "Sergey Lavrov"


@pytest.mark.skipif(
    importlib.util.find_spec("en_core_web_sm") is None, reason="en_core_web_sm not installed"
)
def test_english_with_en_core_web_sm():
    result = analyse_english("en_core_web_sm")
    names = {a.name for a in result.actors}
    assert "Marco Rubio" in names
    assert any(q.speaker == "Marco Rubio" for q in result.quotes)
