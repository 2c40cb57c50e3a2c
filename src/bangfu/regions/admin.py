from django.contrib import admin

from bangfu.regions.models import Grid, Region, RegionContact


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin[Region]):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)


@admin.register(Grid)
class GridAdmin(admin.ModelAdmin[Grid]):
    list_display = ("village", "number", "name")
    search_fields = ("village__name", "village__code")
    raw_id_fields = ("village",)


@admin.register(RegionContact)
class RegionContactAdmin(admin.ModelAdmin[RegionContact]):
    """A village's contact details, and a township's or county's default supervision phone."""

    list_display = ("region", "office", "phone", "supervision_phone")
    search_fields = ("region__name", "region__code", "office")
    raw_id_fields = ("region",)
