"""居民身份证 numbers: the GB 11643 check character, the birth date and
gender read from the number, the 15-digit legacy form."""

import datetime as dt

import pytest

from gongzhi.core.errors import ValidationFailed
from gongzhi.residents.idnumbers import check_char, parse_resident_id


def make_id(region="120101", birth="19800101", seq="123") -> str:
    first17 = region + birth + seq
    return first17 + check_char(first17)


def test_the_standard_example_number_is_valid():
    # The worked example of GB 11643-1999.
    parsed = parse_resident_id("11010519491231002X")
    assert parsed.number == "11010519491231002X"
    assert parsed.birth_date == dt.date(1949, 12, 31)
    assert parsed.gender == "female"  # 17th digit 2 is even


def test_a_valid_number_gives_birth_date_and_gender():
    parsed = parse_resident_id(make_id(birth="19520314", seq="011"))
    assert parsed.birth_date == dt.date(1952, 3, 14)
    assert parsed.gender == "male"


def test_a_lowercase_x_and_spaces_are_accepted():
    parsed = parse_resident_id(" 11010519491231002x ")
    assert parsed.number == "11010519491231002X"


def test_the_check_character_can_be_x():
    # Find a sequence whose check character is X and parse it.
    for seq in range(1000):
        first17 = f"120101198001{seq % 28 + 1:02d}{seq:03d}"
        if check_char(first17) == "X":
            assert parse_resident_id(first17 + "X").number.endswith("X")
            break
    else:  # pragma: no cover
        pytest.fail("no X check character found")


def test_a_wrong_check_character_is_refused_naming_the_field():
    good = make_id()
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(ValidationFailed) as exc:
        parse_resident_id(wrong)
    assert exc.value.field == "id_number"
    assert "校验位" in str(exc.value.message)


def test_an_impossible_birth_date_is_refused():
    first17 = "120101" + "19800230" + "123"  # 30 February
    with pytest.raises(ValidationFailed) as exc:
        parse_resident_id(first17 + check_char(first17))
    assert "不存在" in str(exc.value.message)


def test_a_future_birth_date_is_refused():
    first17 = "120101" + "20990101" + "123"
    with pytest.raises(ValidationFailed) as exc:
        parse_resident_id(first17 + check_char(first17), today=dt.date(2026, 1, 1))
    assert "不合理" in str(exc.value.message)


def test_born_today_is_possible():
    today = dt.date(2026, 5, 1)
    parsed = parse_resident_id(make_id(birth="20260501"), today=today)
    assert parsed.birth_date == today


def test_a_legacy_15_digit_number_is_upgraded_to_18_digits():
    # 15 digits: region, YYMMDD (19xx), sequence; no check character.
    parsed = parse_resident_id("120101520314011")
    assert parsed.number == make_id(birth="19520314", seq="011")
    assert parsed.birth_date == dt.date(1952, 3, 14)
    assert parsed.gender == "male"


@pytest.mark.parametrize(
    "raw",
    ["", "12010119800101123", "1201011980010112345", "12010119800101A23X"],
    ids=["empty", "17 chars", "19 chars", "letter inside"],
)
def test_malformed_numbers_are_refused(raw):
    with pytest.raises(ValidationFailed) as exc:
        parse_resident_id(raw, field="id_number")
    assert exc.value.field == "id_number"


def test_the_field_name_is_the_callers():
    with pytest.raises(ValidationFailed) as exc:
        parse_resident_id("123", field="row_7_id")
    assert exc.value.field == "row_7_id"
