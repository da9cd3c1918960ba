"""Ingest writes a batch of items together (one savepoint, one statement per table); a batch the
database refuses is stored item by item, so only the bad item is skipped and reported."""

import logging

from sqlalchemy import func, select, text

from bot.collect.dedup import NearDuplicates
from bot.collect.ingest import IngestReport, ingest, ingest_paths, store_item
from bot.collect.types import RawArticle, Skipped
from bot.store import open_store
from bot.store.articles import add_article
from bot.store.schema import Article, ArticleFingerprint, ArticleSource, ArticleTopic
from bot.store.sources import source_for
from tests.conftest import store_url

BODY = (
    "Die Regierung hat am Dienstag einen neuen Haushalt vorgelegt. Finanzminister Max Muster "
    "sagte, die Lage sei ernst. Die Opposition kritisierte den Entwurf scharf. Nummer {n}: "
    "Der Verband der Steuerzahler nannte die Zahlen {n} Mal ehrgeizig, die Länder warten ab. "
    "In den Ländern wird über die Verteilung der Mittel gestritten, die Kommunen fordern mehr "
    "Geld für Schulen und Straßen. Der Bundesrat berät im März, eine Einigung gilt als offen."
)


def text_of(n: int) -> str:
    """A text of its own: near-duplicates of one another they are not."""
    return BODY.format(n=n) + " " + " ".join(f"Punkt{n} Nummer{i}." for i in range(60))


def raw(n: int, title: str | None = None, url: str | None = None, body: str | None = None):
    return RawArticle(
        url=url or f"https://example.org/{n}",
        title=title or f"Haushalt {n}",
        text=body or text_of(n),
    )


def poison_titles(store, title: str) -> None:
    """A real refusal by the database: a trigger rejects articles with this title."""
    with store.session() as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(
                text(
                    "CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN "
                    f"IF NEW.title = '{title}' THEN RAISE EXCEPTION 'poisoned item'; END IF; "
                    "RETURN NEW; END $$ LANGUAGE plpgsql"
                )
            )
            session.execute(
                text(
                    "CREATE TRIGGER poison BEFORE INSERT ON articles "
                    "FOR EACH ROW EXECUTE FUNCTION poison()"
                )
            )
        else:
            session.execute(
                text(
                    f"CREATE TRIGGER poison BEFORE INSERT ON articles WHEN NEW.title = '{title}' "
                    "BEGIN SELECT RAISE(ABORT, 'poisoned item'); END"
                )
            )


def stored(store):
    with store.session() as session:
        titles = sorted(session.scalars(select(Article.title)))
        counts = {
            table.__name__: session.scalar(select(func.count()).select_from(table))
            for table in (ArticleSource, ArticleFingerprint, ArticleTopic)
        }
    return titles, counts


def test_a_poisoned_item_costs_only_itself(store, caplog):
    poison_titles(store, "Gift")
    items = [raw(n) for n in range(5)]
    items.insert(2, raw(99, title="Gift"))
    items.append(Skipped("broken.json", "invalid JSON"))
    with caplog.at_level(logging.INFO):
        report = ingest(store, items, "files", "/news")
    assert report.new == 5
    [bad, broken] = report.skipped
    assert bad.where == "https://example.org/99" and "poisoned item" in bad.reason
    assert bad.reason.startswith("not stored:") and "\n" not in bad.reason
    assert broken.where == "broken.json"
    assert "could not store https://example.org/99" in caplog.text
    titles, counts = stored(store)
    assert titles == [f"Haushalt {n}" for n in range(5)]
    assert counts == {"ArticleSource": 5, "ArticleFingerprint": 5, "ArticleTopic": 5}


def test_a_batch_stores_what_one_item_at_a_time_stores(store, tmp_path, caplog):
    near_copy = text_of(1).replace("Dienstag", "Mittwoch")
    items = [
        raw(0),
        raw(1),
        raw(1, url="https://example.org/1-again"),  # same text: a duplicate, another source
        raw(2, url="https://example.org/1"),  # the first URL with a longer text: updated
        raw(3, body=near_copy, url="https://other.example/3"),  # near-duplicate of 1
        raw(4),
        raw(4),  # the same item twice: unchanged
    ]
    one_by_one = open_store(store_url(tmp_path, "one_by_one"))
    single, near = IngestReport(), NearDuplicates()
    with one_by_one.session() as session:  # as the feeds store their items: one at a time
        source = source_for(session, "files", "/news")
        for item in items:
            store_item(session, source, item, single, near)
    with caplog.at_level(logging.WARNING):
        together = ingest(store, items, "files", "/news", NearDuplicates())
    assert "refused" not in caplog.text  # stored as one batch
    assert (single.new, single.updated, single.unchanged, single.duplicate) == (3, 1, 1, 2)
    assert (together.new, together.updated, together.unchanged, together.duplicate) == (
        single.new,
        single.updated,
        single.unchanged,
        single.duplicate,
    )
    assert together.skipped == single.skipped == []

    def rows(target):
        """What was stored, by URL (PostgreSQL's ids may have gaps where an item looked new)."""
        with target.session() as session:
            url = {i: u for i, u in session.execute(select(Article.id, Article.url))}
            return (
                sorted(session.execute(select(Article.url, Article.title, Article.content_hash))),
                sorted(
                    (url[a], u)
                    for a, u in session.execute(select(ArticleSource.article_id, ArticleSource.url))
                ),
                sorted(
                    (url[a], t)
                    for a, t in session.execute(select(ArticleTopic.article_id, ArticleTopic.topic))
                ),
                sorted(url[a] for a in session.scalars(select(ArticleFingerprint.article_id))),
                [url[a] for a in sorted(url)],  # in the order of their ids
            )

    assert rows(store) == rows(one_by_one)
    one_by_one.close()


def test_a_refused_batch_forgets_its_near_duplicate_signatures(store):
    poison_titles(store, "Gift")
    near = NearDuplicates()
    items = [raw(0), raw(1, title="Gift")]
    ingest(store, items, "files", "/news", near)
    with store.session() as session:
        ids = set(session.scalars(select(Article.id)))
    assert set(near._signatures) == ids  # noqa: SLF001 — nothing of the refused batch remains


def test_folder_ingest_is_unchanged_the_second_time(store, tmp_path):
    folder = tmp_path / "news"
    folder.mkdir()
    for n in range(3):
        (folder / f"{n}.txt").write_text(f"Haushalt {n}\n{BODY.format(n=n)}", encoding="utf-8")
    first = ingest_paths(store, [folder])
    second = ingest_paths(store, [folder])
    assert (first.new, second.new, second.unchanged) == (3, 0, 3)
    with store.session() as session:
        assert add_article(session, raw(7), None).outcome == "new"  # one at a time still works
