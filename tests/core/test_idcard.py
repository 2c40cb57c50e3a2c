import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bangfu.core.idcard import (
    IdNumberError,
    check_char,
    make_id_number,
    mask_id_number,
    mask_name,
    parse_id_number,
)

# A published example of GB 11643 (the standard's own annex): 11010519491231002X
KNOWN = "11010519491231002X"


def test_known_number_parses():
    ident = parse_id_number(KNOWN)
    assert ident.birth_date == dt.date(1949, 12, 31)
    assert ident.sex == "F"  # 17th digit 2 is even
    assert ident.area_code == "110105"


def test_check_digit_computed_by_hand():
    # sum(d_i * w_i) for 11010519491231002 is 167; 167 mod 11 = 2 -> "X"
    assert check_char("11010519491231002") == "X"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("110105194912310021", "校验位"),
        ("11010519491331002X", "出生日期不存在"),
        ("1101051949123100", "18位"),
        ("11010519491231002Y", "18位"),
        ("110105299912310027", "不合理"),
    ],
)
def test_bad_numbers_say_why(raw, reason):
    with pytest.raises(IdNumberError, match=reason):
        parse_id_number(raw, today=dt.date(2026, 11, 23))


def test_lowercase_x_and_spaces_are_normalized():
    assert parse_id_number(" 11010519491231002x ").value == KNOWN


@given(
    birth=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2026, 1, 1)),
    seq=st.integers(0, 499),
    sex=st.sampled_from("MF"),
)
def test_made_numbers_round_trip(birth, seq, sex):
    number = make_id_number("140123", birth, seq, sex)
    ident = parse_id_number(number, today=dt.date(2026, 11, 23))
    assert (ident.birth_date, ident.sex) == (birth, sex)


@given(
    birth=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2026, 1, 1)),
    pos=st.integers(0, 16),
    delta=st.integers(1, 9),
)
def test_any_single_digit_error_is_caught(birth, pos, delta):
    number = make_id_number("140123", birth, 7, "M")
    digit = (int(number[pos]) + delta) % 10
    broken = number[:pos] + str(digit) + number[pos + 1 :]
    with pytest.raises(IdNumberError):
        parse_id_number(broken, today=dt.date(2026, 11, 23))


def test_mask_keeps_area_and_last_four():
    assert mask_id_number(KNOWN) == "1101**********002X"


@pytest.mark.parametrize(
    ("name", "plain", "notice"),
    [
        ("王", "王*", "王"),
        ("王五", "王*", "王*"),
        ("张小明", "张**", "张*明"),
        ("欧阳春花", "欧***", "欧**花"),
    ],
)
def test_name_masks(name, plain, notice):
    assert mask_name(name) == plain
    assert mask_name(name, keep_last=True) == notice
