from django.contrib import admin

from bangfu.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """Read-only: the audit log is append-only."""

    list_display = ("at", "actor_label", "action", "object_type", "object_id", "region_code")
    list_filter = ("action", "object_type")
    search_fields = ("region_code", "object_id", "actor_label")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
