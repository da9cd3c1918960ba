"""Analysis with the real shipped model on the real seed: the seed's gold."""

import pytest

from bot.analyse.actors import clean_name
from bot.analyse.analyser import analysis_text
from bot.analyse.boilerplate import is_boilerplate
from bot.analyse.gazetteer import country_name, is_role_word
from bot.analyse.lexicon import BITS, COMPOUND, compound_head, kind_id
from bot.analyse.sentences import without_dateline
from bot.analyse.types import ArticleAnalysis
from bot.collect.files import read_path
from bot.language import detect_language
from tests.conftest import SEED

pytestmark = pytest.mark.store_free


@pytest.fixture(scope="module")
def seed(analyser) -> ArticleAnalysis:
    [item] = list(read_path(SEED))
    [(_key, result)] = analyser.analyse([(None, item.title, item.text)])
    return result


def actor(seed, name):
    found = [a for a in seed.actors if a.name == name]
    assert found, f"{name} not among {[a.name for a in seed.actors]}"
    return found[0]


def test_pipeline_is_data(analyser):
    nlp = analyser.pipeline("de")
    assert nlp.pipe_names[-5:] == [
        "morgenlage_boilerplate",
        "morgenlage_actors",
        "morgenlage_roles",
        "morgenlage_quotes",
        "morgenlage_key_sentences",
    ]
    assert "ner" in nlp.pipe_names and nlp.meta["name"] == "morgenlage_de"


@pytest.mark.parametrize(
    "name",
    [
        "Marco Rubio",
        "Sergey Lavrov",
        "Donald Trump",
        "Wladimir Putin",
        "Dmitry Peskov",
        "Tammy Bruce",
        "Emmanuel Macron",
        "Kirill Dmitriev",
        "Yuri Ushakov",
    ],
)
def test_people_have_full_canonical_names(seed, name):
    assert actor(seed, name).kind == "PER"


def test_surname_and_genitive_merge_into_one_actor(seed):
    names = {a.name for a in seed.actors}
    assert not names & {"Rubio", "Putins", "Trumps", "Lavrov", "Peskov", "Dmitriev"}
    assert actor(seed, "Marco Rubio").mentions >= 4


def test_countries_are_normalised(seed):
    names = {a.name for a in seed.actors}
    assert {"USA", "Russland", "Ukraine"} <= names
    assert not names & {"Vereinigten Staaten", "Russlands", "Vereinigte Staaten"}


def test_roles(seed):
    assert actor(seed, "Marco Rubio").role == "Außenminister der Vereinigten Staaten"
    assert actor(seed, "Sergey Lavrov").role == "russischer Außenminister"
    assert actor(seed, "Dmitry Peskov").role == "Sprecher von Kreml"
    assert actor(seed, "Tammy Bruce").role == "Sprecherin des US-Außenministeriums"
    assert "Leiter" in actor(seed, "Kirill Dmitriev").role


def test_a_verb_before_the_role_is_not_its_adjective(analyser):
    text = (
        "Am Dienstag präsentierte Innenministerin Johanna Mikl-Leitner den Plan. "
        "Später sprach ihr früherer Sprecher Hans Huber mit der ehemaligen Ministerin Maria Fekter."
    )
    [(_k, result)] = analyser.analyse([(None, "Plan", text)])
    roles = {a.name: a.role for a in result.actors}
    assert roles["Johanna Mikl-Leitner"] == "Innenministerin"
    assert roles["Hans Huber"] == "früherer Sprecher"
    assert roles["Maria Fekter"] == "ehemalige Ministerin"  # nominative, standing alone


def speaker_of(seed, start):
    found = [q for q in seed.quotes if q.text.startswith(start)]
    assert found, f"no quote starting {start!r}"
    return found[0].speaker


def test_quote_speakers(seed):
    assert speaker_of(seed, "Wir müssen lebendige diplomatische Missionen") == "Marco Rubio"
    assert speaker_of(seed, "die gesamte Bandbreite") == "Dmitry Peskov"
    assert speaker_of(seed, "Wir suchen einen starken") == "Emmanuel Macron"
    assert speaker_of(seed, "Gute US-Russland-Beziehungen") == "Kirill Dmitriev"


def test_quote_without_a_clear_speaker_keeps_none(seed):
    assert speaker_of(seed, "die Interessen des anderen") is None


def test_boilerplate_never_reaches_results(seed):
    assert any("Holen Sie sich" in s for s in seed.to_json()["boilerplate"])
    for sentence in seed.key_sentences:
        assert "Holen Sie sich" not in sentence.text and "Posteingang" not in sentence.text


def test_key_sentences_are_whole_sentences(seed):
    assert 3 <= len(seed.key_sentences) <= 5
    for sentence in seed.key_sentences:
        assert sentence.text[-1] in '.!?“"'


def test_json_shape(seed):
    data = seed.to_json()
    assert set(data["actors"][0]) == {"name", "type", "role", "mentions"}
    assert set(data["quotes"][0]) == {"speaker", "text", "cue", "direct"}


