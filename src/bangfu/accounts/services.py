from __future__ import annotations

from django.db import transaction

from bangfu.accounts.models import Role, User
from bangfu.audit.models import AuditAction
from bangfu.audit.services import audit_record
from bangfu.regions.models import Grid, Region


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: Role,
    region: Region,
    grid: Grid | None = None,
    department: str = "",
    display_name: str = "",
    work_phone: str = "",
    actor: User | None = None,
) -> User:
    user = User(
        username=username,
        role=role,
        region=region,
        grid=grid,
        department=department,
        display_name=display_name,
        work_phone=work_phone,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=user,
        region_code=region.code,
        changes={"role": [None, role], "region": [None, region.code]},
    )
    return user
