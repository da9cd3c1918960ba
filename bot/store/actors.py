"""Finding actors: by what the analysis wrote (one stored actor per person, whatever the
spelling) and by what a reader types ("rubio", "Rubios", "Marco Rubio", "Rubo", "Selenskyj").

Every spelling is an alias (`ActorAlias`) with an indexed name key that folds case, accents and
German/English transliteration. While analyses are stored, a unit of work's lookups go through
its `ActorBook`: the aliases of every name a chunk of articles may ask for, read in a few
indexed queries up front, and the actors and aliases it makes, written together at the end —
no query or flush per name. A bare surname joins the one full name the store knows; when a
second person with that surname appears, the join is undone (`detach_alias`).
"""

from __future__ import annotations

import collections
import datetime as dt
import itertools
import weakref
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, utils
from sqlalchemy import Table, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from bot.analyse.gazetteer import country_name, place_name
from bot.analyse.lexicon import BITS, COMPOUND, kind_id
from bot.analyse.names import genitive_stems, last_word_key, name_key, word_count
from bot.analyse.types import ActorInfo
from bot.store.db import (
    fit_strings,
    insert_objects,
    insert_rows,
    one_of,
    reserve_ids,
    update_rows,
)
from bot.store.schema import (
    Actor,
    ActorAlias,
    ArticleActor,
    ArticleAlias,
    Mention,
    Quote,
    utcnow,
)

FUZZY_CUTOFF = 80
GENITIVE_ENDINGS = ("s", "’", "'")
IN_LIST = 500  # values per IN (...) of a lookup query

# --- the unit of work's book of aliases ----------------------------------------------------------

_BORN: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_births = itertools.count()


def _seniority(row: Actor | ActorAlias) -> tuple[int, int]:
    """Older first: stored rows by id, then this unit of work's new ones (no id until they are
    written) in the order they were made — the order their ids will have."""
    return (0, row.id) if row.id is not None else (1, _BORN[row])


_FIELDS = ("name", "name_key", "last_key")


