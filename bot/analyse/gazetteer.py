"""Known names: countries (German and English, from pycountry's translations) and role words.

Used to give one canonical name to "USA", "US", "Vereinigte Staaten" and "Vereinigten Staaten",
and to tell a role ("Außenminister", "Kreml-Sprecherin") from a name.
"""

from __future__ import annotations

import functools
import gettext
import re

import pycountry

# Short German names where the ISO name is formal or unusual in news text.
_DISPLAY = {
    "US": "USA",
    "RU": "Russland",
    "GB": "Großbritannien",
    "KR": "Südkorea",
    "KP": "Nordkorea",
    "IR": "Iran",
    "SY": "Syrien",
    "VE": "Venezuela",
    "BO": "Bolivien",
    "TW": "Taiwan",
    "VN": "Vietnam",
    "LA": "Laos",
    "MD": "Moldau",
    "TZ": "Tansania",
    "CZ": "Tschechien",
    "PS": "Palästina",
    "VA": "Vatikan",
    "CD": "Demokratische Republik Kongo",
    "CG": "Republik Kongo",
    "NL": "Niederlande",
    "AE": "Vereinigte Arabische Emirate",
}

# Names news use that ISO does not list (lower case → alpha-2).
_EXTRA_ALIASES = {
    "us": "US",
    "usa": "US",
    "u.s.": "US",
    "u.s.a.": "US",
    "amerika": "US",
    "vereinigten staaten": "US",
    "vereinigten staaten von amerika": "US",
    "united states of america": "US",
    "america": "US",
    "russische föderation": "RU",
    "russischen föderation": "RU",
    "russia": "RU",
    "uk": "GB",
    "britain": "GB",
    "great britain": "GB",
    "britannien": "GB",
    "vereinigtes königreich": "GB",
    "vereinigten königreich": "GB",
    "vereinigten königreichs": "GB",
    "england": "GB",
    "südkorea": "KR",
    "south korea": "KR",
    "nordkorea": "KP",
    "north korea": "KP",
    "vereinigten arabischen emirate": "AE",
    "vae": "AE",
    "uae": "AE",
    "saudi arabien": "SA",
    "türkei": "TR",
    "turkey": "TR",
    "holland": "NL",
    "niederlanden": "NL",
    "tschechische republik": "CZ",
    "volksrepublik china": "CN",
    "weißrussland": "BY",
    "belarus": "BY",
    "elfenbeinküste": "CI",
    "kosovo": "XK",
}

# Cities whose names news spell several ways (lower case → German name).
_PLACE_ALIASES = {
    "kyiv": "Kiew",
    "kiev": "Kiew",
    "kyjiw": "Kiew",
    "riyadh": "Riad",
    "moscow": "Moskau",
    "munich": "München",
    "cologne": "Köln",
    "vienna": "Wien",
    "warsaw": "Warschau",
    "prague": "Prag",
    "brussels": "Brüssel",
    "rome": "Rom",
    "beijing": "Peking",
    "kharkiv": "Charkiw",
    "odesa": "Odessa",
    "lviv": "Lwiw",
    "dnipro": "Dnipro",
    "gaza": "Gaza",
    "tehran": "Teheran",
    "jerusalem": "Jerusalem",
}

_PLACE_NAMES = frozenset(_PLACE_ALIASES.values())

_ROLE_STEMS = (
    "präsident",
    "minister",
    "kanzler",
    "sprecher",
    "berater",
    "chef",
    "leiter",
    "gesandte",
    "botschafter",
    "vorsitzende",
    "senator",
    "gouverneur",
    "bürgermeister",
    "könig",
    "königin",
    "prinz",
    "papst",
    "general",
    "kommandeur",
    "direktor",
    "diplomat",
    "sekretär",
    "abgeordnete",
    "politiker",
    "anwalt",
    "anwältin",
    "richter",
    "journalist",
    "reporter",
    "korrespondent",
    "analyst",
    "experte",
    "ökonom",
    "premier",
    "regierungschef",
    "staatschef",
    "kommissar",
    "beauftragte",
    "führer",
    "trainer",
    "gründer",
    "vorgänger",
    "nachfolger",
    "kandidat",
    "vizepräsident",
    "staatssekretär",
    "oberhaupt",
    "admiral",
    "offizier",
    "kapitän",
    "bischof",
    "rabbiner",
    "imam",
    "moderator",
    "autor",
    "forscher",
    "professor",
    "vorstand",
    "manager",
    "ceo",
    "envoy",
    "secretary",
    "president",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "chancellor",
    "adviser",
    "advisor",
    "ambassador",
    "governor",
    "mayor",
    "senator",
)
_ROLE_WORD = re.compile(
    r"^(?:[\w.]+-)*\w*(?:"
    + "|".join(map(re.escape, _ROLE_STEMS))
    + r")(?:in|innen|en|n|s|e|es|er)?$",
    re.IGNORECASE,
)
# Words a role may not end in even though a role stem is inside them.
_NOT_ROLES = re.compile(r"(?:schaft|ium|iums|ien|ung|ungen|amt|amts|ismus|lich|isch)$", re.I)

