import pytest

from bangfu.monitoring.errors import PolicyError
from bangfu.monitoring.policy import load_policy, parse_policy

HEAD = """
[policy]
province = "14"
year = 2026
version = "t-1"
monitoring_line = 7000
"""


def test_shipped_policy_loads_with_every_rule_kind():
    from bangfu.monitoring.rules import RULE_KINDS

    policy = load_policy()
    assert policy.line == 7300 and len(policy.rules) == 18
    assert {r.kind for r in policy.rules} == set(RULE_KINDS)
    assert abs(sum(i.weight for i in policy.indicators) - 1) < 1e-9


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ('id="A"\nkind="nope"\ntitle="t"\nrisk_types=["因病"]\ncategory="edge"', "未知的规则类型"),
        (
            'id="A"\nkind="income_near_line"\ntitle="t"\nrisk_types=["因病"]\ncategory="edge"',
            "缺少参数 margin",
        ),
        (
            'id="A"\nkind="income_near_line"\ntitle="t"\nrisk_types=["因病"]\ncategory="edge"\n'
            'params={margin="high"}',
            "应为数值",
        ),
        (
            'id="A"\nkind="income_below_line"\ntitle="t"\nrisk_types=["因穷"]\ncategory="edge"',
            "未知的风险类型",
        ),
        (
            'id="A"\nkind="income_below_line"\ntitle="t"\nrisk_types=["因病"]\ncategory="vip"',
            "未知的监测类别",
        ),
        (
            'id="A"\nkind="income_below_line"\ntitle="t"\nrisk_types=["因病"]\ncategory="edge"\n'
            'params={protected="any", x=1}',
            "没有参数 x",
        ),
    ],
)
def test_bad_rules_are_refused_with_a_reason(rule, message):
    with pytest.raises(PolicyError, match=message):
        parse_policy(HEAD + "[[rule]]\n" + rule)


def test_weights_must_sum_to_one():
    text = HEAD + '[deprivation]\nk=0.3\n[[deprivation.indicator]]\nid="income"\nweight=0.5\n'
    with pytest.raises(PolicyError, match="权重之和"):
        parse_policy(text)


RULE = (
    'id="A"\nkind="water_unsafe"\ntitle="饮水安全无保障"\nrisk_types=["饮水安全"]\ncategory="edge"'
)


def test_a_rule_may_carry_its_title_and_clause_in_english():
    text = (
        HEAD
        + 'title_en = "Test policy"\n[[rule]]\n'
        + RULE
        + '\nclause = "饮水安全核查不达标的，预警。"\ntitle_en = "Drinking water unsafe"\n'
        + 'clause_en = "A warning when the water check fails."\n'
    )
    policy = parse_policy(text)
    rule = policy.rule("A")
    assert policy.title_en == "Test policy"
    assert (rule.title, rule.title_en) == ("饮水安全无保障", "Drinking water unsafe")
    assert rule.clause_en == "A warning when the water check fails."
    # optional: without them, the English is empty and the pages show the Chinese
    bare = parse_policy(HEAD + "[[rule]]\n" + RULE).rule("A")
    assert (bare.title_en, bare.clause_en, bare.clause) == ("", "", "")


@pytest.mark.parametrize(
    "line", ["title_en = 3", "clause_en = ['a']", "title = 1", "clause = true"]
)
def test_rule_texts_that_are_not_strings_are_refused(line):
    rule = RULE.replace('title="饮水安全无保障"\n', "") if line.startswith("title =") else RULE
    with pytest.raises(PolicyError, match=line.split(" ")[0] + " 应为字符串"):
        parse_policy(HEAD + "[[rule]]\n" + rule + "\n" + line + "\n")


def test_the_policys_english_title_must_be_a_string():
    with pytest.raises(PolicyError, match="title_en 应为字符串"):
        parse_policy(HEAD.replace('version = "t-1"', 'version = "t-1"\ntitle_en = 2'))
