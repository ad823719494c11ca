"""The two string hashes TensorFlow's bucketing ops use, so `Hashing` and `HashedCrossing` put every value
in Keras's bin: FarmHash's Fingerprint64 (`farmhashna::Hash64`, `tf.strings.to_hash_bucket_fast`) and
SipHash-2-4 with a 128-bit key (`tf.strings.to_hash_bucket_strong`, Keras's `salt`).

Both run on the host over bytes, in 64-bit unsigned arithmetic (Python ints masked to 64 bits).
"""

import struct

MASK = (1 << 64) - 1
K0 = 0xC3A5C85C97CB3127
K1 = 0xB492B66FBE98F273
K2 = 0x9AE16A3B2F90404F


def _fetch64(data, offset):
    return struct.unpack_from("<Q", data, offset)[0]


def _fetch32(data, offset):
    return struct.unpack_from("<I", data, offset)[0]


def _rotate(value, shift):
    return value if shift == 0 else ((value >> shift) | (value << (64 - shift))) & MASK


def _shift_mix(value):
    return value ^ (value >> 47)


def _hash_len_16(u, v, mul):
    a = ((u ^ v) * mul) & MASK
    a ^= a >> 47
    b = ((v ^ a) * mul) & MASK
    b ^= b >> 47
    return (b * mul) & MASK


def _hash_len_0_to_16(data, length):
    if length >= 8:
        mul = K2 + length * 2
        a = (_fetch64(data, 0) + K2) & MASK
        b = _fetch64(data, length - 8)
        c = (_rotate(b, 37) * mul + a) & MASK
        d = ((_rotate(a, 25) + b) * mul) & MASK
        return _hash_len_16(c, d, mul)
    if length >= 4:
        mul = K2 + length * 2
        a = _fetch32(data, 0)
        return _hash_len_16((length + (a << 3)) & MASK, _fetch32(data, length - 4), mul)
    if length > 0:
        y = data[0] + (data[length >> 1] << 8)
        z = length + (data[length - 1] << 2)
        return (_shift_mix(((y * K2) ^ (z * K0)) & MASK) * K2) & MASK
    return K2


def _hash_len_17_to_32(data, length):
    mul = K2 + length * 2
    a = (_fetch64(data, 0) * K1) & MASK
    b = _fetch64(data, 8)
    c = (_fetch64(data, length - 8) * mul) & MASK
    d = (_fetch64(data, length - 16) * K2) & MASK
    return _hash_len_16(
        (_rotate((a + b) & MASK, 43) + _rotate(c, 30) + d) & MASK,
        (a + _rotate((b + K2) & MASK, 18) + c) & MASK,
        mul,
    )


def _hash_len_33_to_64(data, length):
    mul = K2 + length * 2
    a = (_fetch64(data, 0) * K2) & MASK
    b = _fetch64(data, 8)
    c = (_fetch64(data, length - 8) * mul) & MASK
    d = (_fetch64(data, length - 16) * K2) & MASK
    y = (_rotate((a + b) & MASK, 43) + _rotate(c, 30) + d) & MASK
    z = _hash_len_16(y, (a + _rotate((b + K2) & MASK, 18) + c) & MASK, mul)
    e = (_fetch64(data, 16) * mul) & MASK
    f = _fetch64(data, 24)
    g = ((y + _fetch64(data, length - 32)) * mul) & MASK
    h = ((z + _fetch64(data, length - 24)) * mul) & MASK
    return _hash_len_16(
        (_rotate((e + f) & MASK, 43) + _rotate(g, 30) + h) & MASK,
        (e + _rotate((f + a) & MASK, 18) + g) & MASK,
        mul,
    )


def _weak_hash_len_32_with_seeds(data, offset, a, b):
    w, x = _fetch64(data, offset), _fetch64(data, offset + 8)
    y, z = _fetch64(data, offset + 16), _fetch64(data, offset + 24)
    a = (a + w) & MASK
    b = _rotate((b + a + z) & MASK, 21)
    c = a
    a = (a + x + y) & MASK
    b = (b + _rotate(a, 44)) & MASK
    return (a + z) & MASK, (b + c) & MASK


