"""`bangfu load_scheme FILE --user 用户名`: the same service and refusals as the API."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from bangfu.assessment.models import Scheme
from tests.assessment.conftest import SCHEMES, scheme_file

pytestmark = pytest.mark.django_db


def test_a_scheme_file_is_loaded_by_a_county_officer(people, tmp_path):
    out = StringIO()
    call_command("load_scheme", str(SCHEMES / "2026-village.toml"), user="county", stdout=out)
    assert "5 个考核方面，14 个指标" in out.getvalue()
    assert Scheme.objects.get().subject_kind == "village"
    with pytest.raises(CommandError, match="只有本县的县级干部"):
        call_command("load_scheme", str(SCHEMES / "2026-team.toml"), user="township")
    bad = tmp_path / "bad.toml"
    bad.write_text(scheme_file("team").replace("points = 30", "points = 31"), encoding="utf-8")
    with pytest.raises(CommandError, match="合计须为 100 分，现为 101 分"):
        call_command("load_scheme", str(bad), user="county")
    with pytest.raises(CommandError, match="文件不存在"):
        call_command("load_scheme", str(tmp_path / "none.toml"), user="county")
    assert Scheme.objects.count() == 1
