"""Story assignment in the analysis stage uses what the stage holds (issue 14, "storage at model
speed"): a chunk's items are made from the analyses it just wrote, and the members stories recall
from the run's own terms — with the same items, and so the same stories, as reading them back."""

from __future__ import annotations

import datetime as dt
import json

import time_machine
from sqlalchemy import event, select

from bot.analyse import stage
from bot.jobs import collect
from bot.store import open_store
from bot.store.actors import moved_articles
from bot.store.analysis import save_analyses
from bot.store.schema import Article, Story, StoryArticle
from bot.stories.cluster import Item, KnownItems, article_items, assign_stories
from tests.conftest import folder_config
from tests.test_store_bulk import ARTICLES as NAMES
from tests.test_store_bulk import _analysis, _articles
from tests.test_stories import ARTICLES


def test_items_from_the_analyses_equal_the_items_read_back(store):
    with store.session() as session:
        articles = _articles(session, len(NAMES))
        pairs = enumerate(zip(articles, NAMES, strict=True))
        analysed = [(a, _analysis(names, n)) for n, (a, names) in pairs]
        analysed[0][1].boilerplate = frozenset({1})  # a plug is no lead sentence
        named = save_analyses(session, analysed)
        moved = set(moved_articles(session))
        from_memory = {a.id: stage.story_item(a, analysis, named[a.id]) for a, analysis in analysed}
        read_back = {item.key: item for item in article_items(session, articles)}
    # "Gerd Müller" parted the bare "Müller" from Thomas Müller: its articles' rows moved, and
    # only the store knows their actors now — the stage reads those back.
    assert moved
    assert any(from_memory[a] != read_back[a] for a in moved)
    for article in articles:
        if article.id not in moved:
            assert from_memory[article.id] == read_back[article.id]
    assert all(item.actors and item.names for item in read_back.values())


def _collect_stories(tmp, analyser, monkeypatch, read_back: bool) -> dict[str, tuple]:
    """ARTICLES of tests/test_stories.py collected one after another; each article's story
    (as the set of its members' URLs) and similarity."""
    folder, config = folder_config(tmp)
    store = open_store(config.store.url)
    if read_back:  # nothing from memory: every item and member read back from the store

        class Forgetful(dict):
            def update(self, *args, **kwargs) -> None:
                pass

            def __setitem__(self, key, value) -> None:
                pass

        monkeypatch.setattr(stage, "moved_articles", lambda session: _Everything())
        monkeypatch.setattr(
            stage, "KnownItems", lambda: KnownItems(terms=Forgetful(), centroids=Forgetful())
        )
    # Chunks of two: later chunks compare with the stories the earlier ones wrote.
    monkeypatch.setattr(stage, "CHUNK", 2)
    # Two arrivals: the second run's stories recall members of the first run's.
    by_arrival = sorted(ARTICLES.items(), key=lambda a: a[1][1])
    for names in (by_arrival[:3], by_arrival[3:]):
        for name, (outlet, date, title, text) in names:
            url = f"https://{outlet.lower()}.example/{name.removesuffix('.md')}"
            meta = f"title: {json.dumps(title)}\ndate: {date}\nsource: {outlet}\nurl: {url}"
            (folder / name).write_text(f"---\n{meta}\n---\n{text}\n", encoding="utf-8")
        arrival = dt.datetime.fromisoformat(names[-1][1][1]) + dt.timedelta(minutes=5)
        with time_machine.travel(arrival, tick=False):
            collect(store, config, analyser=analyser)
    with store.session() as session:
        rows = session.execute(
            select(StoryArticle.story_id, StoryArticle.similarity, Article.url).join(
                Article, Article.id == StoryArticle.article_id
            )
        ).all()
    store.close()
    members: dict[int, set[str]] = {}
    for story, _similarity, url in rows:
        members.setdefault(story, set()).add(url)
    return {url: (frozenset(members[story]), similarity) for story, similarity, url in rows}


class _Everything(set):
    def __contains__(self, _item) -> bool:
        return True


def test_stories_from_memory_equal_stories_read_back(tmp_path, analyser, monkeypatch):
    from_memory = _collect_stories(tmp_path / "memory", analyser, monkeypatch, read_back=False)
    read_back = _collect_stories(tmp_path / "store", analyser, monkeypatch, read_back=True)
    assert from_memory == read_back
    assert len(from_memory) == len(ARTICLES)
    assert any(len(members) > 1 for members, _score in from_memory.values())


def test_a_run_keeps_the_term_vectors_of_its_last_articles_only():
    """A long analysis run's memory is bounded: the oldest term vectors go first (stories ask
    the store for them again, as `test_stories_from_memory_equal_stories_read_back` shows that
    reading back gives the same stories)."""
    known = KnownItems(keep=3)
    when = dt.datetime(2026, 12, 3)
    for key in range(1, 8):
        known.remember([Item(key=key, when=when, title=f"T{key}", terms={f"w{key}": 1.0})])
    assert list(known.terms) == [5, 6, 7]
    assert known.terms[7] == {"w7": 1.0}


def test_a_chunk_reads_back_only_the_centroids_of_stories_changed_since(store):
    """The centroids a run wrote are not read back by its next chunk (JSON decoding of every
    story in the window for each chunk cost a tenth of the assignment); a story grown meanwhile
    by another writer is read again."""
    when = dt.datetime(2026, 12, 3, 8)
    with store.session() as session:
        ids = [article.id for article in _articles(session, 3)]
    terms = [{"riad": 1.0, "gesprach": 1.0}, {"gipfel": 1.0}, {"gipfel": 1.0, "genf": 1.0}]
    known = KnownItems()
    statements: list[str] = []

    def remember(_connection, _cursor, statement, *_args) -> None:
        statements.append(statement)

    def assign(n: int) -> None:
        known.items = {ids[n]: Item(ids[n], when + dt.timedelta(hours=n), f"T{n}", terms[n])}
        statements.clear()
        with store.session() as session:
            assign_stories(session, [ids[n]], known)

    def story_of(n: int) -> int:
        with store.session() as session:
            return session.scalar(
                select(StoryArticle.story_id).where(StoryArticle.article_id == ids[n])
            )

    event.listen(store.engine, "before_cursor_execute", remember)
    try:
        assign(0)
        with store.session() as session:  # another writer grows the story
            story = session.get(Story, story_of(0))
            story.terms, story.article_count = {"riad": 0.7, "gipfel": 0.7}, 2
        assign(1)
        assert any("stories.terms" in statement for statement in statements)
        assert story_of(1) == story_of(0)  # by "gipfel", which only the store knew
        assign(2)
        assert not any("stories.terms" in statement for statement in statements)
        assert story_of(2) == story_of(0)
    finally:
        event.remove(store.engine, "before_cursor_execute", remember)


def test_a_chunk_whose_items_are_all_held_reads_no_sentences_back(store):
    """The stage's items are made from the analyses it just wrote: assigning their stories asks
    the store for no sentence, mention or actor of theirs."""
    with store.session() as session:
        ids = [article.id for article in _articles(session, 2)]
    when = dt.datetime(2026, 12, 3, 8)
    known = KnownItems()
    known.items = {key: Item(key, when, f"T{key}", {"riad": 1.0, f"w{key}": 1.0}) for key in ids}
    statements: list[str] = []

    def remember(_connection, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", remember)
    try:
        with store.session() as session:
            assert assign_stories(session, ids, known) == 2
    finally:
        event.remove(store.engine, "before_cursor_execute", remember)
    read = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert not [s for s in read if any(t in s for t in ("sentences", "mentions", "article_actors"))]
