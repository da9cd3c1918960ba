"""Topics of articles: from feed categories, URL sections, section feeds, and the text."""

import unicodedata
from pathlib import Path

import pytest

from bot.collect.feeds import parse_feed
from bot.collect.topics import (
    TOPICS,
    _not_inside,
    article_topics,
    fold,
    story_topic,
    text_scores,
    topic_of_scores,
    topic_of_text,
    url_sections,
)
from bot.collect.types import RawArticle
from tests.conftest import SHARED
from tests.fixtures.articles import FUSSBALL, HAUSHALT

REAL = SHARED / "feeds" / "real"


def test_fold_ignores_case_accents_and_sharp_s():
    assert fold("Fußball-STRASSE Éclair") == "fussball-strasse eclair"


def test_url_sections_and_subdomains():
    assert url_sections("https://www.tagesschau.de/ausland/asien/cop28-100.html") == [
        "www",
        "ausland",
        "asien",
    ]
    assert "sport" in url_sections("https://sport.orf.at/stories/3121/")
    assert url_sections("file:///tmp/a.txt") == []


@pytest.mark.parametrize(
    ("url", "categories", "feed", "expected"),
    [
        ("https://www.tagesschau.de/inland/innenpolitik/x-100.html", (), None, ["inland"]),
        ("https://www.spiegel.de/politik/ausland/x-a-1.html", (), None, ["ausland"]),
        ("https://example.org/a/b.html", ("Sport",), None, ["sport"]),
        (
            "https://example.org/a/b.html",
            (),
            "https://example.org/wirtschaft/index.rss",
            ["wirtschaft"],
        ),
        ("https://www.heise.de/news/x-123.html", (), None, ["digital"]),
        ("https://www.n-tv.de/technik/Drucker-article1.html", ("Technik",), None, ["digital"]),
    ],
)
def test_signals_name_the_topic(url, categories, feed, expected):
    assert article_topics("Eine Meldung", "Irgendein Text.", url, categories, feed) == expected


def test_politics_without_a_side_takes_it_from_the_text():
    abroad = "Der russische Präsident Putin traf in Moskau den chinesischen Staatschef in Peking."
    home = "Der Bundestag beschloss mit den Stimmen von CDU und SPD das neue Gesetz."
    url = "https://www.n-tv.de/politik/x-article1.html"
    assert article_topics("Treffen", abroad, url, ("Politik",)) == ["ausland"]
    assert article_topics("Beschluss", home, url, ("Politik",)) == ["inland"]


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        (
            "Bayern gewinnt Spitzenspiel",
            "Der FC Bayern hat das Spitzenspiel der Fußball-Bundesliga mit 2:1 gewonnen. Der "
            "Trainer lobte die Mannschaft, zwei Tore fielen nach der Halbzeit.",
            "sport",
        ),
        (
            "Inflation sinkt",
            "Die Inflation ist im November gesunken. Die Europäische Zentralbank könnte die "
            "Leitzinsen senken, Anleger an der Börse reagierten erleichtert, der DAX stieg.",
            "wirtschaft",
        ),
        (
            "Sicherheitslücke in Browsern",
            "Eine Sicherheitslücke in Chrome und Firefox erlaubt Hackern, Malware auf Computer "
            "zu laden. Ein Update für die Software ist verfügbar.",
            "digital",
        ),
        (
            "Unfall auf der A9",
            "Bei einem Unfall auf der Autobahn wurden zwei Autofahrer schwer verletzt. Die "
            "Polizei sperrte die Strecke, die Feuerwehr war im Einsatz.",
            "panorama",
        ),
        ("", "", "panorama"),
    ],
)
def test_text_without_signals(title, text, expected):
    assert topic_of_text(title, text) == expected


def test_story_topic_is_the_majority():
    assert story_topic([["sport"], ["sport", "panorama"], ["panorama"], ["sport"]]) == "sport"
    assert story_topic([]) is None
    assert set(TOPICS) >= {story_topic([["kultur"]])}


