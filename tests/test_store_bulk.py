"""Storing analyses a chunk at a time (issue 14, "storage at model speed"): the same rows as one
article at a time, in a number of statements that does not grow with the articles or names."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.exc import IntegrityError

from bot.analyse.types import ActorInfo, ArticleAnalysis, MentionInfo, QuoteInfo
from bot.store import actors, db, open_store
from bot.store.analysis import save_analyses, save_analysis
from bot.store.db import insert_objects, insert_or_add, insert_rows, update_rows
from bot.store.schema import (
    Actor,
    ActorAlias,
    Article,
    ArticleActor,
    ArticleAlias,
    ArticleFingerprint,
    Mention,
    Quote,
    Sentence,
    Story,
    StoryTermDay,
)
from tests.conftest import store_url

# Each article's names: spellings of one person, a bare surname joined to its full name and
# undone by a second person with it ("Müller"), a genitive met before its name ("Borics").
ARTICLES = [
    ["Nicolás Maduro", "Selenskyj"],
    ["Maduros", "Wolodymyr Selenskyj", "Thomas Müller"],
    ["Maduro", "Volodymyr Zelenskyy", "Müller"],
    ["Gabriel Borics", "Nicolas Maduro"],
    ["Gerd Müller", "Gabriel Boric", "Müller"],
    ["Sergej Lawrow", "Sergey Lavrov", "Lawrows"],
    ["Europäische Union", "Thomas Müller", "Müllers"],
]


def _analysis(names: list[str], n: int) -> ArticleAnalysis:
    kinds = {"Europäische Union": "ORG"}
    actors = [
        ActorInfo(name=name, kind=kinds.get(name, "PER"), mentions=1, salience=1.0 / (i + 1))
        for i, name in enumerate(names)
    ]
    mentions = [
        MentionInfo(name, name, kinds.get(name, "PER"), 0, len(name), 0, 1, i)
        for i, name in enumerate(names)
    ]
    quotes = [QuoteInfo(f"Zitat {n}", names[0], "sagte", 0, 0)]
    sentences = [f"Satz {i} über {name}." for i, name in enumerate(names)]
    return ArticleAnalysis("de", actors, mentions, quotes, [], sentences, frozenset())


def _articles(session, count: int) -> list[Article]:
    articles = [
        Article(url=f"file:///bulk/{n}.txt", title=f"T{n}", text=f"T{n}", content_hash=f"b{n}")
        for n in range(count)
    ]
    session.add_all(articles)
    session.flush()
    return articles


def _rows(session) -> dict[str, list[tuple]]:
    def rows(*columns) -> list[tuple]:
        return sorted(tuple(row) for row in session.execute(select(*columns)).all())

    return {
        "actors": rows(Actor.id, Actor.name, Actor.kind),
        "aliases": rows(ActorAlias.id, ActorAlias.actor_id, ActorAlias.name, ActorAlias.uses),
        "article_aliases": rows(ArticleAlias.article_id, ArticleAlias.alias_id),
        "article_actors": rows(ArticleActor.article_id, ArticleActor.actor_id),
        "mentions": rows(Mention.article_id, Mention.actor_id, Mention.text),
        "quotes": rows(Quote.article_id, Quote.speaker_id, Quote.text),
        "sentences": rows(Sentence.article_id, Sentence.position, Sentence.text),
    }


def test_a_chunk_stores_what_one_article_at_a_time_stores(tmp_path):
    one_by_one = open_store(store_url(tmp_path, "single"))
    with one_by_one.session() as session:
        articles = [a.id for a in _articles(session, len(ARTICLES))]
    for n, (article_id, names) in enumerate(zip(articles, ARTICLES, strict=True)):
        with one_by_one.session() as session:
            save_analysis(session, session.get(Article, article_id), _analysis(names, n))
    chunked = open_store(store_url(tmp_path, "chunked"))
    with chunked.session() as session:
        articles = _articles(session, len(ARTICLES))
        pairs = [
            (a, _analysis(names, n))
            for n, (a, names) in enumerate(zip(articles, ARTICLES, strict=True))
        ]
        save_analyses(session, pairs)
    with one_by_one.session() as single, chunked.session() as chunk:
        expected, got = _rows(single), _rows(chunk)
    assert got == expected
    # The identity rules held: one Maduro, one Selenskyj, the bare "Müller" on its own again.
    names = [name for _id, name, _kind in got["actors"]]
    assert sum("Maduro" in name for name in names) == 1
    assert "Müller" in names and "Gabriel Boric" in names and "Gabriel Borics" not in names
    one_by_one.close()
    chunked.close()


def _statements(tmp_path, name: str, count: int) -> int:
    """Statements that storing `count` articles' analyses (every name new) takes."""
    store = open_store(store_url(tmp_path, name))
    with store.session() as session:
        articles = _articles(session, count)
        pairs = [
            (a, _analysis([f"Person{n}a Nachname{n}a", f"Person{n}b Nachname{n}b"], n))
            for n, a in enumerate(articles)
        ]
        seen = []
        event.listen(store.engine, "before_cursor_execute", lambda *args: seen.append(1))
        save_analyses(session, pairs)
    store.close()
    return len(seen)


