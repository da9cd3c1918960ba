"""Quote attribution and actor recall on real German news with hand-annotated speakers.

    .venv/bin/python bench/quotes.py [--split dev|train] [--show N] [--limit N]

Reads the German Wikinews quotation-attribution set (Petersen-Frey & Biemann, LREC-COLING 2024;
CC BY-NC-SA 4.0: read in place from ../shared/data/quotes/wikinews-de/, never copied). `train`
is for developing rules, `dev` only for the reported numbers. Each article's `originalText`
goes through the shipped pipeline (`load_pipeline()`), exactly as the bot analyses a text.

Scored:

- **Quote attribution** — gold quotes of type `Direct` whose gold speaker is a *named* person
  or organisation (not "er", "ein Polizeisprecher", "Angaben der Polizei"). A gold quote
  counts as found when one of our quotes overlaps it. Precision = right speaker / quotes we
  gave a speaker; recall = right speaker / all such gold quotes. "Right" means our canonical
  speaker shares a name word with the gold speaker's name ("Gülsen Celebi" ~ "Celebi",
  genitive -s undone).
- **Actor recall** — per article the set of named gold speakers (all quote types); a gold
  speaker is found when one of our actors shares a name word with it.

Whether a gold speaker is named is decided without our NER: its span must hold a name word —
an acronym ("SPD", "BGH"), or a capitalised word that the NER corpora (training part of
GermEval 2014 + WikiNER, read in place) do not use as a common noun; the span's first word
counts only if its lower-case form is no common word. Words after a linker ("des", "von",
…) and places/countries are context, not the speaker's name ("Innenminister Frankreichs,
Nicolas Sarkozy" → "Nicolas Sarkozy").
"""

from __future__ import annotations

import argparse
import collections
import functools
import json
import os
import re
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.analyse.actors import known_labels  # noqa: E402
from bot.analyse.gazetteer import country_name, is_role_word  # noqa: E402
from bot.analyse.nlp import load_pipeline  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
QUOTES = SHARED / "quotes" / "wikinews-de"
NER = SHARED / "ner"
PRONOUNS = frozenset("er sie es ihm ihr ihn ihnen man wir ich du seine ihre".split())
LINKERS = frozenset("des der dem den von vom aus im in bei für am zum zur".split())
ACRONYM = re.compile(r"^[A-ZÄÖÜ][A-Za-zÄÖÜäöü]*[A-ZÄÖÜ][A-Za-zÄÖÜäöü]*$")
TOKEN = re.compile(r"[\wÄÖÜäöüß.'’-]+|[^\s\w]")
COMMON_SUFFIX = re.compile(r"(?:ung|ungen|heit|keit|schaft|ten|enten|isten|ern|innen|in)$")


@functools.cache
def common_words() -> tuple[frozenset[str], frozenset[str]]:
    """(capitalised words the NER corpora use mostly outside entities, lower-case words)."""
    outside: collections.Counter = collections.Counter()
    inside: collections.Counter = collections.Counter()
    lower: set[str] = set()

    def add(sentence: list[tuple[str, str]]) -> None:
        for i, (word, tag) in enumerate(sentence):
            if word[:1].islower():
                lower.add(word)
            elif i > 0 and word[:1].isupper():
                (outside if tag == "O" or "deriv" in tag or "part" in tag else inside)[word] += 1

    for name in ("NER-de-dev.tsv", "NER-de-test.tsv"):
        sentence: list[tuple[str, str]] = []
        index = 0
        for line in (NER / "germeval2014" / name).read_text(encoding="utf-8").splitlines() + [""]:
            if line.startswith("#"):
                continue
            if not line.strip():
                if sentence and not (name == "NER-de-test.tsv" and index % 5 == 0):
                    add(sentence)
                index += 1 if sentence else 0
                sentence = []
                continue
            parts = line.split("\t")
            sentence.append((parts[1], parts[2]))
    sentence = []
    wikiner = NER / "wikiner-de" / "wikiner-de-14k.conll"
    for line in wikiner.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            add(sentence)
            sentence = []
            continue
        word, tag = line.rsplit("\t", 1)
        sentence.append((word, tag))
    common = frozenset(w for w, n in outside.items() if n > inside.get(w, 0))
    return common, frozenset(lower)


def _name_word(word: str, first: bool) -> bool:
    common, lower = common_words()
    if not word[:1].isupper() or word.lower() in PRONOUNS:
        return False
    if ACRONYM.match(word):
        return True
    if first and word.lower() in lower:
        return False
    if word in common or word.rstrip("s") in common and word.endswith("s"):
        return False
    return word in known_labels() or not COMMON_SUFFIX.search(word)


PARTICLES = frozenset("von van de der den zu ten".split())