class ActorBook:
    """The aliases (with their actors) a unit of work has looked up or made, by spelling, name
    key and surname key. A lookup of keys not asked for before reads them in one indexed query;
    `prefetch` asks for a whole chunk's at once. New actors, aliases, the articles' spellings and
    rows that name new actors wait here until `write`, so storing a chunk costs a few
    statements, not a flush per name. A `detach_alias` changes them here, and the stored rows
    it moves are moved when the book writes."""

    def __init__(self) -> None:
        self.owner: dict[ActorAlias, Actor] = {}  # every alias in the book → its actor
        self.index: dict[str, dict[str, dict[ActorAlias, None]]] = {
            f: collections.defaultdict(dict) for f in _FIELDS
        }
        self.loaded: dict[str, set[str]] = {f: set() for f in _FIELDS}
        self.new_actors: list[Actor] = []
        self.new_aliases: list[ActorAlias] = []
        self.article_aliases: list[tuple[int, ActorAlias]] = []
        self.rows: list[tuple[Table, dict]] = []  # inserts whose values may be (new) actors
        self.moved_aliases: list[ActorAlias] = []  # stored aliases that changed actor
        # Stored actors seen again and aliases used again: the session does not know (it would
        # write each with an UPDATE of its own); `write` updates them together.
        self.seen: dict[Actor, None] = {}
        self.used: dict[ActorAlias, None] = {}
        # Stored rows to move to another actor: (from, to, articles), in the order parted.
        self.moves: list[tuple[Actor, Actor, list[int]]] = []

    # lookups
    def load(self, session: Session, **wanted: Iterable[str]) -> None:
        """Read the stored aliases with these spellings (`name`), name keys or surname keys
        not read before."""
        missing = {}
        for field, values in wanted.items():
            loaded = self.loaded[field]
            new = {value for value in values if value not in loaded}
            if new:
                missing[field] = sorted(new)
        if not missing:  # most look-ups: all read already
            return
        with session.no_autoflush:
            for field, values in missing.items():
                column = getattr(ActorAlias, field)
                for start in range(0, len(values), IN_LIST):
                    part = values[start : start + IN_LIST]
                    for alias, actor in session.execute(
                        select(ActorAlias, Actor)
                        .join(Actor, Actor.id == ActorAlias.actor_id)
                        .where(one_of(session, column, part))
                    ).all():
                        if alias not in self.owner:  # the book's own state is newer
                            self._enter(alias, actor)
                self.loaded[field].update(values)

    def where(
        self,
        session: Session,
        names: Iterable[str] = (),
        keys: Iterable[str] = (),
        lasts: Iterable[str] = (),
    ) -> list[tuple[ActorAlias, Actor]]:
        """Aliases spelt as one of `names`, or with one of the name `keys` or surname keys
        (`lasts`), each with its actor, oldest first."""
        wanted = {"name": list(names), "name_key": list(keys), "last_key": list(lasts)}
        self.load(session, **wanted)
        found: dict[ActorAlias, None] = {}
        for field, values in wanted.items():
            for value in values:
                found.update(self.index[field].get(value, {}))
        return [(alias, self.owner[alias]) for alias in sorted(found, key=_seniority)]

    def named(self, session: Session, name: str) -> ActorAlias | None:
        rows = self.where(session, names=[name])
        return rows[0][0] if rows else None

    # changes
    def _enter(self, alias: ActorAlias, actor: Actor) -> None:
        self.owner[alias] = actor
        for field in _FIELDS:
            self.index[field][getattr(alias, field)][alias] = None

    def add_alias(self, actor: Actor, name: str) -> ActorAlias:
        alias = ActorAlias(
            actor_id=actor.id,
            name=name,
            name_key=name_key(name)[:300],
            last_key=last_word_key(name)[:100],
            words=word_count(name),
            uses=0,
        )
        _BORN[alias] = next(_births)
        self.new_aliases.append(alias)
        self._enter(alias, actor)
        return alias

    def respell(self, alias: ActorAlias, name: str) -> None:
        for field in _FIELDS:
            self.index[field][getattr(alias, field)].pop(alias, None)
        alias.name, alias.name_key = name, name_key(name)[:300]
        alias.last_key, alias.words = last_word_key(name)[:100], word_count(name)
        self._enter(alias, self.owner[alias])

    def add_actor(self, actor: Actor) -> None:
        _BORN[actor] = next(_births)
        self.new_actors.append(actor)  # into the session when written

    def saw(self, actor: Actor, when: dt.datetime) -> None:
        """The actor was named at `when`."""
        self._change(actor, "last_seen_at", when, self.seen)

    def use(self, alias: ActorAlias) -> None:
        """An article used the spelling once more."""
        self._change(alias, "uses", (alias.uses or 0) + 1, self.used)

    @staticmethod
    def _change(row: Actor | ActorAlias, key: str, value: object, changed: dict) -> None:
        """A new row takes the value (written with it); a stored one takes it unknown to the
        session and is noted in `changed`, for `write`'s one UPDATE."""
        if row.id is None:
            setattr(row, key, value)
        else:
            set_committed_value(row, key, value)
            changed[row] = None

    def add_row(self, table: Table, row: dict) -> None:
        """A row to insert with the others at `write`; an `Actor` value becomes its id. Until
        then the row may still change."""
        self.rows.append((table, row))

    def load_actor(self, session: Session, actor: Actor) -> None:
        """Read all of a stored actor's aliases."""
        if actor.id is None:
            return
        with session.no_autoflush:
            for alias in session.scalars(select(ActorAlias).where(ActorAlias.actor_id == actor.id)):
                if alias not in self.owner:
                    self._enter(alias, actor)

    def articles_using(
        self, session: Session, aliases: list[ActorAlias], among: set[int] | None = None
    ) -> set[int]:
        """The articles (of `among`, if given) that used one of these spellings, stored or
        waiting."""
        found: set[int] = set()
        stored = [alias.id for alias in aliases if alias.id is not None]
        if stored and among != set():
            query = select(ArticleAlias.article_id).where(
                one_of(session, ArticleAlias.alias_id, stored)
            )
            if among is not None:
                query = query.where(one_of(session, ArticleAlias.article_id, sorted(among)))
            with session.no_autoflush:  # spellings are written by the book, not the session
                found.update(session.scalars(query))
        wanted = set(aliases)
        found.update(
            article
            for article, alias in self.article_aliases
            if alias in wanted and (among is None or article in among)
        )
        return found

    def move(self, old: Actor, new: Actor, articles: list[int]) -> None:
        """The rows of these articles that name `old` name `new` instead: the waiting ones now,
        the stored ones at `write`."""
        moving = set(articles)
        for _table, row in self.rows:
            if row["article_id"] in moving:
                for column in ("actor_id", "speaker_id"):
                    if row.get(column) is old:
                        row[column] = new
        if old.id is not None or any(to is old for _from, to, _articles in self.moves):
            self.moves.append((old, new, articles))

    def write(self, session: Session) -> None:
        """Write what waits: new actors (one flush: ids in the order they were made), the moves
        of stored rows, new aliases, the articles' spellings, then the rows naming them (one
        statement per table)."""
        actors = [actor for actor in self.new_actors if actor.id is None]
        for actor, key in zip(
            actors, reserve_ids(session, Actor.__table__, len(actors)), strict=True
        ):
            actor.id = key
        self.new_actors = []
        insert_objects(session, actors)
        for alias in self.moved_aliases:
            alias.actor_id = self.owner[alias].id
        self.moved_aliases = []
        session.flush()  # the stored actors' changes, before their aliases are written
        seen = sorted(self.seen, key=_seniority)  # by id: the order a concurrent writer locks too
        used = sorted(self.used, key=_seniority)
        self.seen, self.used = {}, {}
        update_rows(
            session, Actor.__table__, [{"id": a.id, "last_seen_at": a.last_seen_at} for a in seen]
        )
        update_rows(session, ActorAlias.__table__, [{"id": a.id, "uses": a.uses} for a in used])
        self._move_stored(session)
        if self.new_aliases:
            ids = reserve_ids(session, ActorAlias.__table__, len(self.new_aliases))
            for alias, key in zip(self.new_aliases, ids, strict=True):
                alias.id, alias.actor_id = key, self.owner[alias].id
            insert_objects(session, self.new_aliases)
            self.new_aliases = []
        if self.article_aliases:
            rows = [{"article_id": a, "alias_id": alias.id} for a, alias in self.article_aliases]
            self.article_aliases = []
            insert_rows(session, ArticleAlias.__table__, rows)
        pending, self.rows = self.rows, []
        by_table: dict[Table, list[dict]] = {}
        for table, row in pending:
            values = {k: v.id if isinstance(v, Actor) else v for k, v in row.items()}
            by_table.setdefault(table, []).append(fit_strings(table, values))
        for table, rows in by_table.items():
            insert_rows(session, table, rows)

    def _move_stored(self, session: Session) -> None:
        """Move stored rows as `move` asked (before the waiting rows are written: those are
        moved already)."""
        moves, self.moves = self.moves, []
        for old, new, articles in moves:
            for table, column in (
                (ArticleActor, ArticleActor.actor_id),
                (Mention, Mention.actor_id),
                (Quote, Quote.speaker_id),
            ):
                session.execute(
                    update(table)
                    .where(column == old.id, one_of(session, table.article_id, articles))
                    .values({column.key: new.id}),
                    execution_options={"synchronize_session": False},
                )
            # Loaded rows of the moved articles are stale now.
            moved = set(articles)
            for row in list(session.identity_map.values()):
                if isinstance(row, ArticleActor | Mention | Quote) and row.article_id in moved:
                    session.expire(row)


