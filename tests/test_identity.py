"""One person, one actor: spellings, genitives and bare surnames across articles (issue 15).

The names are the ones German outlets and agencies printed on the weekend of 3–4 January 2026
("Nicolás Maduro", "Nicolas Maduro", "Maduros", "Maduro"; "Selenskyj" and "Zelenskyy")."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select, text

from bot.analyse.names import name_key
from bot.analyse.types import ActorInfo, ArticleAnalysis
from bot.store import open_store
from bot.store.actors import find_actor
from bot.store.analysis import save_analysis
from bot.store.schema import Actor, ActorAlias, Article, ArticleActor, Mention

_ids = itertools.count(1)


def _article(session, title: str) -> Article:
    n = next(_ids)
    article = Article(url=f"file:///t/{n}.txt", title=title, text=title, content_hash=f"h{n}")
    session.add(article)
    session.flush()
    return article


def _save(session, title: str, *names: str, kind: str = "PER", surnames=()) -> Article:
    """An analysed article naming these actors (each once, mentioned in sentence 0)."""
    article = _article(session, title)
    actors = [ActorInfo(name=n, kind=kind, mentions=1, salience=1.0) for n in names]
    for actor in actors:
        actor.surnames = tuple(surnames)
    mentions = []
    from bot.analyse.types import MentionInfo

    for n in names:
        mentions.append(MentionInfo(n, n, kind, 0, len(n), 0, 1, 0))
    analysis = ArticleAnalysis("de", actors, mentions, [], [], [title], frozenset())
    save_analysis(session, article, analysis)
    session.flush()
    return article


def _actor_of(session, article: Article) -> Actor:
    row = session.scalars(select(ArticleActor).where(ArticleActor.article_id == article.id)).one()
    return session.get(Actor, row.actor_id)


@pytest.mark.parametrize(
    ("german", "english"),
    [
        ("Selenskyj", "Zelenskyy"),
        ("Selenskyj", "Zelensky"),
        ("Wolodymyr Selenskyj", "Volodymyr Zelenskyy"),
        ("Sergej Lawrow", "Sergey Lavrov"),
        ("Dmitri Peskow", "Dmitry Peskov"),
        ("Ren Nikaidō", "Ren Nikaido"),
        ("Mohammed bin Salman", "Muhammad ibn Salman"),
        ("Nicolás Maduro", "Nicolas Maduro"),
        ("Alexej Nawalny", "Alexei Navalny"),
    ],
)
def test_transliterations_share_a_key(german, english):
    assert name_key(german) == name_key(english)


@pytest.mark.parametrize(
    ("one", "other"), [("Merz", "März"), ("Scholz", "Schulz"), ("Lars", "Lara")]
)
def test_different_names_keep_different_keys(one, other):
    assert name_key(one) != name_key(other)


def test_maduro_in_five_spellings_is_one_actor_named_by_the_most_used_full_spelling(store):
    with store.session() as session:
        firsts = [_save(session, f"Angriff {i}", "Nicolás Maduro") for i in range(3)]
        others = [
            _save(session, "Festnahme", "Nicolas Maduro"),
            _save(session, "Maduros Festnahme", "Maduros"),
            _save(session, "Maduro in New York", "Maduro"),
            _save(session, "Nicolás Maduros Sohn", "Nicolás Maduros"),
        ]
        actors = {_actor_of(session, a).id for a in firsts + others}
        assert len(actors) == 1
        actor = session.get(Actor, actors.pop())
        assert actor.name == "Nicolás Maduro"
        # `/actor Maduro` finds him, by every spelling, in all seven articles.
        for query in ("Maduro", "maduros", "Nicolas Maduro", "NICOLÁS MADURO"):
            assert [a.id for a in find_actor(session, query).exact] == [actor.id]
        spellings = set(
            session.scalars(select(ActorAlias.name).where(ActorAlias.actor_id == actor.id))
        )
        assert spellings == {"Nicolás Maduro", "Nicolas Maduro", "Maduro"}


def test_actor_command_finds_zelenskyy_by_the_german_spelling(store):
    with store.session() as session:
        _save(session, "Gespräche", "Volodymyr Zelenskyy")
        _save(session, "Selenskyj in Kiew", "Selenskyj")
        _save(session, "Wolodymyr Selenskyj warnt", "Wolodymyr Selenskyj")
        _save(session, "Wolodymyr Selenskyj reist", "Wolodymyr Selenskyj")
        (actor,) = session.scalars(select(Actor)).all()
        assert actor.name == "Wolodymyr Selenskyj"  # the most used full spelling
        for query in ("Selenskyj", "Zelensky", "selenskij", "Volodymyr Zelenskyy"):
            assert [a.name for a in find_actor(session, query).exact] == [actor.name]


def test_a_bare_surname_waits_for_its_full_name_then_joins_it(store):
    with store.session() as session:
        bare = _save(session, "Maduro spricht", "Maduro")
        full = _save(session, "Nicolás Maduro spricht", "Nicolás Maduro")
        assert _actor_of(session, bare).id == _actor_of(session, full).id
        assert _actor_of(session, full).name == "Nicolás Maduro"


def test_a_second_person_with_the_surname_undoes_the_join(store):
    with store.session() as session:
        thomas = _save(session, "Thomas Müller trifft", "Thomas Müller", surnames=("Müller",))
        joined = _save(session, "Müller trifft wieder", "Müller")
        assert _actor_of(session, joined).name == "Thomas Müller"
        gerd = _save(session, "Gerd Müller", "Gerd Müller")
        # "Müller" alone may be either now: that article goes back to a "Müller" of its own,
        # with its mentions; Thomas keeps the article that named him in full.
        assert _actor_of(session, joined).name == "Müller"
        assert _actor_of(session, thomas).name == "Thomas Müller"
        assert _actor_of(session, gerd).name == "Gerd Müller"
        mention = session.scalars(select(Mention).where(Mention.article_id == joined.id)).one()
        assert session.get(Actor, mention.actor_id).name == "Müller"
        later = _save(session, "Müller sagt", "Müller")
        assert _actor_of(session, later).name == "Müller"
        assert {a.name for a in find_actor(session, "Müller").exact} == {
            "Müller",
            "Thomas Müller",
            "Gerd Müller",
        }


def test_two_people_sharing_a_surname_are_never_joined_by_it(store):
    with store.session() as session:
        _save(session, "Donald Trump", "Donald Trump")
        _save(session, "Melania Trump", "Melania Trump")
        bare = _save(session, "Trump sagt", "Trump")
        assert _actor_of(session, bare).name == "Trump"


def test_analysing_an_article_again_counts_its_spellings_once(store):
    with store.session() as session:
        article = _save(session, "Nicolas Maduro", "Nicolas Maduro")
        _save(session, "Nicolás Maduro", "Nicolás Maduro")
        for _ in range(3):
            analysis = ArticleAnalysis(
                "de", [ActorInfo("Nicolas Maduro", "PER", 1)], [], [], [], ["x"], frozenset()
            )
            save_analysis(session, article, analysis)
            session.flush()
        uses = dict(session.execute(select(ActorAlias.name, ActorAlias.uses)).all())
        assert uses == {"Nicolas Maduro": 1, "Nicolás Maduro": 1}


def test_upgrade_gives_existing_actors_their_name_as_alias(config):
    from bot.store.db import create_store_engine, migrate

    engine = create_store_engine(config.store.url)
    migrate(engine, "0007_merge")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO articles (id, url, title, text, ingested_at, content_hash, status) "
                "VALUES (1, 'file:///a', 'A', 'A', '2026-01-03', 'a', 'analysed')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO actors (id, name, kind, first_seen_at, last_seen_at) VALUES "
                "(7, 'Sergey Lavrov', 'PER', '2026-01-03', '2026-01-03')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO article_actors (article_id, actor_id, mentions, salience) "
                "VALUES (1, 7, 1, 1.0)"
            )
        )
    engine.dispose()
    store = open_store(config.store.url)
    with store.session() as session:
        assert [a.id for a in find_actor(session, "Lawrow").exact] == [7]
        alias = session.scalars(select(ActorAlias)).one()
        assert (alias.name, alias.uses, alias.name_key) == ("Sergey Lavrov", 1, "sergei lavrov")
    store.close()


def test_name_lookups_use_the_key_index(store):
    if store.engine.dialect.name != "sqlite":
        pytest.skip("query plans are SQLite's here")
    query = select(ActorAlias.actor_id).where(ActorAlias.name_key == "maduro")
    sql = str(query.compile(store.engine, compile_kwargs={"literal_binds": True}))
    with store.engine.connect() as connection:
        plan = " ".join(str(r) for r in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
    assert "ix_actor_aliases_name_key" in plan


def test_a_name_first_met_in_the_genitive_takes_its_base_form_later(store):
    with store.session() as session:
        first = _save(session, "Kopf-an-Kopf-Rennen", "Gabriel Borics")
        later = _save(session, "Gabriel Boric wird Präsident", "Gabriel Boric")
        assert _actor_of(session, first).id == _actor_of(session, later).id
        assert _actor_of(session, later).name == "Gabriel Boric"
        plans = _save(session, "Marsaleks Pläne", "Marsaleks")
        contacts = _save(session, "Marsalek und seine Kontakte", "Marsalek")
        assert _actor_of(session, plans).id == _actor_of(session, contacts).id
        assert _actor_of(session, contacts).name == "Marsalek"


def test_a_bare_genitive_surname_waits_for_its_full_name(store):
    with store.session() as session:
        bare = _save(session, "Seehofers umstrittenes Gesetz", "Seehofers")
        full = _save(session, "Innenminister Horst Seehofer", "Horst Seehofer")
        assert _actor_of(session, bare).id == _actor_of(session, full).id
        assert _actor_of(session, full).name == "Horst Seehofer"


def test_a_double_surname_is_one_surname(store):
    with store.session() as session:
        full = _save(
            session, "Annegret Kramp-Karrenbauer bei Anne Will", "Annegret Kramp-Karrenbauer"
        )
        bare = _save(session, "Kramp-Karrenbauer fordert", "Kramp-Karrenbauer")
        assert _actor_of(session, bare).id == _actor_of(session, full).id


def test_a_surname_once_taken_for_a_place_becomes_the_person(store):
    """The model tagged "Kramp-Karrenbauer" LOC in a headline of 5 January 2019, PER after."""
    with store.session() as session:
        place = _save(session, "Kramp-Karrenbauer in Paris", "Kramp-Karrenbauer", kind="LOC")
        bare = _save(session, "Kramp-Karrenbauer fordert", "Kramp-Karrenbauer")
        full = _save(session, "Annegret Kramp-Karrenbauer", "Annegret Kramp-Karrenbauer")
        assert len({_actor_of(session, a).id for a in (place, bare, full)}) == 1
        assert _actor_of(session, full).kind == "PER"
        berlin = _save(session, "Berlin", "Berlin", kind="LOC")
        _save(session, "Berlin sagt", "Berlin")  # a mislabel does not make the city a person
        assert _actor_of(session, berlin).kind == "LOC"


def test_collected_articles_make_maduro_one_actor_with_one_dossier(tmp_path, analyser):
    """The weekend of 3–4 January 2026, in four spellings, through `collect` as the bot runs."""
    import datetime as dt

    from bot.brief.dossier import build_dossier
    from bot.jobs import collect
    from tests.conftest import folder_config

    folder, config = folder_config(tmp_path)
    articles = {
        "Nicolás Maduro festgenommen": "US-Truppen haben den venezolanischen Präsidenten "
        "Nicolás Maduro in Caracas festgenommen. Maduro wurde nach New York gebracht, wo ihm "
        "der Prozess gemacht werden soll.",
        "Maduros Festnahme": "Nach Maduros Festnahme feiern Exil-Venezolaner in Miami. Viele "
        "von ihnen hoffen auf eine baldige Rückkehr in ihre Heimat, heißt es in der Stadt.",
        "Nicolas Maduro vor Gericht": "Nicolas Maduro soll in New York vor Gericht gestellt "
        "werden, teilte das Justizministerium in Washington am Sonntag mit.",
        "Anhörung in Manhattan": "Venezuelas gestürzter Staatschef Maduro erschien am Montag "
        "vor einem Gericht in Manhattan. Maduro plädierte auf nicht schuldig.",
        "Selenskyj warnt": "Der ukrainische Präsident Wolodymyr Selenskyj warnte am Sonntag "
        "vor neuen russischen Angriffen auf Kiew und bat um mehr Flugabwehr.",
        "Selenskyj in Paris": "Selenskyj traf am Samstag den französischen Präsidenten "
        "Emmanuel Macron in Paris, sagte ein Sprecher des Élysée-Palasts.",
        "Zelenskyy in Paris": "Volodymyr Zelenskyy met Emmanuel Macron in Paris, sagte ein "
        "Sprecher des Élysée-Palasts am Samstag in einer Mitteilung.",
    }
    for i, (title, body) in enumerate(articles.items()):
        meta = f'title: "{title}"\ndate: 2026-01-0{3 + i % 2}T0{i}:00:00Z\nsource: Test'
        (folder / f"{i}.md").write_text(f"---\n{meta}\n---\n{body}\n", encoding="utf-8")
    store = open_store(config.store.url)
    try:
        collect(store, config, analyser=analyser)
        with store.session() as session:
            [maduro] = find_actor(session, "Maduro").exact
            dossier = build_dossier(session, maduro.id, now=dt.datetime(2026, 1, 5))
            assert (dossier.name, dossier.article_count) == ("Nicolás Maduro", 4)
            [zelenskyy] = find_actor(session, "Selenskyj").exact
            assert find_actor(session, "Zelensky").exact == [zelenskyy]
            assert zelenskyy.name in ("Wolodymyr Selenskyj", "Volodymyr Zelenskyy")
    finally:
        store.close()


def test_a_query_with_a_nul_finds_the_name_around_it(store):
    """PostgreSQL refuses NUL in a text parameter: the query drops it instead of failing."""
    with store.session() as session:
        _save(session, "Marco Rubio spricht", "Marco Rubio")
        assert [a.name for a in find_actor(session, "Ru\x00bio").exact] == ["Marco Rubio"]
        assert find_actor(session, "\x00").exact == []
