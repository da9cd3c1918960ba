"""Identity of articles: content hashes and MinHash signatures stay what they were, since
stored rows are compared with new ones (a changed signature would hide a near-duplicate)."""

import hashlib
import random

import numpy as np
import pytest

from bot.collect import dedup
from bot.collect.dedup import MIN_SHINGLES, content_hash, minhash, similarity
from tests.fixtures.articles import FUSSBALL, HAUSHALT


def test_signatures_are_the_stored_ones():
    """Expected values computed before the signature code was made faster (issue #14)."""
    signature = minhash(HAUSHALT)
    assert signature is not None and len(signature) == 512
    assert np.frombuffer(signature, "<u4")[:6].tolist() == [
        45668265,
        7426496,
        26974813,
        7086091,
        37341378,
        4696196,
    ]
    assert hashlib.sha256(signature).hexdigest() == (
        "9be7dd592b470062315a4aef87f8a69c1bfd3a4301365eb11f17775c94540d47"
    )
    other = minhash(FUSSBALL)
    assert other is not None and hashlib.sha256(other).hexdigest() == (
        "bd5da03a7aeb62f8db6eb3e80aa5833aa9fb235265afb4a18bc7ea74cd896135"
    )
    changed = minhash(HAUSHALT.replace("Die Opposition warf", "Die Grünen warfen"))
    assert changed is not None
    assert similarity(signature, changed) == 0.9140625
    assert similarity(signature, other) == 0.0


def test_case_unicode_form_and_spacing_do_not_change_a_signature():
    signature = minhash(HAUSHALT)
    assert minhash(HAUSHALT.upper()) == signature
    assert minhash("  " + HAUSHALT.replace(" ", " \n\t ")) == signature
    decomposed = HAUSHALT.replace("ü", "u\u0308")  # NFD umlauts, NFKC composes them again
    assert minhash(decomposed) == signature


def test_too_few_different_shingles_give_no_signature():
    words = [f"wort{i}" for i in range(MIN_SHINGLES + 3)]  # 4-word windows: exactly 40
    assert minhash(" ".join(words)) is not None
    assert minhash(" ".join(words[:-1])) is None  # 39 windows
    assert minhash("eins zwei drei vier " * 50) is None  # 200 windows, 4 different ones
    assert minhash("") is None and minhash("... !!! ???") is None


@pytest.mark.parametrize(
    "value",
    [
        0,
        1,
        (1 << 61) - 2,
        (1 << 61) - 1,
        1 << 61,
        (1 << 61) + 6,
        (1 << 61) + 7,
        2 * ((1 << 61) - 1),
        (1 << 62) - 1,
        (1 << 63) + 12345,
        (1 << 64) - 1,
        7 * (1 << 61) + (1 << 61) - 2,
    ],
)
def test_modulo_the_mersenne_prime_is_exact(value):
    prime = (1 << 61) - 1
    reduced = dedup._mod_mersenne(np.array([value], dtype=np.uint64))
    assert int(reduced[0]) == value % prime


def test_permutations_match_integer_arithmetic():
    """(a·x + b) mod 2^64 mod p, low 32 bits, minimum per permutation: as datasketch does it."""
    rng = random.Random(7)
    hashes = [0, (1 << 32) - 1] + [rng.randrange(1 << 32) for _ in range(200)]
    expected = [
        min((((a * x + b) % (1 << 64)) % ((1 << 61) - 1)) & 0xFFFFFFFF for x in hashes)
        for a, b in zip(dedup._A.tolist(), dedup._B.tolist(), strict=True)
    ]
    found = dedup._permuted_minima(np.array(hashes, dtype=np.uint64))
    assert found.tolist() == expected


def test_content_hashes_are_the_stored_ones():
    assert content_hash(HAUSHALT) == (
        "45b2a13c2d086448f44fa7beef07a2783e7613cd5f097c1257a9bf31aac85ebe"
    )
    assert content_hash("  Ein  TEXT\n mit\u00a0Lücken ﬁ ") == (
        "eceac621987e7706d98f35c49796e3c7f2984ec7f36bc0af35290bf09ef9ff38"
    )
    assert content_hash("Ein Text mit Lücken fi") == content_hash(
        "  Ein  TEXT\n mit\u00a0Lücken ﬁ "
    )


def test_every_kind_of_white_space_is_one_space_in_content_hashes():
    spaces = [chr(c) for c in range(0x110000) if chr(c).isspace()]
    assert len(spaces) > 20
    for space in spaces:
        assert content_hash(f"{space}Ein{space}{space}Text{space}") == content_hash("ein text")
    assert content_hash("Ein\u200bText") != content_hash("ein text")  # zero width: no space