_BOOK = "morgenlage_actor_book"


def actor_book(session: Session) -> ActorBook:
    """The unit of work's book (made on first use)."""
    book = session.info.get(_BOOK)
    if book is None:  # not `setdefault`: that would make a book on every call
        book = session.info[_BOOK] = ActorBook()
    return book


def write_pending(session: Session) -> None:
    """Write what the unit of work's book holds (before reading or moving the rows)."""
    book = session.info.get(_BOOK)
    if book is not None:
        book.write(session)


def _lookup_forms(name: str) -> tuple[set[str], set[str]]:
    """The spellings and keys `_find_for` and `record_spellings` may look up for a name."""
    stems = genitive_stems(name)
    words = name.split() or [""]
    names = {name, *(name + ending for ending in GENITIVE_ENDINGS)}
    keys = {name_key(name), last_word_key(name), name_key(words[-1] + "s")}
    keys.update(name_key(stem) for stem in stems)
    return names, keys


def prefetch(session: Session, infos: Iterable[ActorInfo]) -> None:
    """Read, in a few indexed queries, the aliases the lookups for these names will ask for,
    and the spellings their actors are shown under."""
    names: set[str] = set()
    keys: set[str] = set()
    for info in infos:
        for name in (info.name, *info.surnames):
            more_names, more_keys = _lookup_forms(name)
            names |= more_names
            keys |= more_keys
    book = actor_book(session)
    book.load(session, name=names, name_key=keys, last_key=keys)
    book.load(session, name={actor.name for actor in book.owner.values()})


