"""SM4-GCM sealing and the HMAC-SM3 blind index."""

import pytest

from hotline.core import crypto


def ring(current="k1", **extra) -> crypto.Keyring:
    keys = {"k1": bytes(range(16)), **extra}
    return crypto.Keyring(current, keys, b"i" * 32)


def test_a_sealed_value_opens_and_hides_its_plaintext():
    sealed = ring().seal("13912345678", "work_orders.caller_phone")
    assert sealed.startswith("sm4gcm:k1:") and "13912345678" not in sealed
    assert ring().open(sealed, "work_orders.caller_phone") == "13912345678"


def test_each_seal_is_different_but_the_index_is_stable():
    first, second = (ring().seal("张三", "p") for _ in range(2))
    assert first != second
    assert ring().blind_index("13912345678", "phone") == ring().blind_index("13912345678", "phone")
    assert ring().blind_index("13912345678", "phone") != ring().blind_index("13912345679", "phone")
    assert len(ring().blind_index("x", "phone")) == 64


def test_a_value_moved_to_another_column_or_tampered_with_does_not_open():
    sealed = ring().seal("13912345678", "work_orders.caller_phone")
    with pytest.raises(crypto.SealError):
        ring().open(sealed, "work_orders.caller_name")
    flipped = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
    with pytest.raises(crypto.SealError):
        ring().open(flipped, "work_orders.caller_phone")
    with pytest.raises(crypto.SealError):
        ring().open("sm4gcm:k9:AAAA", "work_orders.caller_phone")
    with pytest.raises(crypto.SealError):
        ring().open("sm4gcm:k1:not base64!", "work_orders.caller_phone")


def test_old_keys_still_open_after_a_new_one_becomes_current():
    old = ring().seal("北京市东城区", "p")
    rotated = ring("k2", k2=bytes(16))
    assert rotated.open(old, "p") == "北京市东城区"
    assert crypto.key_id_of(rotated.seal("x", "p")) == "k2"


def test_the_index_is_keyed():
    other = crypto.Keyring("k1", {"k1": bytes(16)}, b"j" * 32)
    assert other.blind_index("13912345678", "phone") != ring().blind_index("13912345678", "phone")


def test_bad_keys_are_refused():
    with pytest.raises(ValueError):
        crypto.Keyring("k1", {"k1": b"short"}, b"i" * 32)
    with pytest.raises(ValueError):
        crypto.Keyring("k2", {"k1": bytes(16)}, b"i" * 32)
