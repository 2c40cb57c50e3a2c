"""Problems of the ledger around 官庄村, registered through the service."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bangfu.supervision.models import Problem
from bangfu.supervision.services import ProblemIn, problem_register
from tests.conftest import VILLAGE

PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415478"
    "9c63f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
)
TODAY = dt.date(2026, 11, 20)


def png(name: str = "整改照片.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG_BYTES, "image/png")


@pytest.fixture(autouse=True)
def _home(settings: Any, tmp_path: Any) -> None:
    settings.HOME = tmp_path


@pytest.fixture
def register(people: Any) -> Callable[..., Problem]:
    def make(by: str = "auditor", region: str = VILLAGE, ref: str = "", **kw: Any) -> Problem:
        data = ProblemIn(
            source=kw.pop("source", "national"),
            source_ref=ref,
            region_code=region,
            category=kw.pop("category", "assistance"),
            description=kw.pop("description", "帮扶措施落实不到位"),
            responsible_unit=kw.pop("responsible_unit", "官庄村村委会"),
            deadline=kw.pop("deadline", dt.date(2026, 12, 31)),
            **kw,
        )
        return problem_register(user=people[by], data=data, today=kw.get("today", TODAY))

    return make