def test_only_boilerplate_article(analyser):
    text = (
        "Holen Sie sich tägliche nationale Nachrichten\nHolen Sie sich die wichtigsten "
        "Nachrichten des Tages, die einmal am Tag in Ihren Posteingang geliefert werden.\n"
        "Jetzt kostenlos abonnieren!"
    )
    [(_k, result)] = analyser.analyse([(None, "Newsletter", text)])
    assert result.actors == [] and result.key_sentences == [] and result.quotes == []


def test_huge_and_odd_texts_do_not_crash(analyser):
    huge = ("Bundeskanzler Olaf Scholz sagte in Berlin, die Lage sei ernst. " * 5000).strip()
    odd = '„“ »« "" ‚‘ 🙂🙂 <b>&amp; \u202e\u200b „unclosed quote und Kreml-Sprecher'
    results = dict(analyser.analyse([(1, "Huge", huge), (2, "Odd", odd), (3, "", "")]))
    assert {"Olaf Scholz", "Berlin"} <= {a.name for a in results[1].actors}
    assert len(results[1].sentences) < 5000  # cut at analysis.max_chars, not read whole
    assert results[2].quotes == []
    assert results[3].actors == []


def test_text_helpers():
    assert clean_name("Saudi -Arabien") == "Saudi-Arabien"
    assert country_name("Vereinigten Staaten") == "USA" and country_name("US") == "USA"
    assert is_role_word("Kreml-Sprecherin") and not is_role_word("Außenministeriums")
    assert is_boilerplate("Jetzt hier kostenlos abonnieren") and not is_boilerplate("Er sagte.")
    # A rule anchored at the start matches there only; the others anywhere.
    assert is_boilerplate("  Lesen Sie auch: Die Lage in Wien")
    assert not is_boilerplate("Er sagte, lesen Sie auch das Kleingedruckte.")
    assert is_boilerplate("Er bat: Melden Sie sich jetzt für den Newsletter an.")
    assert is_boilerplate(
        "Der Volltext dieses auf Agenturmeldungen basierenden Artikels steht aus rechtlichen "
        "Gründen nicht mehr zur Verfügung."
    )
    assert (
        detect_language(
            "Die Regierung hat am Dienstag in Berlin einen Plan vorgelegt, der die Steuern senkt."
        )
        == "de"
    )
    assert (
        detect_language(
            "The government said on Tuesday that it would cut taxes for the people of the country."
        )
        == "en"
    )
    text = analysis_text("Titel", "US -Präsident Trump sagte etwas.", 100_000)
    assert text.startswith("Titel\n\n") and "US-Präsident" in text


def test_country_adjectives_count_for_their_country(analyser):
    text = (
        "Die amerikanische Regierung und der russische Präsident Wladimir Putin verhandeln. "
        "Ein US-amerikanischer Diplomat sagte, die ukrainischen Truppen hielten die Stellung."
    )
    [(_k, result)] = analyser.analyse([(None, "Verhandlungen", text)])
    mentions = {a.name: a.mentions for a in result.actors}
    assert mentions.get("USA", 0) >= 2 and mentions.get("Russland", 0) >= 1
    assert mentions.get("Ukraine", 0) >= 1
    assert "amerikanische" not in mentions


def test_reported_speech_where_clear(seed, analyser):
    reported = {q.text[:40]: q.speaker for q in seed.quotes if not q.direct}
    zelenskyy = [s for t, s in reported.items() if t.startswith("sein Land werde")]
    assert zelenskyy == ["Volodymyr Zelenskyy"]
    macron = [s for t, s in reported.items() if t.startswith("er habe telefonisch")]
    assert macron == ["Emmanuel Macron"]
    # A direct quote's sentence is not read again as reported speech.
    assert not any(t.startswith("Wir müssen") for t in reported)
    # "dass" stays with its clause: "sagte, dass Österreich … beibehalten werde" is a sentence.
    text = "Johanna Mikl-Leitner sagte, dass Österreich die Kontingente beibehalten werde."
    [(_k, result)] = analyser.analyse([(None, "Kontingente", text)])
    [said] = [q for q in result.quotes if not q.direct]
    assert said.text == "dass Österreich die Kontingente beibehalten werde"
    text = "Die Regierung beschloss, dass die Steuern sinken. Es regnete, die Straße sei nass."
    [(_k, result)] = analyser.analyse([(None, "Ohne Sprecher", text)])
    assert [q for q in result.quotes if not q.direct] == []  # no speaker: no reported speech