def gold_names(speaker: str, article: str = "") -> list[str]:
    """The names in a gold speaker span, context words left out, most telling last."""
    words = TOKEN.findall(speaker)
    runs: list[list[str]] = []
    current: list[str] = []
    after_linker = False
    for i, word in enumerate(words):
        particle = (
            word.lower() in PARTICLES
            and i + 1 < len(words)
            and (current or word[:1].isupper())
            and (words[i + 1].lower() in PARTICLES or _name_word(words[i + 1], False))
        )
        if particle or (
            _name_word(word, i == 0) and not after_linker and not is_role_word(word.split("-")[-1])
        ):
            current.append(word)
            continue
        if current:
            runs.append(current)
            current = []
        after_linker = word.lower() in LINKERS and i > 0
        if word in (",", "(", ")", "und"):
            after_linker = False
    if current:
        runs.append(current)
    names = []
    for run in runs:
        while run and run[-1].lower() in PARTICLES:
            run = run[:-1]
        text = " ".join(run)
        if not run or country_name(text):
            continue
        if known_labels().get(text) == "LOC" and not ACRONYM.match(text):
            continue
        # One word alone is a name when the corpora know it or the article writes it after a
        # first name ("Celebi" ← "Gülsen Celebi"): "Augenzeugen" is neither.
        if len(run) == 1 and not ACRONYM.match(text) and text not in known_labels():
            before = re.findall(rf"([A-ZÄÖÜ][\wäöüß-]+) {re.escape(text)}\b", article)
            if not any(_name_word(w, False) and not is_role_word(w) for w in before):
                continue
        names.append(text)
    return names


def _stem(word: str) -> str:
    word = word.strip(".,'’").lower()
    return word[:-1] if word.endswith("s") and len(word) > 4 else word


def same_actor(ours: str, gold: str) -> bool:
    return bool({_stem(w) for w in ours.split()} & {_stem(w) for w in gold.split()})


def load_split(split: str, limit: int | None) -> list[dict]:
    files = sorted((QUOTES / split).glob("*.json"))
    return [json.loads(f.read_text(encoding="utf-8")) for f in files[:limit]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", default="dev", choices=("dev", "train"))
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--show", type=int, default=0, help="print N errors of each kind")
    args = parser.parse_args()
    articles = load_split(args.split, args.limit)
    nlp = load_pipeline()
    start = time.perf_counter()
    docs = list(nlp.pipe((a["originalText"] for a in articles), batch_size=16))
    seconds = time.perf_counter() - start

    gold_quotes = attributed = right = found = 0
    unnamed_attributed = unnamed_total = 0
    actors_gold = actors_found = 0
    errors: dict[str, list[str]] = collections.defaultdict(list)
    for article, doc in zip(articles, docs, strict=True):
        ours = [
            (q.start_char, q.start_char + len(q.text) + 2, q.speaker)
            for q in doc._.quotes or []
            if q.direct
        ]
        actor_names = [a.name for a in doc._.actors or []]
        speakers: set[str] = set()
        for note in article["annotations"]:
            speaker_text = (note.get("speaker") or {}).get("text", "")
            names = gold_names(speaker_text, article["originalText"]) if speaker_text else []
            if names:
                speakers.add(max(names, key=lambda n: (len(n.split()), names.index(n))))
            if note.get("type") != "Direct":
                continue
            spans = [(s["charBegin"], s["charEnd"]) for s in note["quote"]["spans"]]
            match = [o for o in ours if any(o[0] < e and s < o[1] for s, e in spans)]
            speaker = match[0][2] if match else None
            if not names:
                unnamed_total += 1
                unnamed_attributed += speaker is not None
                continue
            gold_quotes += 1
            found += bool(match)
            if speaker is None:
                errors["missed"].append(f"{speaker_text!r} ← {note['quote']['text'][:70]!r}")
                continue
            attributed += 1
            if any(same_actor(speaker, name) for name in names):
                right += 1
            else:
                errors["wrong"].append(
                    f"ours {speaker!r} gold {speaker_text!r} ← {note['quote']['text'][:60]!r}"
                )
        for name in speakers:
            actors_gold += 1
            if any(same_actor(actor, name) for actor in actor_names):
                actors_found += 1
            else:
                errors["actor"].append(f"{name!r} not in {actor_names[:8]}")

    precision = right / attributed if attributed else 0.0
    recall = right / gold_quotes if gold_quotes else 0.0
    rate = len(docs) / seconds
    print(f"split: {args.split}, articles: {len(articles)}, pipeline {rate:.1f} articles/s")
    print(
        f"direct quotes with a named gold speaker: {gold_quotes} "
        f"(found as a quote: {found}; given a speaker: {attributed}; right: {right})"
    )
    print(f"quote attribution precision: {precision:.3f}  ({right}/{attributed})")
    print(f"quote attribution recall:    {recall:.3f}  ({right}/{gold_quotes})")
    print(
        f"(not scored: {unnamed_total} direct quotes whose gold speaker is unnamed — a pronoun, "
        f"a description or none; we gave {unnamed_attributed} of them a speaker)"
    )
    print(
        f"actor recall (named gold speakers among our actors): "
        f"{actors_found / max(actors_gold, 1):.3f}  ({actors_found}/{actors_gold})"
    )
    for kind, lines in errors.items():
        for line in lines[: args.show]:
            print(f"[{kind}] {line}")


if __name__ == "__main__":
    main()
