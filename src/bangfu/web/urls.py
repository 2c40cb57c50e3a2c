from django.contrib.auth import views as auth_views
from django.urls import path

from bangfu.web import views, warning_views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="web/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("households/", views.household_list, name="households"),
    # under /import/, so that no household number can collide with these pages
    path("import/households/", views.household_import, name="household_import"),
    path(
        "import/households/rejected/<str:token>.xlsx", views.import_rejected, name="import_rejected"
    ),
    path("import/households/template.xlsx", views.household_template, name="household_template"),
    path("households/export.xlsx", views.household_export, name="household_export"),
    path("households/<str:household_no>/", views.household_detail, name="household"),
    path(
        "households/<str:household_no>/members/<int:member_id>/id-number",
        views.member_unmask,
        name="member_unmask",
    ),
    path("households/<str:household_no>/readings", views.reading_add, name="reading_add"),
    path("audit/", views.audit_log, name="audit_log"),
    path("warnings/", warning_views.warning_list, name="warnings"),
    path("warnings/<int:pk>/", warning_views.warning_detail, name="warning"),
    path("warnings/<int:pk>/status", warning_views.warning_status, name="warning_status"),
]
