"""What the analysis finds in one article. The pipeline hangs these off the Doc (`doc._.actors`
and friends); the store and `morgenlage analyse --json` read them from there."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class MentionInfo:
    name: str  # canonical actor name
    text: str  # as written
    label: str  # PER | ORG | LOC
    start_char: int
    end_char: int
    start: int  # token index
    end: int
    sentence: int


@dataclass
class ActorInfo:
    name: str
    kind: str  # PER | ORG | LOC
    mentions: int = 0
    role: str | None = None
    salience: float = 0.0
    first_sentence: int = 0
    surnames: tuple[str, ...] = ()  # bare forms seen ("Rubio") — resolve them across articles


@dataclass
class QuoteInfo:
    text: str
    speaker: str | None  # canonical actor name, or None when the text names nobody clearly
    cue: str | None  # the reporting word ("sagte", "so", "schrieb")
    start_char: int
    sentence: int
    direct: bool = True  # False: reported speech ("Er fügte hinzu, dass …")


@dataclass
class KeySentenceInfo:
    text: str
    position: int  # sentence index
    score: float
    actors: list[str] = field(default_factory=list)


@dataclass
class ArticleAnalysis:
    """Plain data from an analysed Doc."""

    language: str
    actors: list[ActorInfo]
    mentions: list[MentionInfo]
    quotes: list[QuoteInfo]
    key_sentences: list[KeySentenceInfo]
    sentences: list[str]
    boilerplate: frozenset[int]  # sentence indices

    def to_json(self) -> dict:
        return {
            "language": self.language,
            "actors": [
                {"name": a.name, "type": a.kind, "role": a.role, "mentions": a.mentions}
                for a in self.actors
            ],
            "quotes": [
                {"speaker": q.speaker, "text": q.text, "cue": q.cue, "direct": q.direct}
                for q in self.quotes
            ],
            "key_sentences": [k.text for k in self.key_sentences],
            "boilerplate": [self.sentences[i] for i in sorted(self.boilerplate)],
        }
