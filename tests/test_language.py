"""One language detector: the analysis takes the language the collector decided."""

from sqlalchemy import select

from bot.analyse.analyser import ArticleAnalysis
from bot.jobs import collect
from bot.language import detect_language
from bot.store import open_store
from bot.store.schema import Article
from tests.conftest import folder_config

GERMAN = (
    "Die Bundesregierung hat am Dienstag in Berlin ihren Haushaltsplan für das kommende Jahr "
    "vorgestellt. Finanzminister Lars Klingbeil sagte, die Ausgaben für Verteidigung und "
    "Infrastruktur würden deutlich steigen, während bei den Zuschüssen gespart werde. "
    "Die Opposition kritisierte den Entwurf als unsolide und warf der Koalition vor, die "
    "Schuldenbremse zu umgehen. Der Bundestag soll im Herbst über den Haushalt abstimmen.\n\n"
    "Klingbeil verwies in der Debatte mehrfach auf Großbritannien, wo die Regierung vor einer "
    "Woche einen ähnlichen Sparkurs angekündigt hatte. Die Union nannte den Vergleich schief: "
    "Die Lage der beiden Länder sei kaum vergleichbar. Wir dokumentieren im Anschluss die Rede "
    "des britischen Premierministers im Wortlaut, auf die sich der Minister bezog.\n\n"
)
# The speech, in English: a counter of function words over the whole text calls it English.
SPEECH = (
    "It is the duty of this government to protect the people of this country, and that is "
    "what we are doing. We have said that the budget is not the end of the road but the "
    "beginning. The choices that we make are hard, but they are the right ones for the "
    "country and for the families who have to work for it. This is a plan that is built on "
    "the strength of the economy and on the promise that we made to the people. "
) * 6


def test_an_article_collected_as_german_is_analysed_as_german(tmp_path, analyser):
    text = GERMAN + SPEECH
    assert detect_language(text) == "de"  # what the collector decides: its opening is German
    folder, config = folder_config(tmp_path)
    (folder / "haushalt.txt").write_text(f"Haushalt vorgestellt\n\n{text}", encoding="utf-8")
    store = open_store(config.store.url)
    try:
        report = collect(store, config, analyser=analyser)
        with store.session() as session:
            article = session.scalars(select(Article)).one()
            assert (article.language, article.status, article.skip_reason) == (
                "de",
                "analysed",
                None,
            )
    finally:
        store.close()
    assert (report.analysis.analysed, report.analysis.skipped) == (1, 0)


def test_the_analyser_takes_the_given_language_and_detects_only_without_one(analyser):
    english = SPEECH
    results = dict(analyser.analyse([(1, "", english, "de"), (2, "", english), (3, "", GERMAN)]))
    assert isinstance(results[1], ArticleAnalysis) and results[1].language == "de"
    assert not isinstance(results[2], ArticleAnalysis)  # detected: English, no model for it
    assert results[3].language == "de"
