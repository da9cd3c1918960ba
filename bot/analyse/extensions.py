"""The Doc attributes the Morgenlage components set (registered once, on import)."""

from spacy.tokens import Doc

for _name in ("boilerplate", "mentions", "actors", "quotes", "key_sentences"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)