def test_real_feeds_give_their_sections():
    """tagesschau's and Spiegel's real feeds: every item with a section in its address or a
    <category> gets that section's topic."""
    tagesschau = parse_feed((REAL / "feeddeck_TagesschauWebsiteRSS.xml").read_bytes(), "x")
    spiegel = parse_feed(
        (REAL / "mbeier_spiegel_tops_2020-02-05.rss.xml").read_bytes(),
        "https://www.spiegel.de/schlagzeilen/tops/index.rss",
    )
    found = {}
    for entry in [*tagesschau.entries, *spiegel.entries]:
        item = entry.article
        assert isinstance(item, RawArticle)
        found[item.url] = article_topics(item.title, item.text, item.url, item.categories)
    assert found["https://www.tagesschau.de/ausland/asien/cop28-knackpunkte-100.html"] == [
        "ausland"
    ]
    politik = [u for u in found if "spiegel.de/politik/deutschland/" in u]
    assert politik and all(found[u] == ["inland"] for u in politik)
    assert all(found[u] == ["kultur"] for u in found if "spiegel.de/kultur/" in u)
    assert all(found[u] == ["sport"] for u in found if "spiegel.de/sport/" in u)
    assert {t for topics in found.values() for t in topics} <= set(TOPICS)


def test_categories_are_read_from_feed_items():
    feed = parse_feed((REAL / "mbeier_spiegel_tops_2020-02-05.rss.xml").read_bytes(), "x")
    assert ("Politik",) in {e.article.categories for e in feed.entries}


def test_topics_are_stored_when_articles_are_collected(store, tmp_path: Path):
    from bot.collect.ingest import ingest
    from bot.store.schema import ArticleTopic

    feed = parse_feed(
        (REAL / "feeddeck_TagesschauWebsiteRSS.xml").read_bytes(),
        "https://www.tagesschau.de/xml/rss2/",
    )
    ingest(store, [e.article for e in feed.entries], "feed", "https://www.tagesschau.de/xml/rss2/")
    with store.session() as session:
        rows = session.query(ArticleTopic.topic).all()
    assert {"wirtschaft", "inland", "ausland"} <= {r.topic for r in rows}


