from django.contrib import admin

from bangfu.registry.models import Household


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin[Household]):
    """For the superuser only; ID and phone numbers stay encrypted and are not shown here."""

    list_display = ("household_no", "village", "grid", "formerly_poor", "category")
    list_filter = ("formerly_poor", "category", "assistance")
    search_fields = ("household_no",)
    raw_id_fields = ("village", "grid")
    exclude = ("phone_enc",)

    # Read-only here: registry changes go through the import and the services, which audit
    # them old -> new.
    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