def _most_used(rows: list[tuple[ActorAlias, Actor]], key: str) -> Actor | None:
    """The actor most often written with a spelling of this key (the older one on a tie)."""
    uses: collections.Counter = collections.Counter()
    actors: dict[Actor, None] = {}
    for alias, actor in rows:
        if alias.name_key == key:
            uses[actor] += alias.uses or 0
            actors[actor] = None
    if not actors:
        return None
    return min(actors, key=lambda actor: (-uses[actor], _seniority(actor)))


def _owners(
    rows: list[tuple[ActorAlias, Actor]], surname_key: str, first_key: str | None = None
) -> list[Actor]:
    """Persons with a full name ending in this surname key (and starting with `first_key`),
    oldest first."""
    owners = {
        actor: None
        for alias, actor in rows
        if alias.last_key == surname_key
        and alias.words >= 2
        and actor.kind == "PER"
        and (first_key is None or alias.name_key.startswith(first_key + " "))
    }
    return sorted(owners, key=_seniority)


def _family(
    session: Session, surname_keys: set[str], book: ActorBook | None = None
) -> list[tuple[ActorAlias, Actor]]:
    """Every alias whose surname or whole name has one of these keys: the people a surname may
    mean, and those known only by it (through the unit of work's book, else from the store)."""
    book = book or ActorBook()
    return book.where(session, keys=surname_keys, lasts=surname_keys)


def _bare_actor(rows: list[tuple[ActorAlias, Actor]], keys: set[str]) -> Actor | None:
    """A person known so far only by the surname (or its genitive: "Seehofers"), waiting for
    their full name."""
    for alias, actor in rows:
        if (
            alias.name_key in keys
            and alias.words == 1
            and actor.kind == "PER"
            and word_count(actor.name) == 1
        ):
            return actor
    return None


@dataclass
class _Found:
    actor: Actor | None
    spelling: str
    family: list[tuple[ActorAlias, Actor]]


