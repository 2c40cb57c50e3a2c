"""English all the way: rule titles and clauses, measure names and import reports are shown in
English to a reader who chose English, while what is stored stays Chinese (the warning's title,
the catalogue's name, the job's reasons as their Chinese msgid and parameters)."""

import html
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from bangfu.assistance.models import MeasureKind
from bangfu.core.tabular.parsing import RowError
from bangfu.core.tabular.reasons import Reason
from bangfu.jobs.models import Job, JobStatus
from bangfu.monitoring.models import RiskWarning
from bangfu.monitoring.policy import load_policy, rule_text
from bangfu.monitoring.services import monitor_run
from bangfu.web.templatetags.bangfu import kind_name, row_errors, rule_clause, rule_title
from tests.conftest import HEADERS, KEYS, NEIGHBOUR, household_rows, housing_warning

pytestmark = pytest.mark.django_db

A = "1401231002060001"
R01_EN = "Per-capita net income below the monitoring range"
R01_CLAUSE_EN = (
    "A household whose annual per-capita net income is below the year's monitoring range "
    "is brought into monitoring."
)
DIBAO_EN = (
    "Subsistence allowance (dibao) and support for persons in extreme poverty "
    "(social-assistance safety net)"
)


@pytest.fixture
def warning(settings, tmp_path, make_households):
    """An R01 warning (income below the range) of 官庄村, and an R14 (not insured), from a real
    run of the shipped policy."""
    settings.HOME = tmp_path
    rows = household_rows(A, year=2025, wage=3000, business=2000, production_costs=500)
    rows[1][KEYS.index("medical_insured")] = "否"  # and R14 (not insured)
    make_households(rows)
    monitor_run(period="2026-10")
    return RiskWarning.objects.get(household__household_no=A, rule_id="R01")


def english(client):
    client.cookies["django_language"] = "en"
    return client


def test_the_shipped_policy_gives_every_rule_its_english():
    policy = load_policy()
    assert policy.title_en.startswith("Shanxi Province 2026")
    assert all(r.title_en and r.clause_en for r in policy.rules)
    text = rule_text("R01", policy.version)
    assert text is not None
    assert (text.title, text.title_en) == ("人均纯收入低于监测范围", R01_EN)
    assert text.clause_en == R01_CLAUSE_EN
    assert rule_text("R01", "no-such-version") is None


def test_a_warnings_page_shows_the_rule_in_english_and_keeps_the_chinese_stored(
    client, people, warning
):
    assert warning.rule_title == "人均纯收入低于监测范围"  # stored as raised
    client.force_login(people["village"])
    page = html.unescape(
        english(client).get(reverse("warning", args=[warning.pk])).content.decode()
    )
    assert f"R01 {R01_EN}" in page and R01_CLAUSE_EN in page
    assert "人均纯收入低于监测范围" not in page
    listed = client.get(reverse("warnings")).content.decode()
    assert R01_EN in listed and "Not enrolled in basic medical insurance" in listed  # R14
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("warning", args=[warning.pk])).content.decode()
    assert "R01 人均纯收入低于监测范围" in page and warning.clause in page
    assert R01_EN not in page


def test_a_warning_of_an_unknown_policy_version_keeps_its_chinese(make_households):
    (household,) = make_households(household_rows("H-EN-1"))
    known = housing_warning(household)  # policy version "t": no such file
    with translation.override("en"):
        # the English of the very Chinese text is found in the version installed
        assert rule_title(known) == "Housing safety not guaranteed"
        assert rule_clause(known) == ""
    known.rule_title = "某省自定规则"
    with translation.override("en"):
        assert rule_title(known) == "某省自定规则"  # no English of that text anywhere


def test_the_catalogue_shows_english_measure_names(client, people):
    dibao = MeasureKind.objects.get(code="dibao")
    assert (dibao.name, dibao.name_en) == ("低保、特困供养（兜底保障）", DIBAO_EN)
    client.force_login(people["village"])  # reads it (the county's edit forms hold the Chinese)
    page = english(client).get(reverse("catalogue")).content.decode()
    assert DIBAO_EN in page and "Skills training" in page
    assert "低保、特困供养（兜底保障）" not in page
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("catalogue")).content.decode()
    assert "低保、特困供养（兜底保障）" in page and DIBAO_EN not in page


