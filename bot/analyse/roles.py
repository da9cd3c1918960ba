"""Roles: what the text says a person is — "Außenminister der Vereinigten Staaten Marco Rubio",
"der russische Außenminister Sergey Lavrov", "Der Sprecher von Kreml, Dmitry Peskov",
"Kirill Dmitriev, der Leiter des … Vermögensfonds"."""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Token

from bot.analyse.actors import DETERMINERS, clean_name
from bot.analyse.gazetteer import is_role_word
from bot.analyse.types import MentionInfo

# Words that tie a complement to a role: "Sprecherin des Ministeriums", "Leiter von X".
LINKERS = frozenset("des der von vom im am für aus bei in of the".split())
_ADJECTIVE_END = re.compile(r"(?:e|en|er|es|em)$")
_ACRONYM = re.compile(r"^[A-ZÄÖÜ]{2,}-?$")
_WEAK_NOUN = re.compile(r"(ent|at|ant|ist|oge|nom)en$")
MAX_ROLE_TOKENS = 9
# Possessives and demonstratives that take a role's adjective like an article ("ihr früherer").
_POSSESSIVE = re.compile(r"^(?:sein|ihr|unser|euer|mein|dein|dies|jen|kein)(?:e|er|es|em|en)?$")


def _is_adjective(token: Token) -> bool:
    return token.is_lower and not token.is_stop and bool(_ADJECTIVE_END.search(token.text))


def role_before(doc: Doc, start: int, sent_start: int) -> str | None:
    """A role right before a name (optionally with a comma: "Der Sprecher von Kreml, X")."""
    last = start - 1
    if last >= sent_start and doc[last].text == ",":
        last -= 1
    head = None
    for j in range(last, max(sent_start, last - 5) - 1, -1):
        token = doc[j]
        if is_role_word(token.text):
            head = j
            break
        if token.is_punct or (token.is_lower and token.lower_ not in LINKERS):
            return None
    if head is None:
        return None
    between = doc[head + 1 : last + 1]
    # "Oberrabbiner Israels, Yona Metzger": a genitive name completes the role too.
    genitive = len(between) == 1 and between[0].is_title and between[0].text.endswith("s")
    if len(between) and between[0].lower_ not in LINKERS and not genitive:
        return None
    first = head
    while first - 1 >= sent_start:
        token = doc[first - 1]
        genitive_name = token.ent_type_ and token.text.endswith("s") and token.is_title
        if _is_adjective(token) or _ACRONYM.match(token.text) or genitive_name or token.text == "-":
            first -= 1
        else:
            break
    # A lower-case word before the role is its adjective only after an article ("der russische
    # Außenminister"); without one it is the verb ("Am Dienstag präsentierte Innenministerin X").
    while first < head and doc[first].is_lower:
        before = doc[first - 1].lower_ if first - 1 >= sent_start else ""
        if before in DETERMINERS or _POSSESSIVE.match(before):
            break
        first += 1
    return _tidy(doc[first : last + 1].text) if last + 1 - first <= MAX_ROLE_TOKENS else None


def role_after(doc: Doc, end: int, sent_end: int) -> str | None:
    """An apposition after a name: "Kirill Dmitriev, der Leiter des Fonds, …"."""
    if end >= sent_end or doc[end].text != ",":
        return None
    i = end + 1
    if i < sent_end and doc[i].lower_ in DETERMINERS:
        i += 1
    stop = i
    while stop < sent_end and not doc[stop].is_punct and stop - i < MAX_ROLE_TOKENS:
        stop += 1
    if stop >= sent_end or doc[stop].text not in (",", ".", ";", ")"):
        return None
    phrase = doc[i:stop]
    if not any(is_role_word(t.text) for t in phrase[:3]):
        return None
    return _tidy(phrase.text)


def _tidy(role: str) -> str | None:
    words = clean_name(role).split()
    while words and words[0].lower() in DETERMINERS:
        words = words[1:]
    if not words or any(ch in role for ch in '„“”"»«'):
        return None
    # Oblique forms read as nominative: "russischen Präsidenten" → "russische Präsident".
    head = next((i for i, w in enumerate(words) if is_role_word(w)), None)
    if head is not None and _WEAK_NOUN.search(words[head]):
        words[head] = words[head][:-2]
        words[:head] = [w[:-1] if w.islower() and w.endswith("en") else w for w in words[:head]]
    if head and _is_adjective_word(words[0]):
        words[:head] = _standing_alone(words[:head], words[head])
    return " ".join(words)


def _is_adjective_word(word: str) -> bool:
    return word.islower() and not _POSSESSIVE.match(word) and bool(_ADJECTIVE_END.search(word))


def _standing_alone(adjectives: list[str], head: str) -> list[str]:
    """Without its article a role's adjective takes the strong ending: "der ukrainische
    Präsident" → "ukrainischer Präsident", "die russische Außenministerin" stays."""
    ending = "e" if re.search(r"in(?:nen)?$", head) else "er"
    return [_ADJECTIVE_END.sub("", w) + ending if _is_adjective_word(w) else w for w in adjectives]


def find_roles(doc: Doc, mentions: list[MentionInfo]) -> dict[str, str]:
    """Canonical name → the first role the text gives that person."""
    sents = list(doc.sents)
    roles: dict[str, str] = {}
    for mention in mentions:
        if mention.label != "PER" or mention.name in roles:
            continue
        sent = sents[mention.sentence]
        role = role_before(doc, mention.start, sent.start) or role_after(doc, mention.end, sent.end)
        if role:
            roles[mention.name] = role
    return roles


@Language.component("morgenlage_roles")
def roles_component(doc: Doc) -> Doc:
    roles = find_roles(doc, doc._.mentions or [])
    for actor in doc._.actors or []:
        actor.role = roles.get(actor.name)
    return doc