def _find_for(session: Session, book: ActorBook, info: ActorInfo) -> _Found:
    """The stored actor a name of the analysis means, and the spelling to record for it: the
    name's spellings, then its surname's family, all from the book."""
    name = info.name
    if alias := book.named(session, name):
        return _Found(book.owner[alias], name, [])
    words = name.split()
    person = info.kind == "PER"
    key = name_key(name)
    stems = genitive_stems(name)
    stem_keys = [name_key(stem) for stem in stems]
    genitives = [name + ending for ending in GENITIVE_ENDINGS]
    near = book.where(session, names=genitives, keys={key, *stem_keys})
    if actor := _most_used(near, key):
        return _Found(actor, name, [])
    bare_stems = [stem for stem in stems if " " not in stem]
    surname = last_word_key(name)
    bare_keys = {surname, name_key(words[-1] + "s")}
    family = []
    if person or bare_stems:
        family = _family(session, {*bare_keys, *(name_key(stem) for stem in bare_stems)}, book)
    if person and len(words) > 2:  # "Wladimir Wladimirowitsch Putin" ~ "Wladimir Putin"
        owners = _owners(family, surname, name_key(words[0]))
        if len(owners) == 1:
            return _Found(owners[0], name, family)
    # A genitive of a known name: "Maduros" when the store knows "Maduro" (or its full name;
    # any label: the model often takes an unknown genitive for a place).
    for stem, stem_key in zip(stems, stem_keys, strict=True):
        if actor := _most_used(near, stem_key):
            return _Found(actor, stem, family)
        if " " not in stem and len(owners := _owners(family, stem_key)) == 1:
            return _Found(owners[0], stem, family)
    if person and len(words) == 1 and len(owners := _owners(family, surname)) == 1:
        return _Found(owners[0], name, family)
    # The full name of a person so far known only by the surname: "Maduro" grows up.
    if (
        person
        and len(words) >= 2
        and not _owners(family, surname)
        and (bare := _bare_actor(family, bare_keys))
    ):
        return _Found(bare, name, family)
    # The store met the name first in the genitive ("Gabriel Borics Sozialstaat", then
    # "Gabriel Boric"): that spelling was this name.
    for alias, actor in near:
        if alias.name in genitives and _base_of_genitive(info):
            if actor.name == alias.name:
                actor.name = name
            book.respell(alias, name)
            return _Found(actor, name, family)
    return _Found(None, name, family)


def _person_after_all(name: str) -> bool:
    """A one-word actor stored as a place or organisation that a later article names as a
    person is one, unless the name is a known place or organisation."""
    from bot.analyse.actors import known_labels  # noqa: PLC0415 — spaCy only when storing

    return (
        word_count(name) == 1
        and country_name(name) is None
        and place_name(name) is None
        and known_labels().get(name) not in ("LOC", "ORG")
    )


def _base_of_genitive(info: ActorInfo) -> bool:
    """Whether a name may be the base form of a stored genitive: a full name, or a single
    word of five letters or more that no first name is ("Marsalek", not "Andrea")."""
    if word_count(info.name) >= 2:
        return True
    kinds = kind_id(info.name)
    first = kinds != COMPOUND and kinds & BITS["first"]
    return info.kind == "PER" and len(info.name) >= 5 and not first


def resolve_actor(session: Session, info: ActorInfo) -> tuple[Actor, str]:
    """The stored actor for an analysed name, made when new (written with the unit of work's
    other rows: `write_pending`), and the spelling the article used for it (a genitive
    recorded by its stem)."""
    book = actor_book(session)
    found = _find_for(session, book, info)
    actor = found.actor
    if actor is not None:
        if info.kind == "PER" and actor.kind != "PER" and _person_after_all(actor.name):
            actor.kind = "PER"  # "Kramp-Karrenbauer", once taken for a place
        return actor, found.spelling
    actor = Actor(name=info.name, kind=info.kind)
    book.add_actor(actor)
    book.add_alias(actor, info.name)
    if info.kind == "PER" and word_count(info.name) >= 2:
        _release_shared_surname(session, actor, found.family)
    return actor, found.spelling


def _release_shared_surname(
    session: Session, newcomer: Actor, family: list[tuple[ActorAlias, Actor]]
) -> None:
    """A second person with a surname: the bare surname, joined so far to the other person,
    becomes ambiguous again and its articles that used only it go back to it alone."""
    surname_key = last_word_key(newcomer.name)
    for alias, owner in family:
        if (
            alias.name_key == surname_key
            and alias.words == 1
            and owner is not newcomer
            and owner.kind == "PER"
            and word_count(owner.name) >= 2
        ):
            detach_alias(session, alias)


