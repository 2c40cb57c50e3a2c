from bangfu.core.crypto import decrypt, encrypt, lookup_hash
from bangfu.core.idcard import redact_personal_numbers as redact


def test_encryption_round_trips_and_is_randomized():
    a, b = encrypt("11010519491231002X"), encrypt("11010519491231002X")
    assert a != b
    assert "11010519491231002X" not in a
    assert decrypt(a) == decrypt(b) == "11010519491231002X"


def test_lookup_hash_is_keyed(settings):
    h1 = lookup_hash("11010519491231002X")
    assert h1 == lookup_hash("11010519491231002X")
    settings.FIELD_KEY = "another-key"
    assert lookup_hash("11010519491231002X") != h1


def test_tampered_ciphertext_is_refused():
    import base64

    import pytest
    from cryptography.exceptions import InvalidTag

    raw = bytearray(base64.urlsafe_b64decode(encrypt("13800138000")))
    raw[-1] ^= 1
    with pytest.raises(InvalidTag):
        decrypt(base64.urlsafe_b64encode(bytes(raw)).decode())


def test_logs_never_carry_id_or_phone_numbers(settings, capsys):
    import logging.config

    logging.config.dictConfig(settings.LOGGING)  # the project's own logging set-up
    logging.getLogger("bangfu.test").warning(
        "person %s phone %s", "11010519491231002X", "13800138000"
    )
    text = capsys.readouterr().err
    assert "11010519491231002X" not in text and "13800138000" not in text
    assert "1101**********002X" in text and "138****8000" in text
    assert redact("no numbers here") == "no numbers here"


def test_tracebacks_are_redacted_too(settings, capsys):
    import logging.config

    logging.config.dictConfig(settings.LOGGING)
    try:
        raise ValueError("bad number 11010519491231002X")
    except ValueError:
        logging.getLogger("bangfu.test").exception("failed")
    err = capsys.readouterr().err
    assert "ValueError" in err and "11010519491231002X" not in err
