"""Finding actors: by what the analysis wrote (one stored actor per person, whatever the
spelling) and by what a reader types ("rubio", "Rubios", "Marco Rubio", "Rubo", "Selenskyj").

Every spelling is an alias (`ActorAlias`) with an indexed name key that folds case, accents and
German/English transliteration; lookups go through that index and a small in-process cache of
exact spellings, never a scan of the actors. A bare surname joins the one full name the store
knows; when a second person with that surname appears, the join is undone (`detach_alias`).
"""

from __future__ import annotations

import collections
from dataclasses import dataclass

from rapidfuzz import fuzz, utils
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from bot.analyse.gazetteer import country_name, place_name
from bot.analyse.lexicon import BITS, COMPOUND, kind_id
from bot.analyse.names import genitive_stems, last_word_key, name_key, word_count
from bot.analyse.types import ActorInfo
from bot.store.schema import Actor, ActorAlias, ArticleActor, ArticleAlias, Mention, Quote

FUZZY_CUTOFF = 80
CACHE_SIZE = 20_000


# --- aliases -----------------------------------------------------------------------------------


class _SpellingCache:
    """Exact spelling → (actor id, alias id), per database; an entry is checked against the
    alias row (an identity-map or primary-key read) before use, so a rolled-back or moved
    alias is never trusted."""

    def __init__(self) -> None:
        self.entries: collections.OrderedDict[str, tuple[int, int]] = collections.OrderedDict()

    def get(self, session: Session, name: str) -> ActorAlias | None:
        hit = self.entries.get(name)
        if hit is not None:
            alias = session.get(ActorAlias, hit[1])
            if alias is not None and alias.name == name and alias.actor_id == hit[0]:
                self.entries.move_to_end(name)
                return alias
            del self.entries[name]
        alias = session.scalar(select(ActorAlias).where(ActorAlias.name == name))
        if alias is not None:
            self.put(alias)
        return alias

    def put(self, alias: ActorAlias) -> None:
        if alias.id is None:
            return
        self.entries[alias.name] = (alias.actor_id, alias.id)
        self.entries.move_to_end(alias.name)
        while len(self.entries) > CACHE_SIZE:
            self.entries.popitem(last=False)


_CACHES: dict[str, _SpellingCache] = {}
GENITIVE_ENDINGS = ("s", "’", "'")


def _cache(session: Session) -> _SpellingCache:
    return _CACHES.setdefault(str(session.get_bind().url), _SpellingCache())


def _made_here(session: Session) -> dict[str, ActorAlias]:
    """Aliases made in this session, by spelling: found before they are flushed (they are
    written with the article's other rows, in one flush)."""
    return session.info.setdefault("morgenlage_new_aliases", {})


def _unflushed(session: Session) -> list[ActorAlias]:
    """This session's aliases not yet written (written ones go to the spelling cache)."""
    made = _made_here(session)
    for name, alias in list(made.items()):
        if alias.id is not None or alias not in session:
            del made[name]
            if alias.id is not None:
                _cache(session).put(alias)
    return list(made.values())


def alias_named(session: Session, name: str) -> ActorAlias | None:
    made = _made_here(session).get(name)
    if made is not None and made.id is None and made in session:
        return made
    return _cache(session).get(session, name)


def _add_alias(session: Session, actor: Actor, name: str) -> ActorAlias:
    alias = ActorAlias(
        actor_id=actor.id,
        name=name,
        name_key=name_key(name)[:300],
        last_key=last_word_key(name)[:100],
        words=word_count(name),
        uses=0,
    )
    session.add(alias)
    _made_here(session)[name] = alias
    return alias


def _aliases_where(session: Session, condition, match) -> list[tuple[ActorAlias, Actor]]:
    """Stored aliases meeting `condition` (through its indexes) and this session's unflushed
    ones meeting `match`, each with its actor."""
    found = {
        id(alias): (alias, actor)
        for alias, actor in session.execute(
            select(ActorAlias, Actor).join(Actor, Actor.id == ActorAlias.actor_id).where(condition)
        ).all()
    }
    for alias in _unflushed(session):
        if id(alias) not in found and match(alias):
            found[id(alias)] = (alias, session.get(Actor, alias.actor_id))
    return list(found.values())