def fingerprint64(data):
    """FarmHash Fingerprint64 of `data` (bytes): TensorFlow's `Fingerprint64`, stable across versions."""
    length = len(data)
    if length <= 16:
        return _hash_len_0_to_16(data, length)
    if length <= 32:
        return _hash_len_17_to_32(data, length)
    if length <= 64:
        return _hash_len_33_to_64(data, length)
    seed = 81
    x, y = seed, (seed * K1 + 113) & MASK
    z = (_shift_mix((y * K2 + 113) & MASK) * K2) & MASK
    v, w = (0, 0), (0, 0)
    x = (x * K2 + _fetch64(data, 0)) & MASK
    end = ((length - 1) // 64) * 64
    last64 = end + ((length - 1) & 63) - 63
    offset = 0
    while True:
        x = (_rotate((x + y + v[0] + _fetch64(data, offset + 8)) & MASK, 37) * K1) & MASK
        y = (_rotate((y + v[1] + _fetch64(data, offset + 48)) & MASK, 42) * K1) & MASK
        x ^= w[1]
        y = (y + v[0] + _fetch64(data, offset + 40)) & MASK
        z = (_rotate((z + w[0]) & MASK, 33) * K1) & MASK
        v = _weak_hash_len_32_with_seeds(data, offset, (v[1] * K1) & MASK, (x + w[0]) & MASK)
        w = _weak_hash_len_32_with_seeds(data, offset + 32, (z + w[1]) & MASK, (y + _fetch64(data, offset + 16)) & MASK)
        z, x = x, z
        offset += 64
        if offset == end:
            break
    mul = K1 + ((z & 0xFF) << 1)
    offset = last64
    w = ((w[0] + ((length - 1) & 63)) & MASK, w[1])
    v = ((v[0] + w[0]) & MASK, v[1])
    w = ((w[0] + v[0]) & MASK, w[1])
    x = (_rotate((x + y + v[0] + _fetch64(data, offset + 8)) & MASK, 37) * mul) & MASK
    y = (_rotate((y + v[1] + _fetch64(data, offset + 48)) & MASK, 42) * mul) & MASK
    x ^= (w[1] * 9) & MASK
    y = (y + v[0] * 9 + _fetch64(data, offset + 40)) & MASK
    z = (_rotate((z + w[0]) & MASK, 33) * mul) & MASK
    v = _weak_hash_len_32_with_seeds(data, offset, (v[1] * mul) & MASK, (x + w[0]) & MASK)
    w = _weak_hash_len_32_with_seeds(data, offset + 32, (z + w[1]) & MASK, (y + _fetch64(data, offset + 16)) & MASK)
    z, x = x, z
    return _hash_len_16(
        (_hash_len_16(v[0], w[0], mul) + _shift_mix(y) * K0 + z) & MASK,
        (_hash_len_16(v[1], w[1], mul) + x) & MASK,
        mul,
    )


def _sip_round(v0, v1, v2, v3):
    v0 = (v0 + v1) & MASK
    v1 = _rotate_left(v1, 13) ^ v0
    v0 = _rotate_left(v0, 32)
    v2 = (v2 + v3) & MASK
    v3 = _rotate_left(v3, 16) ^ v2
    v0 = (v0 + v3) & MASK
    v3 = _rotate_left(v3, 21) ^ v0
    v2 = (v2 + v1) & MASK
    v1 = _rotate_left(v1, 17) ^ v2
    v2 = _rotate_left(v2, 32)
    return v0, v1, v2, v3


def _rotate_left(value, shift):
    return ((value << shift) | (value >> (64 - shift))) & MASK


def siphash(key, data):
    """SipHash-2-4 of `data` (bytes) under `key` (two 64-bit ints): TensorFlow's `StrongKeyedHash`."""
    k0, k1 = key[0] & MASK, key[1] & MASK
    v0, v1 = k0 ^ 0x736F6D6570736575, k1 ^ 0x646F72616E646F6D
    v2, v3 = k0 ^ 0x6C7967656E657261, k1 ^ 0x7465646279746573
    length = len(data)
    whole = length - length % 8
    for offset in range(0, whole, 8):
        m = _fetch64(data, offset)
        v3 ^= m
        v0, v1, v2, v3 = _sip_round(*_sip_round(v0, v1, v2, v3))
        v0 ^= m
    last = ((length & 0xFF) << 56) | int.from_bytes(data[whole:], "little")
    v3 ^= last
    v0, v1, v2, v3 = _sip_round(*_sip_round(v0, v1, v2, v3))
    v0 ^= last
    v2 ^= 0xFF
    for _ in range(4):
        v0, v1, v2, v3 = _sip_round(v0, v1, v2, v3)
    return v0 ^ v1 ^ v2 ^ v3


CROSS_HASH_KEY = 0xDECAFCAFFE  # tf.sparse.cross_hashed's default key
_CAT_MUL = 0xC6A4A7935BD1E995


def fingerprint_cat64(first, second):
    """TensorFlow's `FingerprintCat64`: two fingerprints combined, as `tf.sparse.cross_hashed` chains them."""
    result = first ^ _CAT_MUL
    result ^= (_shift_mix((second * _CAT_MUL) & MASK) * _CAT_MUL) & MASK
    result = (result * _CAT_MUL) & MASK
    result = (_shift_mix(result) * _CAT_MUL) & MASK
    return _shift_mix(result)


def cross_feature_hash(value):
    """A feature as `tf.sparse.cross_hashed` hashes it: strings by Fingerprint64, integers as themselves."""
    if isinstance(value, bytes):
        return fingerprint64(value)
    if isinstance(value, str):
        return fingerprint64(value.encode("utf-8"))
    return int(value) & MASK
