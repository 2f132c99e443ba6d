"""The fødselsnummer encrypted at rest (core/crypto.py): Fernet with rotation, a keyed digest."""

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from servicetorg.core import crypto

FNR = "15076500565"


def test_encrypt_and_decrypt_round_trip():
    token = crypto.encrypt_national_id(FNR)
    assert FNR not in token and token != crypto.encrypt_national_id(FNR)  # a random IV each time
    assert crypto.decrypt_national_id(token) == FNR
    assert crypto.encrypt_national_id("") == "" and crypto.decrypt_national_id("") == ""


def test_digest_is_keyed_and_normalised(settings):
    digest = crypto.national_id_digest(FNR)
    assert len(digest) == 64 and FNR not in digest
    assert crypto.national_id_digest("150765 00565") == digest
    assert crypto.national_id_digest("") == ""
    settings.NATIONAL_ID_HASH_KEY = "another-key-of-at-least-32-characters!"
    assert crypto.national_id_digest(FNR) != digest  # without the key, no digest to compare


def test_rotation_old_key_still_decrypts_and_rotate_moves_to_the_new(settings):
    old = settings.FIELD_ENCRYPTION_KEYS[0]
    token = crypto.encrypt_national_id(FNR)
    new = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    assert crypto.decrypt_national_id(token) == FNR
    rotated = crypto.rotate_ciphertext(token)
    settings.FIELD_ENCRYPTION_KEYS = [new]
    assert crypto.decrypt_national_id(rotated) == FNR
    with pytest.raises(crypto.InvalidToken):
        crypto.decrypt_national_id(token)


def test_bad_keys_are_refused(settings):
    settings.FIELD_ENCRYPTION_KEYS = ["not-a-fernet-key"]
    with pytest.raises(ImproperlyConfigured):
        crypto.check_keys()
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    settings.NATIONAL_ID_HASH_KEY = "short"
    with pytest.raises(ImproperlyConfigured):
        crypto.check_keys()