def record_spellings(
    session: Session, article_id: int, actor: Actor, names: list[str], seen: set
) -> None:
    """Count the article's spellings of an actor once each; new spellings become aliases (a
    bare surname only while no other person has it)."""
    book = actor_book(session)
    for name in dict.fromkeys(names):
        alias = book.named(session, name)
        if alias is None and word_count(name) == 1 and actor.kind == "PER":
            surname = last_word_key(name)
            owners = _owners(_family(session, {surname}, book), surname)
            if owners not in ([], [actor]):
                continue
        if alias is None:
            alias = book.add_alias(actor, name)
        if book.owner[alias] is not actor or alias in seen:
            continue
        seen.add(alias)
        book.article_aliases.append((article_id, alias))
        book.use(alias)
        _prefer_spelling(session, book, actor, alias)


def _rank(alias: ActorAlias) -> tuple:
    return (alias.words >= 2, alias.uses, alias.words)


def _prefer_spelling(session: Session, book: ActorBook, actor: Actor, alias: ActorAlias) -> None:
    """The actor is shown under its most used full spelling."""
    if alias.name == actor.name:
        return
    shown = book.named(session, actor.name)
    if shown is None or book.owner[shown] is not actor or _rank(alias) > _rank(shown):
        actor.name = alias.name


def forget_spellings(session: Session, article_id: int) -> None:
    """Undo an article's spelling counts (before it is analysed again)."""
    write_pending(session)
    used = session.scalars(select(ArticleAlias).where(ArticleAlias.article_id == article_id))
    for row in used.all():
        row.alias.uses -= 1
        session.delete(row)
    session.flush()


_MOVED = "morgenlage_moved_articles"


def moved_articles(session: Session) -> set[int]:
    """The articles whose rows a `detach_alias` of this unit of work moved to another actor."""
    return session.info.get(_MOVED, set())


def detach_alias(session: Session, alias: ActorAlias) -> Actor:
    """Undo a merge: the spelling becomes an actor of its own, and the articles that named the
    old actor only this way move with it (mentions, quotes and all). Nothing is written here:
    the book moves its waiting rows at once and the stored ones when it writes."""
    book = actor_book(session)
    old = book.owner[alias]
    book.load_actor(session, old)
    rest = sorted(
        (other for other, owner in book.owner.items() if owner is old and other is not alias),
        key=_seniority,
    )
    if not rest:
        return old
    if old.name == alias.name:
        old.name = max(rest, key=_rank).name
    if old.first_seen_at is None:  # both made in this unit of work: met at the same time
        old.first_seen_at = utcnow()
    new = Actor(name=alias.name, kind=old.kind, first_seen_at=old.first_seen_at)
    book.add_actor(new)
    book.owner[alias] = new
    if alias.id is not None:
        book.moved_aliases.append(alias)
    articles = book.articles_using(session, [alias])
    moving = sorted(articles - book.articles_using(session, rest, among=articles))
    session.info.setdefault(_MOVED, set()).update(moving)
    if moving:
        book.move(old, new, moving)
    return new


# --- what a reader types -----------------------------------------------------------------------


@dataclass
class ActorMatch:
    exact: list[Actor]  # one: that's the actor; several: let the reader pick
    close: list[Actor]  # suggestions when nothing matched well


def _weights(session: Session, ids: list[int]) -> dict[int, int]:
    """How many articles name each of these actors: the more, the likelier the one meant."""
    rows = session.execute(
        select(ArticleActor.actor_id, func.count())
        .where(one_of(session, ArticleActor.actor_id, ids))
        .group_by(ArticleActor.actor_id)
    )
    return dict(rows.all())