def _most_used(rows: list[tuple[ActorAlias, Actor]], key: str) -> Actor | None:
    """The actor most often written with a spelling of this key."""
    uses: collections.Counter = collections.Counter()
    actors = {}
    for alias, actor in rows:
        if alias.name_key == key:
            uses[actor.id] += alias.uses or 0
            actors[actor.id] = actor
    if not actors:
        return None
    return actors[min(actors, key=lambda i: (-uses[i], i))]


def _owners(
    rows: list[tuple[ActorAlias, Actor]], surname_key: str, first_key: str | None = None
) -> list[Actor]:
    """Persons with a full name ending in this surname key (and starting with `first_key`)."""
    owners = {
        actor.id: actor
        for alias, actor in rows
        if alias.last_key == surname_key
        and alias.words >= 2
        and actor.kind == "PER"
        and (first_key is None or alias.name_key.startswith(first_key + " "))
    }
    return [owners[i] for i in sorted(owners)]


def _family(session: Session, surname_keys: set[str]) -> list[tuple[ActorAlias, Actor]]:
    """Every alias whose surname or whole name has one of these keys: the people a surname may
    mean, and those known only by it."""
    return _aliases_where(
        session,
        or_(ActorAlias.last_key.in_(surname_keys), ActorAlias.name_key.in_(surname_keys)),
        lambda a: a.last_key in surname_keys or a.name_key in surname_keys,
    )


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


def _find_for(session: Session, info: ActorInfo) -> _Found:
    """The stored actor a name of the analysis means, and the spelling to record for it: two
    indexed queries at most, one for the name's spellings, one for its surname's family."""
    name = info.name
    if alias := alias_named(session, name):
        return _Found(session.get(Actor, alias.actor_id), name, [])
    words = name.split()
    person = info.kind == "PER"
    key = name_key(name)
    stems = genitive_stems(name)
    stem_keys = [name_key(stem) for stem in stems]
    genitives = [name + ending for ending in GENITIVE_ENDINGS]
    keys = {key, *stem_keys}
    near = _aliases_where(
        session,
        or_(ActorAlias.name_key.in_(keys), ActorAlias.name.in_(genitives)),
        lambda a: a.name_key in keys or a.name in genitives,
    )
    if actor := _most_used(near, key):
        return _Found(actor, name, [])
    bare_stems = [stem for stem in stems if " " not in stem]
    surname = last_word_key(name)
    bare_keys = {surname, name_key(words[-1] + "s")}
    family = []
    if person or bare_stems:
        family = _family(session, {*bare_keys, *(name_key(stem) for stem in bare_stems)})
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
            _respell(session, alias, name)
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


def _respell(session: Session, alias: ActorAlias, name: str) -> None:
    actor = session.get(Actor, alias.actor_id)
    _cache(session).entries.pop(alias.name, None)
    _made_here(session).pop(alias.name, None)
    if actor.name == alias.name:
        actor.name = name
    alias.name, alias.name_key = name, name_key(name)[:300]
    alias.last_key, alias.words = last_word_key(name)[:100], word_count(name)
    session.flush()
    _cache(session).put(alias)


def resolve_actor(session: Session, info: ActorInfo) -> tuple[Actor, str]:
    """The stored actor for an analysed name, created when new, and the spelling the article
    used for it (a genitive recorded by its stem)."""
    # The lookups see this session's new aliases themselves: no autoflush of the article's
    # pending rows before each of them.
    with session.no_autoflush:
        found = _find_for(session, info)
    actor = found.actor
    if actor is not None:
        if info.kind == "PER" and actor.kind != "PER" and _person_after_all(actor.name):
            actor.kind = "PER"  # "Kramp-Karrenbauer", once taken for a place
        return actor, found.spelling
    actor = Actor(name=info.name, kind=info.kind)
    session.add(actor)
    session.flush()
    _add_alias(session, actor, info.name)
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
            and owner.id != newcomer.id
            and owner.kind == "PER"
            and word_count(owner.name) >= 2
        ):
            detach_alias(session, alias)