# Sentences written for this test (not from any corpus): each says its topic plainly, the way
# a teaser would, without a headline or any section signal.
CLEAR = {
    "inland": [
        "Der Bundestag hat nach langer Debatte das Heizungsgesetz beschlossen; die Union "
        "stimmte dagegen, die Koalition sprach von einem Kompromiss.",
        "Der Nationalrat in Wien debattierte über das Budget, ÖVP und SPÖ warfen einander "
        "Wahlkampfgetöse vor, die FPÖ verlangte Neuwahlen.",
        "Die Ministerpräsidenten der Länder fordern vom Bund mehr Geld für die Kommunen; der "
        "Kanzler will beim Treffen im Kanzleramt einlenken.",
    ],
    "ausland": [
        "Der US-Präsident traf im Weißen Haus den ukrainischen Präsidenten, um über "
        "Waffenlieferungen und eine Waffenruhe mit Russland zu sprechen.",
        "Bei Luftangriffen im Gazastreifen wurden nach palästinensischen Angaben Dutzende "
        "Menschen getötet, Israel sprach von Angriffen auf die Hamas.",
        "In Frankreich ist die Regierung des Premierministers nach einem Misstrauensvotum in "
        "der Nationalversammlung gestürzt; Präsident Macron sucht einen Nachfolger.",
    ],
    "wirtschaft": [
        "Der Autokonzern hat im dritten Quartal deutlich weniger Gewinn gemacht, der Umsatz "
        "sank, die Aktie verlor an der Börse acht Prozent.",
        "Die Europäische Zentralbank lässt den Leitzins unverändert; die Inflation im "
        "Euroraum ist zuletzt auf zwei Prozent gesunken.",
        "Der Maschinenbauer streicht 3000 Stellen, die Gewerkschaft kündigt Widerstand an "
        "und verlangt eine Beschäftigungsgarantie für die Werke.",
    ],
    "sport": [
        "Der FC Bayern gewann das Spitzenspiel gegen Dortmund mit 3:1, zwei Tore fielen in "
        "der Nachspielzeit, der Trainer lobte die Moral der Mannschaft.",
        "Die Skirennläuferin siegte in der Abfahrt von Cortina vor zwei Schweizerinnen und "
        "übernahm die Führung im Gesamtweltcup.",
        "Im Finale der Australian Open setzte sich der Titelverteidiger in fünf Sätzen durch.",
    ],
    "kultur": [
        "Der neue Film der Regisseurin feierte auf der Berlinale Premiere, das Publikum "
        "applaudierte minutenlang, die Kritik lobt die Hauptdarstellerin.",
        "Das Burgtheater zeigt eine Inszenierung von Schillers Räubern; das Ensemble spielt "
        "auf einer fast leeren Bühne.",
        "Die Schriftstellerin erhält für ihren Roman den Deutschen Buchpreis, die Jury nennt "
        "das Buch ein Meisterwerk über Erinnerung.",
    ],
    "wissenschaft": [
        "Forscher der Universität Wien haben in einer Studie gezeigt, wie Zellen im Gehirn "
        "Erinnerungen speichern; die Ergebnisse erscheinen in Nature.",
        "Astronomen haben mit dem James-Webb-Teleskop einen Planeten entdeckt, in dessen "
        "Atmosphäre Wasserdampf nachgewiesen wurde.",
        "Archäologen fanden bei Ausgrabungen ein 7000 Jahre altes Grab mit Werkzeugen aus "
        "Feuerstein und Knochen.",
    ],
    "digital": [
        "Apple hat ein Update für das iPhone veröffentlicht, das eine Sicherheitslücke im "
        "Browser schließt; Hacker hatten sie bereits ausgenutzt.",
        "Die neue Version der App verschlüsselt Nachrichten standardmäßig, Nutzer müssen die "
        "Software dafür nur aktualisieren.",
        "Der Chiphersteller stellt einen Prozessor für Laptops vor, der Programme mit "
        "künstlicher Intelligenz schneller ausführen soll.",
    ],
    "panorama": [
        "Bei einem Brand in einem Mehrfamilienhaus wurden in der Nacht vier Menschen "
        "verletzt, die Feuerwehr rettete die Bewohner über Drehleitern.",
        "Ein 34-Jähriger ist wegen Mordes an seiner Nachbarin zu lebenslanger Haft verurteilt "
        "worden; die Polizei hatte ihn nach einer Verfolgungsjagd festgenommen.",
        "Ein Unwetter mit Hagel und Sturmböen hat in Bayern Bäume entwurzelt, mehrere "
        "Straßen waren stundenlang gesperrt.",
    ],
}


@pytest.mark.parametrize(
    ("expected", "text"), [(topic, text) for topic, texts in CLEAR.items() for text in texts]
)
def test_clear_sentences_get_their_topic(expected, text):
    assert topic_of_text("", text) == expected


def test_the_decision_on_evidence_is_the_decision_on_text():
    """topic_of_scores decides on evidence alone (the benches add evidence of their own):
    none is Panorama, politics takes its side, and the strongest weighted topic wins."""
    assert topic_of_scores({}) == "panorama"
    assert topic_of_scores({"politik": 3.0, "ausland": 1.0}) == "ausland"
    assert topic_of_scores({"politik": 3.0, "inland": 1.0, "ausland": 1.0}) == "inland"
    assert topic_of_scores({"sport": 1.0, "digital": 5.0}) == "digital"
    for topic, texts in CLEAR.items():
        assert topic_of_scores(text_scores("", texts[0])) == topic


def test_short_stems_do_not_count_inside_other_words():
    """Short stems: "regie" is Kultur, not inside "Regierung"; "sonde" not inside
    "sondern"; "über" is not the company Uber once accents are folded away."""

    def evidence(text: str) -> dict[str, float]:
        return {topic: score for topic, score in text_scores("", text).items() if score}

    assert "kultur" not in evidence("Die Regierung und die Landesregierung beraten.")
    assert evidence("Nicht nur heute, sondern besonders über Ostern.") == {}
    assert "wissenschaft" in evidence("Die Raumsonde erreicht den Mars.")