SPEAKER_CASES = {
    "role phrases and untagged names": (
        "Die Brücke bleibt gesperrt. „Wir prüfen jeden Pfeiler einzeln und sehr genau“, sagte "
        "der Leiter des Bauamts der Stadt Kassel, Ingenieur Peter Brandauer am Montag. "
        "Der Hafenmeister Vedat Muftuoglu sagte: „Niemand sollte so etwas tun.“ "
        "Andres Granier, der Gouverneur von Tabasco, sagte: „Wir kämpfen gegen ein Monster.“",
        {
            "Wir prüfen jeden Pfeiler einzeln und sehr genau": "Peter Brandauer",
            "Niemand sollte so etwas tun.": "Vedat Muftuoglu",
            "Wir kämpfen gegen ein Monster.": "Andres Granier",
        },
    ),
    "a subject judging a phrase, particle surnames": (
        "Bundesarbeitsministerin Ursula von der Leyen (CDU) stellte den Plan vor. "
        "Von der Leyen betonte, die Frauen seien „bestens für die neue Arbeit geeignet“. "
        "Der österreichische Bundeskanzler Wolfgang Schüssel würdigte Ligeti als "
        "„großen Österreicher in der Welt der Musik“.",
        {
            "bestens für die neue Arbeit geeignet": "Ursula von der Leyen",
            "großen Österreicher in der Welt der Musik": "Wolfgang Schüssel",
        },
    ),
    "a quote opening its sentence continues the one before": (
        "Die Regierung plant neue Gesetze. Der Minister Jan Kowalski verteidigte die Reform "
        "vor dem Parlament. „Ohne diese Reform verlieren wir zehn Jahre.“",
        {"Ohne diese Reform verlieren wir zehn Jahre.": "Jan Kowalski"},
    ),
    "sie/er by the first name's gender": (
        "Sabine Kellermann traf am Montag Thomas Brückner in Leipzig. "
        "„Wir haben lange über die Finanzierung gesprochen“, sagte sie danach. "
        "„Das Projekt kommt voran“, sagte er.",
        {
            "Wir haben lange über die Finanzierung gesprochen": "Sabine Kellermann",
            "Das Projekt kommt voran": "Thomas Brückner",
        },
    ),
}


@pytest.mark.parametrize("case", SPEAKER_CASES)
def test_direct_quote_speakers(analyser, case):
    text, expected = SPEAKER_CASES[case]
    [(_k, result)] = analyser.analyse([(None, "Zitate", text)])
    speakers = {q.text: q.speaker for q in result.quotes if q.direct}
    assert {quote: speakers.get(quote) for quote in expected} == expected


def test_genitive_phrases_are_not_names(seed):
    names = {a.name for a in seed.actors}
    assert "Riad" in names and "Riads" not in names  # "der saudischen Hauptstadt Riads"
    assert not {"Salmans Bemühungen", "Kyivs Teilnahme", "Kyivs Militär"} & names


def test_lexicon_tells_common_nouns_from_names():
    noun, place, first, surname = (BITS[k] for k in ("noun", "place", "first", "surname"))
    assert kind_id("Foyer") == kind_id("Foyers") == kind_id("Rattengift") == noun
    assert kind_id("Biberach") == place and kind_id("Müller") == noun | surname  # a miller too
    assert kind_id("Marco") & first and kind_id("Rubio") & surname
    assert kind_id("Quarzsand") == COMPOUND  # not listed, but ends in "Sand"
    assert kind_id("Online-Veröffentlichungen") == COMPOUND
    assert kind_id("Pjöngjang-Xyz") == kind_id("") == kind_id("rubio") == 0


def test_compound_heads_need_two_listed_nouns():
    assert compound_head("Mordfall") == "Fall"
    assert compound_head("Flüchtlingslager") == compound_head("Hafenlager") == "Lager"
    assert compound_head("Grenzfluss") == "Fluss"  # "Grenze" drops its e
    assert compound_head("Bundesinnenminister") == "Innenminister"
    # Not compounds: a place, no listed first part, parts too short to trust, lower case, nonsense.
    for word in ("Russlands", "Ermittlungen", "Botschaft", "Missionen", "mordfall", "Xyzfall", ""):
        assert compound_head(word) is None, word


def test_a_place_noun_introduces_a_place(analyser):
    nlp = analyser.pipeline("de")
    doc = nlp(
        "Die Gespräche fanden in der saudischen Hauptstadt Riads statt. Ob die Stadt Geld gibt?"
    )
    places = [e.text for e in doc.ents if e.label_ == "LOC"]
    assert "Riads" in places and "Geld" not in places


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "Wien – Sechs Kandidaten stehen am Stimmzettel.",
            "Sechs Kandidaten stehen am Stimmzettel.",
        ),
        (
            "Prag/Wien – Tschechiens Außenminister ist besorgt.",
            "Tschechiens Außenminister ist besorgt.",
        ),
        ("BERLIN (dpa) - Die Regierung hat beschlossen.", "Die Regierung hat beschlossen."),
        # Not a place before the dash: the sentence stays as it is.
        (
            "US-Präsident Trump – der Mann im Weißen Haus.",
            "US-Präsident Trump – der Mann im Weißen Haus.",
        ),
        ("Merkel – die Kanzlerin sagte ab.", "Merkel – die Kanzlerin sagte ab."),
    ],
)
def test_dateline_is_dropped_from_the_sentence(sentence, expected):
    assert without_dateline(sentence) == expected


def test_analysed_sentences_have_no_dateline(analyser):
    text = "Wien – Innenministerin Johanna Mikl-Leitner hat neue Grenzkontrollen angekündigt."
    [(_k, result)] = analyser.analyse([(None, "Grenzkontrollen", text)])
    assert result.sentences[-1].startswith("Innenministerin Johanna Mikl-Leitner hat")
