"""The NER model's word features: spaCy's hash embeddings plus the word's lexicon kind.

Registered as `morgenlage.LexiconHashEmbed.v1` and used by the shipped model's tok2vec
(training/config.cfg), so this module must be imported before the model is loaded —
bot/analyse/nlp.py does that, `spacy train` gets it with `--code bot/analyse/embed.py`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import (
    Embed,
    HashEmbed,
    Maxout,
    Model,
    chain,
    concatenate,
    list2ragged,
    ragged2list,
    with_array,
)
from thinc.types import Floats2d, Ints2d

from bot.analyse.lexicon import KIND_IDS, kind_id
from bot.analyse.views import words


def _features(model: Model, docs: list[Doc], is_train: bool) -> tuple[list[Ints2d], Callable]:
    columns = model.attrs["columns"]
    features = []
    for doc in docs:
        attrs = doc.to_array(columns).reshape((len(doc), len(columns)))
        # The token texts through the shared view: the components after the model read them too.
        kinds = numpy.fromiter(map(kind_id, words(doc)), dtype="uint64", count=len(doc))
        features.append(model.ops.asarray2i(numpy.hstack([attrs, kinds[:, None]]), dtype="uint64"))
    return features, lambda d_features: []


@registry.architectures("morgenlage.LexiconHashEmbed.v1")
def lexicon_hash_embed(
    width: int, attrs: list[str], rows: list[int]
) -> Model[list[Doc], list[Floats2d]]:
    """spacy.MultiHashEmbed.v2 (no static vectors) plus a table for the word's lexicon kind."""
    if len(rows) != len(attrs):
        raise ValueError(f"Mismatched lengths: {len(rows)} vs {len(attrs)}")
    n = len(attrs)
    tables = [HashEmbed(width, r, column=i, seed=8 + i, dropout=0.0) for i, r in enumerate(rows)]
    tables.append(Embed(width, KIND_IDS, column=n, dropout=0.0))
    return chain(
        Model("morgenlage_features", _features, attrs={"columns": list(attrs)}),
        list2ragged(),
        with_array(concatenate(*tables)),
        with_array(Maxout(width, width * len(tables), nP=3, dropout=0.0, normalize=True)),
        ragged2list(),
    )