def record_spellings(
    session: Session, article_id: int, actor: Actor, names: list[str], seen: set
) -> None:
    """Count the article's spellings of an actor once each; new spellings become aliases (a
    bare surname only while no other person has it)."""
    for name in dict.fromkeys(names):
        with session.no_autoflush:
            alias = alias_named(session, name)
            if alias is None and word_count(name) == 1 and actor.kind == "PER":
                surname = last_word_key(name)
                owners = _owners(_family(session, {surname}), surname)
                if [o.id for o in owners] not in ([], [actor.id]):
                    continue
        if alias is None:
            alias = _add_alias(session, actor, name)
        if alias.actor_id != actor.id or alias in seen:
            continue
        seen.add(alias)
        session.add(ArticleAlias(article_id=article_id, alias=alias))
        alias.uses = (alias.uses or 0) + 1
        _prefer_spelling(session, actor, alias)


def _rank(alias: ActorAlias) -> tuple:
    return (alias.words >= 2, alias.uses, alias.words)


def _prefer_spelling(session: Session, actor: Actor, alias: ActorAlias) -> None:
    """The actor is shown under its most used full spelling."""
    if alias.name == actor.name:
        return
    with session.no_autoflush:
        shown = alias_named(session, actor.name)
    if shown is None or shown.actor_id != actor.id or _rank(alias) > _rank(shown):
        actor.name = alias.name


def forget_spellings(session: Session, article_id: int) -> None:
    """Undo an article's spelling counts (before it is analysed again)."""
    used = session.scalars(select(ArticleAlias).where(ArticleAlias.article_id == article_id))
    for row in used.all():
        row.alias.uses -= 1
        session.delete(row)
    session.flush()


def detach_alias(session: Session, alias: ActorAlias) -> Actor:
    """Undo a merge: the spelling becomes an actor of its own, and the articles that named the
    old actor only this way move with it (mentions, quotes and all)."""
    session.flush()
    old = session.get(Actor, alias.actor_id)
    rest = [
        a
        for a in session.scalars(select(ActorAlias).where(ActorAlias.actor_id == old.id))
        if a.id != alias.id
    ]
    if not rest:
        return old
    if old.name == alias.name:
        old.name = max(rest, key=_rank).name
        session.flush()
    new = Actor(name=alias.name, kind=old.kind, first_seen_at=old.first_seen_at)
    session.add(new)
    session.flush()
    articles = set(
        session.scalars(select(ArticleAlias.article_id).where(ArticleAlias.alias_id == alias.id))
    )
    shared = set(
        session.scalars(
            select(ArticleAlias.article_id).where(
                ArticleAlias.alias_id.in_([a.id for a in rest]),
                ArticleAlias.article_id.in_(articles),
            )
        )
    )
    moving = sorted(articles - shared)
    alias.actor_id = new.id
    session.flush()
    if moving:
        for table, column in (
            (ArticleActor, ArticleActor.actor_id),
            (Mention, Mention.actor_id),
            (Quote, Quote.speaker_id),
        ):
            session.execute(
                update(table)
                .where(column == old.id, table.article_id.in_(moving))
                .values({column.key: new.id}),
                execution_options={"synchronize_session": False},
            )
        session.expire_all()
    _CACHES.clear()
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
        .where(ArticleActor.actor_id.in_(ids))
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
    query = " ".join(query.split())[:200]
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
        actors = {a.id: a for a in session.scalars(select(Actor).where(Actor.id.in_(best)))}
        return sorted(actors.values(), key=lambda a: (-weights.get(a.id, 0), a.name))

    # Any spelling of the name, through the key index: "Selenskyj" → "Volodymyr Zelenskyy".
    exact = set(session.scalars(select(ActorAlias.actor_id).where(ActorAlias.name_key.in_(keys))))
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
        .where(ArticleActor.article_id.in_(article_ids), Actor.kind.in_(("PER", "ORG")))
        .group_by(Actor.id)
        .order_by(func.sum(ArticleActor.salience).desc())
        .limit(limit)
    )
    return [row[0] for row in rows]
