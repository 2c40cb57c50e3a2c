from django.contrib import admin

from bangfu.regions.models import Grid, Region


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