_TITLES = frozenset(
    {"herr", "herrn", "frau", "dr.", "prof.", "sir", "dame", "mr.", "mrs.", "ms.", "mr", "mrs"}
)


@functools.lru_cache(maxsize=100_000)  # asked for many words of every article
def is_role_word(word: str) -> bool:
    """True for nouns like "Außenminister", "Kreml-Sprecherin", "Präsidenten"."""
    return (
        len(word) > 2
        and word[:1].isupper()
        and _ROLE_WORD.match(word) is not None
        and not _NOT_ROLES.search(word)
    )


def is_title(word: str) -> bool:
    return word.lower() in _TITLES


@functools.cache
def _countries() -> dict[str, str]:
    """lower-case alias → canonical German display name."""
    german = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["de"])
    display: dict[str, str] = {}
    aliases: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        de_name = german.gettext(country.name)
        display[code] = _DISPLAY.get(code) or de_name.split(",")[0].strip()
        names = {country.name, de_name, display[code], de_name.split(",")[0]}
        for attr in ("common_name", "official_name"):
            if value := getattr(country, attr, None):
                names.update({value, german.gettext(value)})
        for name in names:
            aliases.setdefault(name.lower(), code)
    for alias, code in _EXTRA_ALIASES.items():
        aliases[alias] = code
    display.setdefault("XK", "Kosovo")
    return {alias: display[code] for alias, code in aliases.items() if code in display}


def place_name(name: str) -> str | None:
    """The German name of a city spelt another way ("Kyiv" → "Kiew") or already German
    ("Riad"), else None."""
    return _PLACE_ALIASES.get(name.lower()) or (name if name in _PLACE_NAMES else None)


@functools.lru_cache(maxsize=100_000)
def country_name(name: str) -> str | None:
    """The canonical name of a country alias ("Vereinigten Staaten" → "USA"), else None."""
    key = re.sub(r"\s*-\s*", " ", name.lower()).strip()
    return _countries().get(key) or _countries().get(name.lower())


def known_country_names() -> frozenset[str]:
    return frozenset(_countries().values())


# Country adjectives (stem without ending) → the country's name: "russische", "amerikanischen".
_ADJECTIVES = {
    "amerikanisch": "USA", "us-amerikanisch": "USA", "russisch": "Russland",
    "ukrainisch": "Ukraine", "deutsch": "Deutschland", "französisch": "Frankreich",
    "britisch": "Großbritannien", "chinesisch": "China", "saudisch": "Saudi-Arabien",
    "saudi-arabisch": "Saudi-Arabien", "israelisch": "Israel", "iranisch": "Iran",
    "türkisch": "Türkei", "polnisch": "Polen", "italienisch": "Italien",
    "spanisch": "Spanien", "japanisch": "Japan", "indisch": "Indien",
    "österreichisch": "Österreich", "schweizerisch": "Schweiz", "niederländisch": "Niederlande",
    "belgisch": "Belgien", "dänisch": "Dänemark", "schwedisch": "Schweden",
    "norwegisch": "Norwegen", "finnisch": "Finnland", "griechisch": "Griechenland",
    "ungarisch": "Ungarn", "tschechisch": "Tschechien", "rumänisch": "Rumänien",
    "syrisch": "Syrien", "irakisch": "Irak", "afghanisch": "Afghanistan",
    "ägyptisch": "Ägypten", "kanadisch": "Kanada", "mexikanisch": "Mexiko",
    "brasilianisch": "Brasilien", "nordkoreanisch": "Nordkorea", "südkoreanisch": "Südkorea",
    "taiwanisch": "Taiwan", "belarussisch": "Belarus", "weißrussisch": "Belarus",
    "palästinensisch": "Palästina", "libanesisch": "Libanon", "katarisch": "Katar",
    "american": "USA", "russian": "Russland", "ukrainian": "Ukraine", "german": "Deutschland",
    "french": "Frankreich", "british": "Großbritannien", "chinese": "China",
}  # fmt: skip
_ADJECTIVE_ENDINGS = ("e", "en", "er", "es", "em")  # stripped to find the stem
_ADJECTIVE_ENDING = re.compile(f"(?:{'|'.join(_ADJECTIVE_ENDINGS)})?$")


def country_of_adjective(word: str) -> str | None:
    """ "russischen" → "Russland", "US-amerikanische" → "USA"; None for other words."""
    lower = word.lower()
    if not lower.islower() or len(lower) < 5:
        return None
    stem = _ADJECTIVE_ENDING.sub("", lower, count=1)
    return _ADJECTIVES.get(stem) or _ADJECTIVES.get(lower)


@functools.cache
def country_adjectives() -> dict[str, str]:
    """Each word `country_of_adjective` knows, in lower case, with its country: a text's
    adjectives are found by set look-ups. Complete, since that function reads the lower-case
    word, and a word it knows is a stem of _ADJECTIVES with one of the endings it strips."""
    return {
        form: country
        for stem in _ADJECTIVES
        for ending in ("", *_ADJECTIVE_ENDINGS)
        if (country := country_of_adjective(form := stem + ending)) is not None
    }
