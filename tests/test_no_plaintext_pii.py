"""No plaintext personal data outside the encrypted fields (issue 11): after the demo (its
imports, feeds, monitoring run, the walk-through of the chain) and after a failed import run
as a job, no text or JSON column of any table holds a valid ID number, and no upload is left
on disk."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from bangfu.core.idcard import IdNumberError, parse_id_number
from bangfu.demo.cases import demo_cases
from bangfu.demo.services import DEMO_VILLAGE, demo_build
from bangfu.jobs.models import Job, JobStatus
from bangfu.monitoring.services import monitor_run
from tests.conftest import HEADERS, KEYS, household_rows

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
CANDIDATE = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")


def valid_ids(text: str) -> list[str]:
    found = []
    for m in CANDIDATE.finditer(text):
        try:
            parse_id_number(m.group(0))
        except IdNumberError:
            continue
        found.append(m.group(0))
    return found


def plaintext_ids() -> dict[str, list[str]]:
    """Every valid ID number in a text or JSON column (ciphertexts and keyed hashes aside)."""
    hits: dict[str, list[str]] = {}
    for model in apps.get_models():
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
            and not f.name.endswith(("_enc", "_hash"))
        ]
        if not fields:
            continue
        for row in model.objects.values_list(*fields):
            for name, value in zip(fields, row, strict=True):
                found = valid_ids(str(value)) if value else []
                if found:
                    hits.setdefault(f"{model._meta.label}.{name}", []).extend(found)
    return hits


def test_no_table_holds_an_id_number_in_plaintext(settings, tmp_path, client, run_worker):
    settings.HOME = tmp_path
    demo_build(households=200, seed=5)
    monitor_run()
    demo_cases(village_code=DEMO_VILLAGE)
    # a failed import as a job: its errors name rows and columns, never the numbers typed
    rows = household_rows("PII-1", size=2)
    rows[1][KEYS.index("id_number")] = rows[1][KEYS.index("id_number")][:17] + "0"  # bad check
    rows[0][KEYS.index("relation")] = "邻居"  # and a bad cell beside a good number
    buf = io.StringIO()
    csv.writer(buf).writerows([HEADERS, *rows])
    upload = io.BytesIO(buf.getvalue().encode())
    upload.name = "pii.csv"
    from bangfu.accounts.models import User

    client.force_login(User.objects.get(username="village"))
    assert client.post(reverse("household_import"), {"file": upload}).status_code == 302
    run_worker()
    job = Job.objects.get(file_name="pii.csv")
    assert job.status == JobStatus.FAILED and not job.result["written"]
    assert job.result["error_count"] >= 2
    assert plaintext_ids() == {}
    # and the scan would see one: a member's number, decrypted, written into a note
    from bangfu.audit.models import AuditEvent
    from bangfu.core.crypto import decrypt
    from bangfu.registry.models import Member

    ident = decrypt(Member.objects.first().id_enc)
    AuditEvent.objects.filter(pk=AuditEvent.objects.first().pk).update(note=f"查询 {ident}")
    assert plaintext_ids() == {"audit.AuditEvent.note": [ident]}
    uploads = Path(tmp_path, "uploads")
    assert not uploads.exists() or not any(p.is_file() for p in uploads.rglob("*"))
