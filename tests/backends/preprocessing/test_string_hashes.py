"""FarmHash Fingerprint64, SipHash-2-4 and FingerprintCat64 as TensorFlow computes them: the published
SipHash vectors, Keras's own expected bins, and (where the `pyfarmhash` bindings of Google's C++ FarmHash
are installed) every length from 0 to 300 bytes and beyond."""

import numpy
import pytest

from kerasish.backends.preprocessing.string_hashes import (
    CROSS_HASH_KEY,
    cross_feature_hash,
    fingerprint64,
    fingerprint_cat64,
    siphash,
)

SIPHASH_KEY = (0x0706050403020100, 0x0F0E0D0C0B0A0908)  # the key 00 01 .. 0f of the SipHash paper


def test_siphash_reference_vectors():
    assert siphash(SIPHASH_KEY, b"") == 0x726FDB47DD0E0E31
    assert siphash(SIPHASH_KEY, bytes(range(15))) == 0xA129CA6149BE45E5


def test_bins_keras_expects():
    """Outputs that keras/src/layers/preprocessing/hashing_test.py and hashed_crossing_test.py assert."""
    words = ["omar", "stringer", "marlo", "wire", "skywalker"]
    assert [fingerprint64(w.encode()) % 2 for w in words] == [0, 0, 1, 0, 0]
    assert [siphash((133, 137), w.encode()) % 2 for w in words] == [0, 1, 0, 1, 0]
    assert [siphash((211, 137), w.encode()) % 2 for w in words] == [1, 0, 1, 0, 1]
    assert [fingerprint64(str(i).encode()) % 3 for i in range(5)] == [1, 0, 1, 0, 2]
    crossed = [
        fingerprint_cat64(fingerprint_cat64(CROSS_HASH_KEY, cross_feature_hash(a)), cross_feature_hash(b)) % 5
        for a, b in zip("ABABA", [101, 101, 101, 102, 102])
    ]
    assert crossed == [1, 4, 1, 1, 3]


def test_fingerprint64_against_googles_farmhash():
    farmhash = pytest.importorskip("farmhash")
    rng = numpy.random.default_rng(0)
    alphabet = list("abcdefghijklmnopqrstuvwxyz0123456789 ") + ["é", "漢", "🙂"]
    for length in [*range(0, 300), 1000, 4097]:
        text = "".join(rng.choice(alphabet, length))
        assert fingerprint64(text.encode("utf-8")) == farmhash.fingerprint64(text), length