def test_kind_name_answers_for_a_kind_and_for_a_stored_name():
    dibao = MeasureKind.objects.get(code="dibao")
    own = MeasureKind.objects.create(
        code="own", name="县自定措施", group="development", outcome="done"
    )
    assert kind_name(dibao) == dibao.name and kind_name(dibao.name) == dibao.name
    with translation.override("en"):
        assert kind_name(dibao) == DIBAO_EN and kind_name(dibao.name) == DIBAO_EN
        assert kind_name(own) == "县自定措施" and kind_name("县自定措施") == "县自定措施"


def upload(rows):
    import csv

    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    w.writerow(HEADERS)
    w.writerows(rows)
    f = io.BytesIO(buf.getvalue().encode("utf-8"))
    f.name = "h.csv"
    return f


def test_a_refused_imports_job_page_is_in_the_readers_language(client, people, run_worker):
    """The job ran in Chinese (its user's language); read in English, its report is English."""
    client.force_login(people["village"])
    rows = household_rows("W-EN") + household_rows("W-EN-2", village=NEIGHBOUR)
    rows[1][KEYS.index("id_number")] = rows[1][KEYS.index("id_number")][:-1] + "Y"
    r = client.post(reverse("household_import"), {"file": upload(rows)})
    job = Job.objects.get(pk=int(r["Location"].rstrip("/").rsplit("/", 1)[1]))
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    # stored: the reason as shown then, and as msgid and parameters
    assert job.result["errors"][0][:2] == [3, "身份证号"]
    assert job.result["error_reasons"][1] == {"msgid": "该村不在您的管辖范围内", "params": {}}
    page = english(client).get(reverse("job", args=[job.pk])).content.decode()
    assert "<th>Row</th><th>Column</th><th>Reason</th>" in page
    assert ">3</td>" in page and ">身份证号</td>" in page  # the file's own header, as written
    assert "This village is outside your region" in page
    assert "该村不在您的管辖范围内" not in page
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("job", args=[job.pk])).content.decode()
    assert "该村不在您的管辖范围内" in page and "This village is outside your region" not in page


def test_stored_reasons_render_with_their_parameters_in_either_language():
    duplicate = RowError(4, "身份证号", Reason("与第{n}行的身份证号重复", n=2))
    long = RowError(2, "姓名", Reason("不能超过%(n)d个字", n=50))
    result = {
        "errors": [[4, "身份证号", duplicate.reason], [2, "姓名", long.reason]],
        "error_reasons": [duplicate.stored(), long.stored()],
    }
    assert row_errors(result) == [
        (4, "身份证号", "与第2行的身份证号重复"),
        (2, "姓名", "不能超过50个字"),
    ]
    with translation.override("en"):
        assert row_errors(result) == [
            (4, "身份证号", "Same ID number as row 2"),
            (2, "姓名", "At most 50 characters"),
        ]
        assert str(duplicate) == "Row 4, column 身份证号: Same ID number as row 2"
    # a result stored before reasons were kept shows its text (a whole msgid is translated)
    old = {"errors": [[5, "村区划代码", "该村不在您的管辖范围内"], [6, "户编号", "自由文字"]]}
    with translation.override("en"):
        assert row_errors(old) == [
            (5, "村区划代码", "This village is outside your region"),
            (6, "户编号", "自由文字"),
        ]


def test_a_file_over_a_cap_is_refused_in_the_readers_language():
    nested = Reason(
        "文件超过上限：%(what)s超过 %(cap)s，请分批导入", what=Reason("数据行数"), cap="10"
    )
    back = Reason.loaded(nested.stored())
    assert back == nested
    assert str(back) == "文件超过上限：数据行数超过 10，请分批导入"
    with translation.override("en"):
        assert str(back) == (
            "The file is over a limit: the number of data rows is over 10; please import in batches"
        )
        assert row_errors({"errors": [[0, "文件", str(nested)]], "error_reasons": [back.stored()]})[
            0
        ][:2] == (0, "File")


def test_the_cli_reports_errors_in_chinese_by_default(tmp_path):
    rows = household_rows("CLI-EN")
    rows[1][KEYS.index("id_number")] = rows[1][KEYS.index("id_number")][:-1] + "Y"
    path = tmp_path / "h.csv"
    path.write_bytes(upload(rows).getvalue())
    err = io.StringIO()
    with pytest.raises(Exception, match="未导入任何数据"):
        call_command("import", "households", str(path), stdout=io.StringIO(), stderr=err)
    assert "第3行，身份证号列：身份证号应为18位：前17位数字，最后一位为数字或X" in err.getvalue()