def test_storing_a_chunk_takes_the_same_statements_for_more_articles(tmp_path):
    """No statement per article, name or row: twice the articles, the same statements."""
    few, more = _statements(tmp_path, "few", 6), _statements(tmp_path, "more", 24)
    assert few == more
    assert more < 30


def test_strings_written_in_bulk_are_fitted_to_their_columns(store):
    """The rows inserted in bulk lose NULs and are cut to their columns as the ORM's are
    (PostgreSQL refuses both and would lose the whole chunk)."""
    analysis = _analysis(["Anna Beispiel"], 0)
    analysis.sentences = ["Ein Satz mit \x00 NUL."]
    analysis.quotes[0].cue = "sagte" * 40  # String(100)
    analysis.quotes[0].text = "Zitat\x00"
    with store.session() as session:
        (article,) = _articles(session, 1)
        save_analyses(session, [(article, analysis)])
    with store.session() as session:
        assert session.scalar(select(Sentence.text)) == "Ein Satz mit  NUL."
        quote = session.scalars(select(Quote)).one()
        assert quote.text == "Zitat" and quote.cue == ("sagte" * 40)[:100]


def test_a_name_after_a_detach_in_the_same_article_keeps_its_row(store):
    """An article names the bare surname, then a second person with it (the bare name is parted
    from the first person: its rows move), then the first person in full: every actor it names
    has its row, with what the names after the detach added."""
    with store.session() as session:
        first, second = _articles(session, 2)
        save_analyses(session, [(first, _analysis(["Thomas Müller", "Müller"], 0))])
    with store.session() as session:
        second = session.get(Article, second.id)
        analysis = _analysis(["Müller", "Gerd Müller", "Thomas Müller", "Gerd Müller"], 1)
        analysis.actors = analysis.actors[:3] + [
            ActorInfo("Gerd Müller", "PER", mentions=2, salience=0.5)
        ]
        named = save_analyses(session, [(second, analysis)])
        rows = {
            session.get(Actor, actor_id).name: (mentions, salience)
            for actor_id, mentions, salience in session.execute(
                select(ArticleActor.actor_id, ArticleActor.mentions, ArticleActor.salience).where(
                    ArticleActor.article_id == second.id
                )
            )
        }
    assert named[second.id]["Thomas Müller"].name == "Thomas Müller"
    assert rows["Thomas Müller"] == (1, 1.0 / 3)  # its own name's row, not lost
    assert rows["Gerd Müller"] == (3, 0.5 + 0.5)  # both its names, one row
    assert "Müller" in rows  # the bare name's row moved with it


def test_a_name_of_the_parted_actor_after_the_detach_adds_to_the_moved_row(store):
    """The article's bare surname row moves to the parted "Müller"; a later genitive of it in
    the same article means that actor: one row with both names' counts, not a second row."""
    with store.session() as session:
        first, second = _articles(session, 2)
        save_analyses(session, [(first, _analysis(["Thomas Müller", "Müller"], 0))])
    with store.session() as session:
        second = session.get(Article, second.id)
        analysis = _analysis(["Müller", "Gerd Müller", "Müllers"], 1)
        named = save_analyses(session, [(second, analysis)])
        rows = {
            session.get(Actor, actor_id).name: mentions
            for actor_id, mentions in session.execute(
                select(ArticleActor.actor_id, ArticleActor.mentions).where(
                    ArticleActor.article_id == second.id
                )
            )
        }
    assert named[second.id]["Müllers"].name == "Müller"
    assert rows == {"Müller": 2, "Gerd Müller": 1}


