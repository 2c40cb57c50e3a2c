"""Scheme files (考核方案): the demo county's three parse; a bad file is refused with where and
why in Chinese; a stored scheme writes back to a file that parses to the same scheme."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bangfu.assessment.scheme import SchemeError, scheme_parse, scheme_text
from tests.assessment.conftest import ONE_COMPUTED, scheme_file


@pytest.mark.parametrize("kind", ["township", "village", "team"])
def test_the_demo_county_files_parse_to_100_points(kind):
    spec = scheme_parse(scheme_file(kind))
    assert spec.points == Decimal(100)
    assert spec.county == "140123000000" and spec.year == 2026 and spec.subject == kind
    indicators = [i for d in spec.dimensions for i in d.indicators]
    assert all(i.clause for i in indicators)
    methods = {i.method for i in indicators}
    assert methods == {"computed", "assessed"}
    if kind != "team":
        names = [d.name for d in spec.dimensions]
        assert names == ["识别认定", "帮扶落实", "风险消除", "问题整改", "基础工作"]
        assert spec.quarter_weight == Decimal("0.4")
        ways = {w for i in indicators for w in i.ways}
        assert ways == {"ledger", "interview", "site"}


BAD = [
    # (what is replaced, by what, the refusal's words)
    ("points = 10\n", "points = 0\n", "第1个考核方面的第1个指标：分值必须是正数"),
    ("points = 10\n", "points = 11\n", "各指标分值合计须为 100 分，现为 101 分"),
    ('measure = "overdue_steps"', 'measure = "no_such"', "第1个考核方面的第2个指标：计算口径"),
    ('measure = "overdue_steps"', 'measure = "team_logs"', "不适用于该考核对象（乡镇）"),
    ("zero_at = 0.8\n", "", "须同时填写满分值（full_at）和零分值（zero_at）"),
    ('ways = ["ledger"]', 'ways = ["phone"]', "第5个考核方面的第3个指标：须填写计算口径"),
    ('ways = ["ledger"]', "", "第5个考核方面的第3个指标：须填写计算口径"),
    ('key = "files_complete"', 'key = "meetings_held"', "key “meetings_held”重复"),
    ('key = "files_complete"', 'key = "Files"', "key 须以小写字母开头"),
    ('county = "140123"', 'county = "14012"', "county 须是6位县级区划代码"),
    ('subject = "township"', 'subject = "city"', "subject 须是 township、village 或 team"),
    ("quarter_weight = 0.4", "quarter_weight = 1.5", "quarter_weight 须在0到1之间"),
    ('name = "档案资料完整规范"', 'name = "档案资料完整规范"\ncolour = "red"', "不认识的键 colour"),
    ("full_at = 1.0\nzero_at = 0.8", "full_at = 1.0\nzero_at = 1.0", "满分值和零分值不能相同"),
    ('name = "识别认定"', 'name = "识别认定', "方案文件第15行格式错误"),
]


@pytest.mark.parametrize(("old", "new", "words"), BAD)
def test_a_bad_file_is_refused_with_where_and_why(old, new, words):
    text = scheme_file("township")
    assert old in text
    with pytest.raises(SchemeError) as refused:
        scheme_parse(text.replace(old, new, 1))
    assert words in str(refused.value)


def test_a_team_scheme_has_no_quarters_and_a_file_is_bounded():
    with pytest.raises(SchemeError, match="驻村工作队按年度考核"):
        scheme_parse(scheme_file("team").replace("quarter_weight = 0", "quarter_weight = 0.4"))
    with pytest.raises(SchemeError, match="100 KB"):
        scheme_parse(ONE_COMPUTED + "#" * 100_001)
    with pytest.raises(SchemeError, match="不允许的字符"):
        scheme_parse(ONE_COMPUTED.replace("基础工作", "基础\u202e工作"))


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_a_scheme_or_a_scheme_error(text):
    try:
        scheme_parse(text)
    except SchemeError as exc:
        assert str(exc)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=60), min_size=1, max_size=6))
def test_points_are_accepted_exactly_when_they_add_up_to_100(points):
    items = "".join(
        f'[[dimension.indicator]]\nkey = "i{n}"\nname = "指标{n}"\npoints = {p}\nways = ["site"]\n'
        for n, p in enumerate(points)
    )
    text = ONE_COMPUTED.split("[[dimension.indicator]]")[0] + items
    if sum(points) == 100:
        assert scheme_parse(text).points == 100
    else:
        with pytest.raises(SchemeError, match="合计须为 100 分"):
            scheme_parse(text)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["township", "team"])
def test_a_stored_scheme_writes_back_to_the_same_scheme(schemes, kind):
    written = scheme_text(schemes[kind])
    assert scheme_parse(written) == scheme_parse(scheme_file(kind))
