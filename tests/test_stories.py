"""Stories: articles grouped across sources and days, summarised, ranked, and what is new."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
import time_machine
from sqlalchemy import func, select

from bot.brief.build import build_briefing
from bot.brief.dossier import build_dossier
from bot.brief.window import Window, day_window
from bot.chat.handlers import briefing_reply
from bot.chat.reply import Chat, Reply, Services
from bot.config import BriefingConfig
from bot.jobs import collect
from bot.store import open_store
from bot.store.actors import find_actor
from bot.store.schema import Actor, Article, Mention, Sentence, Story, StoryArticle
from bot.stories.cluster import Clusterer, Item, StoryState, article_items
from bot.stories.numbers import figures_in
from bot.stories.summarise import (
    Candidate,
    _antecedent,
    opening,
    story_candidates,
    summarise,
    usable,
)
from bot.stories.terms import content_terms, term_vector
from tests.conftest import SHARED, folder_config, make_config

DAY1, DAY2 = dt.date(2025, 2, 18), dt.date(2025, 2, 19)

# Written for these tests: one story over two days and two outlets, and two unrelated ones.
ARTICLES = {
    "riad-tagesblatt.md": (
        "Tagesblatt",
        "2025-02-18T09:00:00Z",
        "USA und Russland verhandeln in Riad über die Ukraine",
        "Die Außenminister der USA und Russlands haben sich am Dienstag in der saudischen "
        "Hauptstadt Riad zu Gesprächen getroffen. US-Außenminister Marco Rubio und der russische "
        "Außenminister Sergej Lawrow sprachen mehr als vier Stunden miteinander. Beide Seiten "
        "vereinbarten, ihre Botschaften wieder voll zu besetzen. Er sagte nach dem Treffen, es "
        "sei ein erster Schritt zu einem dauerhaften Frieden. Die Ukraine war zu dem Treffen "
        "nicht eingeladen. Kiew kritisierte, dass über das Land ohne seine Beteiligung "
        "gesprochen werde.\n\nAbonnieren Sie unseren Newsletter und erhalten Sie die wichtigsten "
        "Nachrichten des Tages direkt in Ihren Posteingang.",
    ),
    "riad-rundschau.md": (
        "Rundschau",
        "2025-02-18T11:30:00Z",
        "Gespräche in Riad: Washington und Moskau wollen Botschaften wieder besetzen",
        "Bei einem Treffen in Riad haben sich die USA und Russland darauf geeinigt, ihre "
        "Botschaften wieder voll zu besetzen. US-Außenminister Marco Rubio traf dort am Dienstag "
        "den russischen Außenminister Sergej Lawrow. An den Gesprächen nahm auch der "
        "Sicherheitsberater Mike Waltz teil. Die Ukraine war bei den Gesprächen nicht vertreten. "
        "Rubio sprach von einem ersten Schritt zu einem dauerhaften Frieden in der Ukraine. Ein "
        "Treffen zwischen Donald Trump und Wladimir Putin ist noch nicht geplant.",
    ),
    "haushalt.md": (
        "Tagesblatt",
        "2025-02-18T14:00:00Z",
        "Bundestag beschließt den Haushalt für das kommende Jahr",
        "Der Bundestag hat am Dienstag den Bundeshaushalt mit Ausgaben von 480 Milliarden Euro "
        "beschlossen. Finanzminister Christian Lindner verteidigte die Schuldenbremse in der "
        "Debatte. Die Opposition kritisierte die geplanten Kürzungen bei der Bildung. Der "
        "Bundesrat muss dem Haushalt im März noch zustimmen. Für den Entwurf stimmten 385 "
        "Abgeordnete.",
    ),
    "riad-tag2.md": (
        "Rundschau",
        "2025-02-19T08:00:00Z",
        "Nach den Gesprächen in Riad: Selenskyj reist nach Saudi-Arabien",
        "Einen Tag nach den Gesprächen der USA und Russlands in Riad reist der ukrainische "
        "Präsident Wolodymyr Selenskyj nach Saudi-Arabien. Selenskyj sagte, die Ukraine werde "
        "keine Ergebnisse akzeptieren, die ohne Kiew ausgehandelt würden. US-Außenminister Marco "
        "Rubio hatte am Dienstag in Riad den russischen Außenminister Sergej Lawrow getroffen. "
        "Beide Seiten hatten vereinbart, ihre Botschaften wieder voll zu besetzen. In der Nacht "
        "griff Russland die Ukraine mit 176 Drohnen an. Die Gespräche über die Ukraine sollen in "
        "der kommenden Woche in Riad fortgesetzt werden.",
    ),
    "hochwasser.md": (
        "Tagesblatt",
        "2025-02-19T10:00:00Z",
        "Hochwasser in Bayern: Pegel der Donau steigt weiter",
        "In Bayern ist der Pegel der Donau am Mittwoch weiter gestiegen. In Passau mussten mehr "
        "als 200 Menschen ihre Wohnungen verlassen. Ministerpräsident Markus Söder besuchte die "
        "betroffenen Gemeinden. Der Deutsche Wetterdienst erwartet bis Donnerstag weiteren "
        "Regen. Die Feuerwehr ist mit 1.500 Einsatzkräften vor Ort.",
    ),
}


@pytest.fixture(scope="module")
def stories(tmp_path_factory, analyser):
    """A store with the articles above collected (and so clustered by the analysis stage)."""
    tmp = tmp_path_factory.mktemp("stories")
    folder, config = folder_config(tmp)
    store = open_store(config.store.url)
    # Each article arrives five minutes after it was published, as from a feed (frozen clock).
    for name, (outlet, date, title, text) in sorted(ARTICLES.items(), key=lambda a: a[1][1]):
        url = f"https://{outlet.lower()}.example/{name.removesuffix('.md')}"
        meta = f"title: {json.dumps(title)}\ndate: {date}\nsource: {outlet}\nurl: {url}"
        front = f"---\n{meta}\n---\n"
        (folder / name).write_text(front + text + "\n", encoding="utf-8")
        arrival = dt.datetime.fromisoformat(date) + dt.timedelta(minutes=5)
        with time_machine.travel(arrival, tick=False):
            collect(store, config, analyser=analyser)
    yield Services(store, config)
    store.close()


def story_of(services, *slugs: str) -> set[int]:
    """The stories of the articles whose URL ends with one of `slugs`."""
    with services.store.session() as session:
        rows = session.execute(
            select(StoryArticle.story_id, Article.url).join(
                Article, Article.id == StoryArticle.article_id
            )
        ).all()
    return {story for story, url in rows if url.rsplit("/", 1)[1] in slugs}


def test_articles_of_one_story_share_it_across_sources_and_days(stories):
    assert len(story_of(stories, "riad-tagesblatt", "riad-rundschau", "riad-tag2")) == 1
    riad = story_of(stories, "riad-tagesblatt")
    assert not riad & story_of(stories, "haushalt")
    assert not riad & story_of(stories, "hochwasser")
    assert story_of(stories, "haushalt") != story_of(stories, "hochwasser")


def test_collect_again_changes_no_story(stories, analyser):
    def snapshot():
        with stories.store.session() as session:
            links = session.execute(select(StoryArticle.article_id, StoryArticle.story_id)).all()
            rows = session.execute(select(Story.id, Story.article_count, Story.terms)).all()
        return sorted(links), sorted((r.id, r.article_count, sorted(r.terms)) for r in rows)

    before = snapshot()
    report = collect(stories.store, stories.config, analyser=analyser)
    assert report.analysis.analysed == 0
    assert snapshot() == before
    with stories.store.session() as session:
        assert session.scalar(select(func.count()).select_from(Story)) == 3


def test_day_one_story_with_two_independent_sources_leads(stories):
    config = stories.config
    with stories.store.session() as session:
        briefing = build_briefing(
            session, day_window(DAY1, config.briefing.timezone), config.briefing, "de"
        )
    top = briefing.developments[0]
    assert {s.name for s in top.sources} == {"Tagesblatt", "Rundschau"}
    assert top.day == 1 and top.new is None
    assert briefing.story_count == 2 and len(briefing.developments) == 2
    assert 1 <= len(top.summary) <= config.briefing.sentences_per_development
    for line in top.summary:
        assert line.source.url.startswith("https://")
        assert usable(line.text) and "Newsletter" not in line.text
        assert not line.text.startswith(("Er ", "Sie ", "Es "))
    # The same fact from both outlets is said once.
    assert sum("Botschaften" in line.text for line in top.summary) <= 1


def test_day_two_leads_with_what_is_new(stories):
    config = stories.config
    with stories.store.session() as session:
        briefing = build_briefing(
            session, day_window(DAY2, config.briefing.timezone), config.briefing, "de"
        )
    riad = next(d for d in briefing.developments if "Riad" in d.title)
    assert riad.day == 2 and riad.first_day == DAY1
    assert riad.new is not None and riad.new.known_articles == 2
    assert riad.summary_is_new
    assert any("Selenskyj" in name for name in riad.new.actors)
    assert "Marco Rubio" not in riad.new.actors
    assert [f.label for f in riad.new.figures][:1] == ["176 Drohnen"]
    # Already known: the embassies. Not repeated as news.
    assert not any("Botschaften" in line.text for line in riad.summary)
    text = briefing_reply(stories, Chat(1), day_window(DAY2, "Europe/Berlin")).render("text", "de")
    assert "Neu seit gestern" in text and "Tag 2 der Geschichte, seit 18.02." in text
    assert "Zahlen des Tages" in text and "176 Drohnen" in text


def test_reader_window_moves_what_counts_as_new(stories):
    """A briefing since the reader's last one: the story's earlier articles are known; a story
    with nothing since then is not in it."""
    config = stories.config
    day_end = day_window(DAY2, config.briefing.timezone).end
    morning = dt.datetime(2025, 2, 19, 7, 0)  # before the day-2 Riad article
    late = dt.datetime(2025, 2, 19, 9, 0)  # after it
    with stories.store.session() as session:
        since_morning = build_briefing(
            session, Window(morning, day_end, "Europe/Berlin"), config.briefing, "de"
        )
        since_late = build_briefing(
            session, Window(late, day_end, "Europe/Berlin"), config.briefing, "de"
        )
    riad = next(d for d in since_morning.developments if "Riad" in d.title)
    assert (riad.new.known_articles, riad.new.new_articles) == (2, 1)
    assert not since_morning.since_yesterday
    assert [d.title for d in since_late.developments] == [
        "Hochwasser in Bayern: Pegel der Donau steigt weiter"
    ]


def test_reading_budget_trims_summaries(stories):
    config = stories.config
    tight = dataclasses.replace(config.briefing, reading_words=60)
    with stories.store.session() as session:
        briefing = build_briefing(session, day_window(DAY1, config.briefing.timezone), tight, "de")
    words = sum(
        len(d.title.split()) + sum(len(s.text.split()) for s in d.summary)
        for d in briefing.developments
    )
    smallest = len(briefing.developments) == 1 and len(briefing.developments[0].summary) == 1
    assert words <= 60 or smallest
    assert len(briefing.developments) < 2 or sum(len(d.summary) for d in briefing.developments) < 4


def test_ranking_weights_are_configurable(stories):
    config = stories.config
    only_recency = BriefingConfig(
        weight_sources=0.0, weight_actors=0.0, weight_novelty=0.0, weight_recency=1.0
    )
    with stories.store.session() as session:
        briefing = build_briefing(
            session, day_window(DAY1, config.briefing.timezone), only_recency, "de"
        )
    # The budget story came last in the day: by recency alone it leads.
    assert "Haushalt" in briefing.developments[0].title


def test_actor_timeline_says_what_is_new_since_yesterday(stories):
    with stories.store.session() as session:
        rubio = find_actor(session, "Rubio").exact[0]
        dossier = build_dossier(
            session,
            rubio.id,
            since=dt.datetime(2025, 2, 18, 23, 0),
            now=dt.datetime(2025, 2, 19, 20, 0),
        )
    assert [e.day for e in dossier.timeline] == [DAY2, DAY1]
    assert dossier.timeline[0].story_id == dossier.timeline[1].story_id
    assert dossier.timeline[1].articles == 2
    assert [e.day for e in dossier.fresh] == [DAY2]
    text = Reply("actor", {"dossier": dossier}).render("text", "de")
    assert "Seit gestern neu:" in text and "Verlauf der letzten Tage:" in text


def test_telegram_briefing_paragraphs_stand_alone(stories):
    from bot.brief.render import split_message
    from tests.botapi.telegram_html import parse_html

    html = briefing_reply(stories, Chat(1), day_window(DAY2, "Europe/Berlin")).render(
        "telegram", "de"
    )
    for paragraph in html.split("\n\n"):
        parse_html(paragraph)  # each paragraph balanced on its own: a split never breaks it
    assert all(len(part) <= 4096 for part in split_message(html))


# --- the parts on their own ---------------------------------------------------------------------


def test_terms_are_german_stems_without_stop_words():
    assert content_terms("Die Gespräche") == content_terms("den Gesprächen")
    assert content_terms("US-Russland-Gespräche") == ["usa", "russland", "gesprach"]
    assert content_terms("und der sagte am Dienstag") == []
    assert content_terms("Erdoğan, Orbán") == content_terms("Erdogan, Orban")
    # Vectors hold compounds' heads: "Mordfall Lübcke" and "Fall Lübcke" share "fall".
    assert content_terms("Mordfall Lübcke", heads=True) == ["mordfall", "fall", "lubck"]
    assert content_terms("Mordfall Lübcke") == ["mordfall", "lubck"]
    assert set(term_vector([("Fall Lübcke", 1.0)])) < set(term_vector([("Mordfall Lübcke", 1.0)]))


def item(key: int, title: str, day: int, actors: dict | None = None) -> Item:
    when = dt.datetime(2025, 2, day, 12)
    return Item(key, when, title, term_vector([(title, 2.0)]), actors or {})


def test_clusterer_joins_same_story_and_keeps_others_apart():
    clusterer = Clusterer()
    a, _ = clusterer.assign(item(1, "Rubio und Lawrow verhandeln in Riad über die Ukraine", 18))
    b, score = clusterer.assign(item(2, "Verhandlungen in Riad: Lawrow trifft Rubio", 18))
    c, _ = clusterer.assign(item(3, "Bundestag beschließt Haushalt", 18))
    assert a is b and score >= 0.3 and c is not a
    # The next day, the story continues; a week later the same words open a new story.
    d, _ = clusterer.assign(item(4, "Nach Riad: Rubio will weiter mit Lawrow verhandeln", 19))
    e, _ = clusterer.assign(item(5, "Rubio und Lawrow verhandeln wieder in Riad", 27))
    assert d is a and e is not a
    assert a.size == 3 and a.members == [1, 2, 4]


def test_shared_actors_tip_related_articles_into_one_story():
    words = "Treffen in Riad beendet"
    other = "Gespräche in Riad ohne Ergebnis"
    alone = Clusterer(threshold=0.35)
    first, _ = alone.assign(item(1, words, 18))
    second, _ = alone.assign(item(2, other, 18))
    assert first is not second
    people = {"Marco Rubio": 0.5, "Sergej Lawrow": 0.5}
    shared = Clusterer(threshold=0.35)
    first, _ = shared.assign(item(1, words, 18, people))
    second, _ = shared.assign(item(2, other, 18, people))
    assert first is second


def test_a_shared_person_counts_only_beside_related_text():
    # "Merkel" in both headlines is the shared actor itself: it does not also make the texts
    # related, so the same person in another event stays apart — unless the entity spans missed
    # the name (no `names`), as before. Sharing a word of what happened, the bonus counts again.
    merkel = {"Angela Merkel": 1.0}
    story = "Merkel besucht Flutopfer im Ahrtal und verspricht Hilfe"
    for other, names, joins in (
        ("Merkel lobt Schulen in Hamburg", frozenset({"merkel"}), False),
        ("Merkel lobt Schulen in Hamburg", frozenset(), True),
        ("Merkel besucht Familien in Hamburg", frozenset({"merkel"}), True),
    ):
        clusterer = Clusterer()
        first, _ = clusterer.assign(item(1, story, 18, merkel))
        second = dataclasses.replace(item(2, other, 18, merkel), names=names)
        found, score = clusterer.assign(second)
        assert (found is first) is joins, (other, names, score)


def test_story_items_know_the_names_of_people_and_organisations(stories):
    with stories.store.session() as session:
        article = session.scalars(
            select(Article).where(Article.url.endswith("/riad-tagesblatt"))
        ).one()
        (found,) = article_items(session, [article])
    # Places are no actors: a shared "Riad" is related text, not the bonus counted twice.
    assert {"rubio", "lawrow"} <= found.names and "riad" not in found.names


def test_story_items_count_an_actor_only_where_the_article_names_a_person_or_organisation(
    stories,
):
    # An actor's kind is that of its first mention anywhere: a place once tagged a person
    # ("Moria") must not become a shared person of every report that names the place.
    with stories.store.session() as session, session.begin_nested() as nested:
        article = session.scalars(
            select(Article).where(Article.url.endswith("/riad-tagesblatt"))
        ).one()
        riad = session.scalars(
            select(Actor)
            .join(Mention, Mention.actor_id == Actor.id)
            .where(Mention.article_id == article.id, Mention.text == "Riad")
        ).first()
        assert riad is not None
        riad.kind = "PER"
        session.flush()
        (found,) = article_items(session, [article])
        rubio = find_actor(session, "Rubio").exact[0]
        assert str(rubio.id) in found.actors and str(riad.id) not in found.actors
        nested.rollback()


def test_a_shared_name_alone_does_not_confirm_a_narrow_join():
    # The two headlines share only the person's name, a rare word: that is the shared actor
    # itself, no second signal. Unless the entity spans missed the name (no `names`): then the
    # actor bonus counts, as before.
    esken = {"Saskia Esken": 1.0}
    for names, joins in ((frozenset({"saskia", "esk"}), False), (frozenset(), True)):
        clusterer = Clusterer()
        for n in range(60):
            clusterer.background.add(item(100 + n, f"Grenze Bericht{n}", 10 + n % 7))
        words = "Talkshow mit Saskia Esken: müde, blass, unsicher und gereizt"
        first, _ = clusterer.assign(dataclasses.replace(item(1, words, 18, esken), names=names))
        other = "Flüchtlingslager: Saskia Esken verlangt notfalls Koalitionsausschuss"
        second = dataclasses.replace(item(2, other, 18, esken), names=names)
        found, score = clusterer.assign(second)
        assert (found is first) is joins, (names, score)


def test_two_shared_people_confirm_a_narrow_join_one_does_not():
    # Only names are shared: one person is in many stories; two together are one event.
    lafontaine = {"Oskar Lafontaine": 1.0}
    both = {"Oskar Lafontaine": 0.5, "Thilo Sarrazin": 0.5}
    names = frozenset({"oskar", "lafontain", "sarrazin"})
    for people, joins in ((lafontaine, False), (both, True)):
        clusterer = Clusterer()
        for n in range(60):
            clusterer.background.add(item(100 + n, f"Grenze Bericht{n}", 10 + n % 7))
        words = "Lafontaine meets Sarrazin in Berlin"
        first = dataclasses.replace(item(1, words, 18, people), names=names)
        clusterer.assign(first)
        other = (
            "Oskar Lafontaine im Schulterschluss mit Sarrazin: Alarm in der ratlosen Linkspartei"
        )
        found, score = clusterer.assign(
            dataclasses.replace(item(2, other, 18, people), names=names)
        )
        assert (found.members == [1, 2]) is joins, (people, score)


def test_one_shared_rare_word_alone_does_not_confirm_a_narrow_join():
    # "droht" is rare in the background, but it is all the two headlines share.
    for other, joins in (
        ("Droht Zentralasien eine Invasion der Taliban?", False),
        ("Lukaschenko droht: Invasion der Migranten?", True),
    ):
        clusterer = Clusterer()
        for n in range(60):
            clusterer.background.add(item(100 + n, f"Migranten Deutschland Bericht{n}", 10 + n % 7))
        first, _ = clusterer.assign(item(1, "Lukaschenko droht Deutschland mit Migranten", 18))
        found, score = clusterer.assign(item(2, other, 18))
        assert (found is first) is joins, (other, score)


def test_a_narrow_join_needs_a_shared_actor_figure_or_rare_term():
    # Background: "Belarus" and "polnisch" are in 3 of the 60 reports of the week before (5 %),
    # "Minsk" in none. A headline that clears the threshold narrowly on the common words alone
    # opens its own story; one that also shares a rare word, a figure or an actor joins.
    story = "Belarus: Minsk baut Zaun an polnischer Grenze"
    narrow = "Belarus droht polnischer Armee"
    for first_words, second, people, joins in (
        (story, narrow, None, False),
        (story, "Minsk: Belarus droht polnischer Armee", None, True),
        (f"{story}, 2000 Soldaten", f"{narrow}: 2000 Soldaten", None, True),
        (story, narrow, {"Lukaschenko": 1.0}, True),
    ):
        clusterer = Clusterer()
        for n in range(60):
            extra = " Belarus polnische" if n < 3 else ""
            clusterer.background.add(item(100 + n, f"Grenze Bericht{n}{extra}", 10 + n % 7))
        first, _ = clusterer.assign(item(1, first_words, 18, people))
        found, score = clusterer.assign(item(2, second, 18, people))
        assert (found is first) is joins, (second, score)


def test_a_story_is_also_compared_with_its_recent_members():
    # The story's centroid has drifted to its later reports; a retelling of its first report
    # still joins it through that member (and a story without members does not take it).
    first = item(1, "Kapitänin Rackete in Lampedusa festgenommen", 18)
    later = "Spenden Kontostand Aufruf Prominente Grüne Regierung Kritik Verhaftung"
    drifted = term_vector([(later, 2.0), (first.title, 0.4)])
    when = dt.datetime(2025, 2, 18, 12)
    for recent, joins in (([first.terms], True), ([], False)):
        story = StoryState("Rackete", when, when, 5, dict(drifted), recent=list(recent))
        other = StoryState("Haushalt", when, when, 1, term_vector([("Haushalt Bundestag", 1.0)]))
        clusterer = Clusterer([story, other])
        found, _ = clusterer.assign(item(2, "Lampedusa: Kapitänin Rackete festgenommen", 18))
        assert (found is story) is joins


def candidate(position: int, text: str, article: int = 1, antecedent: str | None = None):
    return Candidate(article, position, text, lead=position, antecedent=antecedent)


def test_leading_pronoun_becomes_the_name_or_the_sentence_is_skipped():
    fixed = opening(candidate(3, "Er sagte, die Gespräche seien gut verlaufen.", 1, "Marco Rubio"))
    assert fixed.text == "Marco Rubio sagte, die Gespräche seien gut verlaufen."
    assert opening(candidate(3, "Er sagte, die Gespräche seien gut verlaufen.")) is None
    assert opening(candidate(3, "Sie sagten, die Gespräche seien gut.", 1, "Anna Muster")) is None
    assert opening(candidate(3, "Dies kommt nach langen Verhandlungen überraschend.")) is None
    assert opening(candidate(3, "Das Treffen dauerte vier Stunden und endete spät.")) is not None


def test_a_pronoun_refers_back_only_to_a_whole_sentence():
    people = {(1, 0): ["Daniel Weinmann"], (1, 4): ["Marco Rubio"]}
    whole = {(1, 2), (1, 4), (1, 5)}  # position 0 is a byline ("Von Daniel Weinmann")
    assert _antecedent(people, 1, 1, whole) is None
    assert _antecedent(people, 1, 5, whole) == "Marco Rubio"
    assert _antecedent(people, 1, 6, whole) == "Marco Rubio"


def test_summary_removes_redundancy_and_known_facts():
    sentences = [
        candidate(0, "Die USA und Russland wollen ihre Botschaften wieder besetzen.", 1),
        candidate(0, "Russland und die USA wollen ihre Botschaften wieder besetzen.", 2),
        candidate(1, "Selenskyj reist am Mittwoch nach Saudi-Arabien.", 2),
        candidate(2, "Die Gespräche sollen in der nächsten Woche weitergehen.", 1),
    ]
    picked = summarise(sentences, 3)
    assert sum("Botschaften" in c.text for c in picked) == 1 and len(picked) == 3
    fresh = summarise(sentences, 3, known=["Die USA und Russland besetzen Botschaften wieder."])
    assert not any("Botschaften" in c.text for c in fresh)


def test_usable_sentences_are_whole():
    assert usable("Die Regierung hat am Dienstag den Haushalt beschlossen.")
    assert not usable("Holen Sie sich die wichtigsten Nachrichten des Tages und")
    assert not usable("und dann hat die Regierung den Haushalt beschlossen.")
    assert not usable("Kurz.")


def test_figures_with_context():
    found = figures_in("Russland griff über Nacht mit 176 Drohnen an, 38 Wohnungen wurden geräumt.")
    assert [label for label, _n in found] == ["176 Drohnen über Nacht", "38 Wohnungen"]
    assert figures_in("Seit dem 24. Februar 2022 und 2015 ist viel passiert.") == []
    assert [n for _l, n in figures_in("Es geht um 1,5 Milliarden Euro und 12 Prozent.")] == [
        "1,5 Milliarden",
        "12",
    ]


@pytest.mark.skipif(not (SHARED / "pages" / "pages").is_dir(), reason="../shared/data absent")
def test_summaries_of_real_pages_are_whole_clean_sentences(tmp_path, analyser):
    names = ["0b66696af800472190a76b26faa845d4", "90min.de-Bundesliga-Tabelle"]
    names += ["Journalistenwatch.com-Ladensterben"]
    pages = [SHARED / "pages" / "pages" / f"{name}.html" for name in names]
    config = make_config(tmp_path)
    store = open_store(config.store.url)
    try:
        collect(store, config, extra_paths=pages, analyser=analyser)
        with store.session() as session:
            articles = session.scalars(
                select(Article).where(Article.status == "analysed", Article.url.like("file:%html"))
            ).all()
            assert articles
            for article in articles:
                candidates = story_candidates(session, [article])
                boilerplate = set(
                    session.scalars(
                        select(Sentence.text).where(
                            Sentence.article_id == article.id, Sentence.boilerplate.is_(True)
                        )
                    )
                )
                for line in summarise(candidates, 3):
                    assert usable(line.text) and line.text not in boilerplate
                    assert opening(line) is not None
    finally:
        store.close()


def test_chunking_does_not_change_the_stories(stories):
    """The analysis stage assigns stories chunk by chunk; the grouping must be the same as
    assigning every article in one pass."""
    from sqlalchemy import delete

    from bot.store.schema import StoryTermDay
    from bot.stories.cluster import assign_stories

    def regroup(chunk: int) -> set[frozenset[int]]:
        with stories.store.session() as session:
            for table in (StoryArticle, Story, StoryTermDay):
                session.execute(delete(table))
            ids = list(session.scalars(select(Article.id).order_by(Article.id)))
        for start in range(0, len(ids), chunk):
            with stories.store.session() as session:
                assign_stories(session, ids[start : start + chunk])
        with stories.store.session() as session:
            rows = session.execute(select(StoryArticle.story_id, StoryArticle.article_id)).all()
        groups: dict[int, set[int]] = {}
        for story, article in rows:
            groups.setdefault(story, set()).add(article)
        return {frozenset(g) for g in groups.values()}

    assert regroup(chunk=1) == regroup(chunk=100)


def test_a_standfirst_may_lack_a_full_stop_but_not_end_in_a_comma():
    line = "Ann Cotten verwebt in ihrem neuen Buch Lokales und Globales"
    assert usable(line, standfirst=True) and not usable(line)
    assert not usable("Der Mittelstand wird zerstört, die Industrie zur leichten Beute,", (), True)


def test_a_briefing_only_reads_and_the_next_run_gives_missing_stories(tmp_path, analyser):
    """A chunk whose story assignment failed keeps its analysis; the briefing leaves those
    articles out without writing (read paths do not write), the next analysis run gives them
    their stories."""
    from unittest import mock
    from zoneinfo import ZoneInfo

    from bot.analyse.stage import analyse_pending
    from bot.store.articles import latest_day
    from bot.stories import cluster

    config = make_config(tmp_path)
    store = open_store(config.store.url)
    with mock.patch.object(cluster, "assign_stories", side_effect=RuntimeError("boom")):
        collect(store, config, analyser=analyser)
    with store.session() as session:
        analysed = session.scalar(select(func.count()).where(Article.status == "analysed"))
        assert analysed and not session.scalar(select(func.count()).select_from(StoryArticle))
        day = latest_day(session, ZoneInfo("Europe/Berlin"))
        window = day_window(day, "Europe/Berlin")
        briefing = build_briefing(session, window, BriefingConfig(), "de")
        assert briefing.article_count and briefing.empty
        assert not session.new and not session.dirty  # nothing written on the way
    analyse_pending(store, analyser, progress=False)  # nothing new to analyse: catches up
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(StoryArticle)) == analysed
        assert not build_briefing(session, window, BriefingConfig(), "de").empty
    store.close()


def test_the_background_looks_up_terms_only_when_earlier_days_are_counted(store):
    """Assigning a chunk reads the stored counts of its terms over the days before its own; with
    none of those days counted (a new store, a first day) it looks up no term at all."""
    import math

    from sqlalchemy import event

    from bot.store.schema import StoryTermDay
    from bot.stories.cluster import _background

    day = dt.date(2025, 2, 19)
    statements: list[str] = []

    def remember(_connection, _cursor, statement, *_args) -> None:
        statements.append(statement)

    def idf_of(term: str) -> float:
        statements.clear()
        with store.session() as session:
            background = _background(session, day, day)
            background.prefetch([term, "gesprach"])
            return background.idf(day).get(term)

    with store.session() as session:  # today's counts are not the background of today
        session.add_all(
            [
                StoryTermDay(day=day, term="", articles=3),
                StoryTermDay(day=day, term="riad", articles=3),
            ]
        )
    event.listen(store.engine, "before_cursor_execute", remember)
    try:
        assert idf_of("riad") == 1.0
        assert len([s for s in statements if "story_term_days" in s]) == 1  # the days only
        with store.session() as session:
            yesterday = day - dt.timedelta(days=1)
            session.add_all(
                [
                    StoryTermDay(day=yesterday, term="", articles=4),
                    StoryTermDay(day=yesterday, term="riad", articles=1),
                ]
            )
        assert idf_of("riad") == pytest.approx(math.log(5 / 2) + 1.0)
        assert len([s for s in statements if "story_term_days" in s]) > 1
    finally:
        event.remove(store.engine, "before_cursor_execute", remember)