def test_the_topic_of_a_huge_text_comes_from_its_beginning():
    sport = "Der Stürmer traf zweimal, die Mannschaft gewann das Spiel in der Bundesliga. "
    politics = "Der Bundestag und die Regierung stritten über das Gesetz der Koalition. "
    assert topic_of_text("", sport * 300 + politics * 100_000) == "sport"


@pytest.mark.parametrize(
    ("title", "text", "url", "categories", "feed_url"),
    [
        ("", "", None, (), None),
        (" \n\t", "\u00a0", "", ("",), ""),
        ("🙂🙂🙂", "😀 !!! ??? … –", "https://", (), "https://"),
        ("The government", "The president met the prime minister in London.", None, (), None),
        ("Правительство", "Президент встретился с министром иностранных дел.", None, (), None),
        ("\x00\x01", "\ud800 \udfff", "http://[::1", ("\x00",), "http://[broken/x.rss"),
        ("a" * 100_000, "b" * 1_000_000, "https://x.org/" + "a/" * 5000, ("x",) * 1000, None),
        ("Sport", "Text", "javascript:alert(1)", ("<b>Sport</b>",), "mailto:x@y"),
    ],
)
def test_bad_input_never_crashes(title, text, url, categories, feed_url):
    topics = article_topics(title, text, url, categories, feed_url)
    assert topics and set(topics) <= set(TOPICS)


# Expected values computed before the topic code was made faster (issue #14): the same
# words must give the same evidence, to the last bit.
def test_evidence_of_a_text_is_what_it_was():
    assert text_scores("Titel", HAUSHALT) == {
        "politik": 5.5,
        "wirtschaft": 7.885203026391962,
        "panorama": 1.5,
        "sport": 3.5,
        "wissenschaft": 2.0,
    }
    assert text_scores("Titel", FUSSBALL) == {"sport": 29.0, "kultur": 2.0, "panorama": 1.0}
    assert article_topics("Haushalt beschlossen", HAUSHALT) == ["wirtschaft"]
    assert article_topics("Sieg", FUSSBALL) == ["sport"]
    assert article_topics("", HAUSHALT, categories=("Politik",)) == ["inland"]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Regierung", {"politik": 2.0}),
        ("Landesregierung", {"inland": 2.0, "politik": 2.0}),  # "regie" inside: not Kultur
        ("Raumsonde", {"wissenschaft": 3.0}),
        ("sondern", {}),
        ("Bundesliga", {"sport": 3.0}),
        ("Tabellenführer", {"sport": 3.0}),
        ("Haushaltsdebatte", {"wirtschaft": 1.0}),
        ("Steuerzahler", {"wirtschaft": 1.5}),
        ("Mannschaftskapitän", {"sport": 3.0}),
        ("Klimaschutzgesetz", {"wissenschaft": 2.0, "politik": 1.5}),
        ("xyz", {}),
    ],
)
def test_evidence_of_one_word_is_what_it_was(word, expected):
    assert text_scores("", word) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ångström Crème brûlée", "angstrom creme brulee"),
        ("e\u0301te\u0301", "ete"),  # decomposed input
        ("a\u034fb", "a\u034fb"),  # the grapheme joiner is no combining mark (class 0)
        ("Việt Nam", "viet nam"),  # two marks on one letter
        ("Ελλάδα ΆΡΗΣ", "ελλαδα αρησ"),
        ("한국어", unicodedata.normalize("NFKD", "한국어")),  # jamo are kept
        ("ﬁnanz ½ Ⅻ", "finanz 1⁄2 xii"),
        ("İstanbul", "istanbul"),
        ("Z" + "".join(map(chr, range(0x300, 0x320))) + "a\u034f", "za\u034f"),  # 32 marks
    ],
)
def test_fold_drops_every_combining_mark_and_only_those(text, expected):
    assert fold(text) == expected


def test_not_inside_fragments_of_any_length_are_found_everywhere_in_a_word():
    fragments = ("bc", "b", "cdef", "x", "", "bc", "f")
    assert set(_not_inside("abcdef", fragments)) == {(1, 2), (1, 3), (2, 6), (5, 6)}
    assert _not_inside("abcdef", ("abcdefg",)) == []
    assert _not_inside("abcdef", ()) == []
