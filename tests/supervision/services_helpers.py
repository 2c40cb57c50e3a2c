"""Evidence added directly (the API takes no files: they are uploaded on the problem's page)."""

from __future__ import annotations

from typing import Any

from bangfu.supervision.models import Problem
from bangfu.supervision.services import problem_progress


def evidence_for(user: Any, problem: Problem, upload: Any) -> None:
    problem_progress(user=user, problem=problem, text="", uploads=[upload])