def test_a_detach_writes_nothing_before_the_chunk_is_written(store, monkeypatch):
    """Parting a surname from its person in the middle of a chunk moves the rows waiting in the
    book: every table is still written once per chunk (stored rows are moved by an UPDATE)."""
    with store.session() as session:
        articles = _articles(session, 5)
        save_analyses(session, [(articles[0], _analysis(["Thomas Müller", "Müller"], 0))])
        save_analyses(session, [(articles[1], _analysis(["Müller"], 1))])
    written: list[str] = []

    def insert_rows(session, table, rows) -> None:
        written.append(table.name)
        db.insert_rows(session, table, rows)

    def insert_objects(session, objects) -> None:
        written.extend({type(row).__tablename__ for row in objects})
        db.insert_objects(session, objects)

    monkeypatch.setattr(actors, "insert_rows", insert_rows)
    monkeypatch.setattr(actors, "insert_objects", insert_objects)
    with store.session() as session:
        chunk = [session.get(Article, a.id) for a in articles[2:]]
        save_analyses(
            session,
            [
                (chunk[0], _analysis(["Müller", "Anna Schmidt"], 2)),
                (chunk[1], _analysis(["Gerd Müller"], 3)),
                (chunk[2], _analysis(["Müller", "Thomas Müller"], 4)),
            ],
        )
        owners = dict(
            session.execute(
                select(ArticleActor.article_id, Actor.name)
                .join(Actor, Actor.id == ArticleActor.actor_id)
                .where(Actor.name.like("%Müller"))
            ).all()
        )
    assert sorted(written) == sorted(
        ["actors", "actor_aliases", "article_aliases", "article_actors", "mentions", "quotes"]
        + ["sentences"]
    )
    # The bare name's articles went to the parted "Müller", stored and waiting alike.
    assert owners[articles[1].id] == owners[articles[2].id] == "Müller"
    assert owners[articles[3].id] == "Gerd Müller" and owners[articles[0].id] == "Thomas Müller"


def test_rows_inserted_in_bulk_keep_every_value_and_take_their_defaults(store):
    """`insert_rows` and `insert_or_add` on either database: text, bytes, booleans, numbers,
    NULLs, JSON and times come back as given, an omitted column takes its default, and on
    PostgreSQL the rows go in as one COPY (no INSERT) or, for counts added up, one INSERT from
    arrays — never one INSERT per row."""
    with store.session() as session:
        articles = _articles(session, 3)
        executions = []

        def executed(_connection, _cursor, _sql, _parameters, _context, many) -> None:
            executions.append(many)

        event.listen(store.engine, "before_cursor_execute", executed)
        insert_rows(
            session,
            Sentence.__table__,
            [
                {
                    "article_id": articles[0].id,
                    "position": i,
                    "text": text,
                    "boilerplate": flag,
                    "key_rank": rank,
                    "score": score,
                }
                for i, (text, flag, rank, score) in enumerate(
                    [
                        ("Erster Satz „zitiert“.", False, 0, 0.5),
                        ("🙂 ß", True, None, None),
                        ("Tab\tneue\nZeile \\N \\ Ende", False, 1, -0.0),
                    ]
                )
            ],
        )
        insert_rows(
            session,
            ArticleFingerprint.__table__,
            [{"article_id": a.id, "minhash": bytes([n, 0, 255])} for n, a in enumerate(articles)],
        )
        seen = dt.datetime(2026, 12, 3, 7, 30, 15, 123456)
        insert_rows(
            session,
            Story.__table__,
            [
                {
                    "title": "Reform",
                    "first_seen_at": seen,
                    "last_seen_at": seen,
                    "terms": {"reform": 0.5, "„zoll“": 1.0},
                }
            ],
        )
        day = dt.date(2026, 12, 3)
        for count in (1, 2):
            insert_or_add(
                session,
                StoryTermDay.__table__,
                [
                    {"day": day, "term": "reform", "articles": count},
                    {"day": day, "term": f"neu{count}", "articles": count},
                ],
                ["term", "day"],
                "articles",
            )
        event.remove(store.engine, "before_cursor_execute", executed)
    with store.session() as session:
        sentences = session.execute(
            select(Sentence.text, Sentence.boilerplate, Sentence.key_rank, Sentence.score).order_by(
                Sentence.position
            )
        ).all()
        assert [tuple(row) for row in sentences] == [
            ("Erster Satz „zitiert“.", False, 0, 0.5),
            ("🙂 ß", True, None, None),
            ("Tab\tneue\nZeile \\N \\ Ende", False, 1, -0.0),
        ]
        story = session.scalars(select(Story)).one()
        assert (story.terms, story.actors, story.article_count) == (
            {"reform": 0.5, "„zoll“": 1.0},
            {},
            0,
        )
        assert story.first_seen_at == seen and story.created_at is not None
        prints = session.scalars(select(ArticleFingerprint).order_by(ArticleFingerprint.article_id))
        assert [(p.minhash, p.created_at is not None) for p in prints] == [
            (bytes([n, 0, 255]), True) for n in range(3)
        ]
        counts = dict(session.execute(select(StoryTermDay.term, StoryTermDay.articles)).all())
        assert counts == {"reform": 3, "neu1": 1, "neu2": 2}
    if store.engine.dialect.name == "postgresql":
        assert executions == [False, False]  # the two `insert_or_add`; the rest was COPY


