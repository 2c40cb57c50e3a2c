from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from bangfu.accounts.models import User
from bangfu.audit.models import AuditAction
from bangfu.audit.services import audit_record


@admin.register(User)
class BangfuUserAdmin(UserAdmin[User]):
    list_display = ("username", "display_name", "role", "region", "grid", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("username", "display_name")
    autocomplete_fields = ("region",)
    raw_id_fields = ("grid",)
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("帮扶", {"fields": ("display_name", "role", "region", "grid", "work_phone")}),
    )

    def save_model(self, request: Any, obj: User, form: Any, change: bool) -> None:
        """Role, region and grid changes are audited old -> new like every other change."""
        watched = ("role", "region", "grid", "is_active", "is_superuser", "username")
        old = User.objects.filter(pk=obj.pk).first() if change else None
        super().save_model(request, obj, form, change)
        changes = {
            f: [str(getattr(old, f, None)) if old else None, str(getattr(obj, f))]
            for f in watched
            if old is None or getattr(old, f) != getattr(obj, f)
        }
        if changes or "password" in form.changed_data:
            if "password" in form.changed_data:
                changes["password"] = ["***", "***"]
            audit_record(
                actor=request.user,
                action=AuditAction.UPDATE if change else AuditAction.CREATE,
                obj=obj,
                region_code=obj.region_id or "",
                changes=changes,
            )
