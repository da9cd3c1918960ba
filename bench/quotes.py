"""Quote attribution and actor recall on real German news with hand-annotated speakers.

    .venv/bin/python bench/quotes.py [--split dev|train|cv] [--show N] [--limit N]

Reads the German Wikinews quotation-attribution set (Petersen-Frey & Biemann, LREC-COLING 2024;
CC BY-NC-SA 4.0: read in place from ../shared/data/quotes/wikinews-de/, never copied). `train`
is for developing rules (`--show N` prints errors to study: use it on train only), `dev` only
for the reported numbers, and `cv` reports dev beside a 5-fold score over train+dev (850
articles, every fifth article in file order per fold, dev first): the rules fit no parameters,
so a fold's score is the score on that fifth, and the spread over the folds says how far a
figure moves on another sample of news. The folds hold the train articles the rules were
written against, so the 5-fold mean leans optimistic; dev is the less seen figure. The data
set's test split is never read. Each article's `originalText`
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
import statistics
import sys
import time
from dataclasses import astuple, dataclass
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
FOLDS = 5
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


def load_split(split: str, limit: int | None = None) -> list[dict]:
    files = sorted((QUOTES / split).glob("*.json"))
    return [json.loads(f.read_text(encoding="utf-8")) for f in files[:limit]]


@dataclass
class Tally:
    """The counts behind the scores, addable across articles and folds."""

    gold_quotes: int = 0
    found: int = 0
    attributed: int = 0
    right: int = 0
    unnamed_total: int = 0
    unnamed_attributed: int = 0
    actors_gold: int = 0
    actors_found: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))

    @property
    def precision(self) -> float:
        return self.right / self.attributed if self.attributed else 0.0

    @property
    def recall(self) -> float:
        return self.right / self.gold_quotes if self.gold_quotes else 0.0

    @property
    def actor_recall(self) -> float:
        return self.actors_found / self.actors_gold if self.actors_gold else 0.0


def score_article(article: dict, doc, errors: dict[str, list[str]]) -> Tally:
    tally = Tally()
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
            tally.unnamed_total += 1
            tally.unnamed_attributed += speaker is not None
            continue
        tally.gold_quotes += 1
        tally.found += bool(match)
        if speaker is None:
            errors["missed"].append(f"{speaker_text!r} ← {note['quote']['text'][:70]!r}")
            continue
        tally.attributed += 1
        if any(same_actor(speaker, name) for name in names):
            tally.right += 1
        else:
            errors["wrong"].append(
                f"ours {speaker!r} gold {speaker_text!r} ← {note['quote']['text'][:60]!r}"
            )
    for name in speakers:
        tally.actors_gold += 1
        if any(same_actor(actor, name) for actor in actor_names):
            tally.actors_found += 1
        else:
            errors["actor"].append(f"{name!r} not in {actor_names[:8]}")
    return tally


def report(label: str, tally: Tally) -> None:
    print(
        f"{label}: direct quotes with a named gold speaker: {tally.gold_quotes} "
        f"(found as a quote: {tally.found}; given a speaker: {tally.attributed}; "
        f"right: {tally.right})"
    )
    print(
        f"  quote attribution precision: {tally.precision:.3f}  ({tally.right}/{tally.attributed})"
    )
    print(f"  quote attribution recall:    {tally.recall:.3f}  ({tally.right}/{tally.gold_quotes})")
    print(
        f"  (not scored: {tally.unnamed_total} direct quotes whose gold speaker is unnamed — a "
        f"pronoun, a description or none; we gave {tally.unnamed_attributed} of them a speaker)"
    )
    print(
        f"  actor recall (named gold speakers among our actors): "
        f"{tally.actor_recall:.3f}  ({tally.actors_found}/{tally.actors_gold})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--split",
        default="dev",
        choices=("dev", "train", "cv"),
        help="dev (default), train (for developing rules), or cv: dev plus 5 folds of train+dev",
    )
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--show", type=int, default=0, help="print N errors of each kind")
    args = parser.parse_args()
    if args.split == "cv":
        # Folds by the file order of each split, every FOLDS-th article: deterministic.
        named = [("dev", a) for a in load_split("dev", args.limit)]
        named += [("train", a) for a in load_split("train", args.limit)]
    else:
        named = [(args.split, a) for a in load_split(args.split, args.limit)]
    articles = [a for _split, a in named]
    nlp = load_pipeline()
    start = time.perf_counter()
    docs = list(nlp.pipe((a["originalText"] for a in articles), batch_size=16))
    seconds = time.perf_counter() - start

    errors: dict[str, list[str]] = collections.defaultdict(list)
    tallies = [
        score_article(article, doc, errors)
        for (_split, article), doc in zip(named, docs, strict=True)
    ]
    print(
        f"split: {args.split}, articles: {len(articles)}, "
        f"pipeline {len(docs) / seconds:.1f} articles/s"
    )
    first = args.split if args.split != "cv" else "dev"
    report(
        first, sum((t for (s, _a), t in zip(named, tallies, strict=True) if s == first), Tally())
    )
    if args.split == "cv":
        folds = [Tally() for _ in range(FOLDS)]
        for i, tally in enumerate(tallies):
            folds[i % FOLDS] += tally
        scores = {
            "precision": [f.precision for f in folds],
            "recall": [f.recall for f in folds],
            "actor recall": [f.actor_recall for f in folds],
        }
        print(f"{FOLDS}-fold over train+dev ({len(articles)} articles), mean ± sd of the folds:")
        for name, values in scores.items():
            print(
                f"  {name}: {statistics.mean(values):.3f} ± {statistics.stdev(values):.3f}  "
                f"(folds {' '.join(f'{v:.3f}' for v in values)})"
            )
    for kind, lines in errors.items():
        for line in lines[: args.show]:
            print(f"[{kind}] {line}")


if __name__ == "__main__":
    main()