class _NameIndex:
    """Every spelling and its word keys — rebuilt only when aliases change, for the word and
    typo matches the key index cannot answer."""

    def __init__(self) -> None:
        self.version: tuple | None = None
        self.names: list[tuple[int, str, frozenset[str]]] = []

    def current(self, session: Session) -> list[tuple[int, str, frozenset[str]]]:
        version = tuple(
            session.execute(
                select(
                    func.count(ActorAlias.id),
                    func.max(ActorAlias.id),
                    func.sum(ActorAlias.actor_id),
                )
            ).one()
        )
        if version != self.version:
            rows = session.execute(select(ActorAlias.actor_id, ActorAlias.name)).all()
            self.names = [(i, name, frozenset(name_key(name).split())) for i, name in rows]
            self.version = version
        return self.names


_INDEXES: dict[str, _NameIndex] = {}


def _index(session: Session) -> list[tuple[int, str, frozenset[str]]]:
    key = str(session.get_bind().url)
    return _INDEXES.setdefault(key, _NameIndex()).current(session)


def find_actor(session: Session, query: str, limit: int = 5) -> ActorMatch:
    # NUL: PostgreSQL refuses it in any text parameter (no name holds one).
    query = " ".join(query.replace("\x00", "").split())[:200]
    if query.startswith("#") and query[1:].isdigit():
        actor = session.get(Actor, int(query[1:]))
        return ActorMatch([actor] if actor else [], [])
    if not query:
        return ActorMatch([], [])
    forms = [query, *genitive_stems(query)]
    keys = {name_key(form) for form in forms} - {""}

    def ranked(ids) -> list[Actor]:
        weights = _weights(session, list(ids))
        best = sorted(set(ids), key=lambda i: -weights.get(i, 0))[:limit]
        actors = {
            a.id: a for a in session.scalars(select(Actor).where(one_of(session, Actor.id, best)))
        }
        return sorted(actors.values(), key=lambda a: (-weights.get(a.id, 0), a.name))

    # Any spelling of the name, through the key index: "Selenskyj" → "Volodymyr Zelenskyy".
    exact = set(
        session.scalars(
            select(ActorAlias.actor_id).where(one_of(session, ActorAlias.name_key, keys))
        )
    )
    if word_count(query) == 1:  # a surname: every person with it, bare "Müller" too
        family = _family(session, keys)
        exact.update(actor.id for key in keys for actor in _owners(family, key))
    if exact:
        return ActorMatch(ranked(exact), [])
    # A surname or any whole word of the name: "rubio" → "Marco Rubio".
    names = _index(session)
    words = {i for i, _name, name_words_ in names if keys & name_words_}
    if words:
        return ActorMatch(ranked(words), [])
    # Typos: compare with whole names and with each word of a name ("Rubo" ~ "Rubio").
    best: dict[int, float] = {}
    for i, name, _words in names:
        score = max(
            fuzz.ratio(query, form, processor=utils.default_process)
            for form in [name, *name.split()]
        )
        if score >= 60:
            best[i] = max(score, best.get(i, 0))
    scored = sorted(best.items(), key=lambda kv: -kv[1])
    if (
        scored
        and scored[0][1] >= FUZZY_CUTOFF
        and (len(scored) == 1 or scored[1][1] < scored[0][1] - 5)
    ):
        return ActorMatch([session.get(Actor, scored[0][0])], [])
    return ActorMatch([], ranked([i for i, _score in scored[: limit * 4]]))


def top_actors(session: Session, article_ids: list[int], limit: int = 8) -> list[Actor]:
    rows = session.execute(
        select(Actor, func.sum(ArticleActor.salience).label("weight"))
        .join(ArticleActor, ArticleActor.actor_id == Actor.id)
        .where(
            one_of(session, ArticleActor.article_id, article_ids), Actor.kind.in_(("PER", "ORG"))
        )
        .group_by(Actor.id)
        .order_by(func.sum(ArticleActor.salience).desc())
        .limit(limit)
    )
    return [row[0] for row in rows]