def test_objects_inserted_as_rows_are_stored_objects_of_the_session(store):
    """`insert_objects`: the new objects are written with their defaults and fitted strings,
    and belong to the session as stored rows — a later change is written as an update."""
    with store.session() as session:
        actors = [
            Actor(id=7, name="Anna Beispiel", kind="PER"),
            Actor(id=9, name="x" * 400, kind="ORG"),
        ]
        insert_objects(session, actors)
        assert all(a in session and a not in session.new for a in actors)
        assert actors[1].name == "x" * 300 and actors[0].first_seen_at is not None
        actors[0].name = "Anna B. Beispiel"
    with store.session() as session:
        stored = session.execute(select(Actor.id, Actor.name, Actor.first_seen_at)).all()
        assert sorted((i, n) for i, n, _ in stored) == [(7, "Anna B. Beispiel"), (9, "x" * 300)]
        assert all(seen is not None for _, _, seen in stored)


def test_rows_refused_in_bulk_raise_what_sqlalchemy_raises(store):
    """A refused bulk insert (here: a key twice) raises SQLAlchemy's IntegrityError on either
    database, COPY or not, so callers catch one kind of error."""
    row = {"day": dt.date(2026, 12, 4), "term": "reform", "articles": 1}
    with pytest.raises(IntegrityError), store.session() as session:
        insert_rows(session, StoryTermDay.__table__, [row, dict(row)])
    with store.session() as session:
        assert session.scalars(select(StoryTermDay)).all() == []


def test_a_stored_actor_named_again_is_seen_again_and_its_spelling_counted(store):
    """Seen-at times and spelling counts of stored actors are written by the book in one
    statement per table (`update_rows`), not by the session: the stored values are current."""
    long_ago = dt.datetime(2020, 1, 1)
    with store.session() as session:
        first, second = _articles(session, 2)
        save_analyses(session, [(first, _analysis(["Anna Beispiel"], 0))])
        session.execute(update(Actor).values(last_seen_at=long_ago))
    with store.session() as session:
        save_analyses(session, [(session.get(Article, second.id), _analysis(["Anna Beispiel"], 1))])
    with store.session() as session:
        actor = session.scalars(select(Actor)).one()
        alias = session.scalars(select(ActorAlias)).one()
        assert actor.last_seen_at > long_ago
        assert alias.uses == 2


def test_rows_updated_in_bulk_take_each_rows_values(store):
    with store.session() as session:
        articles = _articles(session, 3)
        update_rows(session, Article.__table__, [])  # nothing to do
        update_rows(
            session,
            Article.__table__,
            [
                {"id": articles[0].id, "title": "Eins\ttab", "status": "analysed"},
                {"id": articles[2].id, "title": "Drei", "status": "skipped"},
            ],
        )
    with store.session() as session:
        stored = session.execute(select(Article.title, Article.status).order_by(Article.id)).all()
    assert [tuple(row) for row in stored] == [
        ("Eins\ttab", "analysed"),
        ("T1", articles[1].status),
        ("Drei", "skipped"),
    ]
