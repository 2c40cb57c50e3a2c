from django.contrib.auth import views as auth_views
from django.urls import path

from bangfu.web import card_views, case_views, job_views, views, warning_views

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
    path("import/households/", job_views.household_import, name="household_import"),
    path("import/feeds/", job_views.feed_import, name="feed_import"),
    path(
        "import/feeds/<str:dept>/template.xlsx",
        job_views.feed_template_download,
        name="feed_template",
    ),
    path("monitoring/", job_views.monitoring_runs, name="monitoring_runs"),
    path("jobs/", job_views.job_list, name="jobs"),
    path("jobs/<int:pk>/", job_views.job_detail, name="job"),
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
    path("cases/", case_views.case_list, name="cases"),
    path("cases/overdue/", case_views.case_overdue, name="case_overdue"),
    path("cases/batch/", case_views.case_batch, name="case_batch"),
    path("cases/declarations/", case_views.declarations, name="declarations"),
    path("cases/<int:pk>/", case_views.case_detail, name="case"),
    path("cases/<int:pk>/act/<str:action>", case_views.case_act_view, name="case_act"),
    path("cases/<int:pk>/objections", case_views.objection_add_view, name="objection_add"),
    path(
        "cases/objections/<int:pk>/resolve",
        case_views.objection_resolve_view,
        name="objection_resolve",
    ),
    path("cases/<int:pk>/plan", case_views.plan_confirm_view, name="plan_confirm"),
    path("cases/<int:pk>/evaluations", case_views.evaluation_add, name="evaluation_add"),
    path("tasks/", case_views.my_tasks, name="my_tasks"),
    path("measures/<int:pk>/update", case_views.measure_update_view, name="measure_update"),
    path("catalogue/", case_views.catalogue, name="catalogue"),
    path("meetings/", case_views.meeting, name="meeting"),
    path("results/", case_views.results, name="results"),
    path("dashboard/", case_views.dashboard_view, name="dashboard"),
    path("households/<str:household_no>/visit", case_views.visit_add, name="visit_add"),
    path("households/<str:household_no>/card.pdf", card_views.household_card_pdf, name="card_pdf"),
    path("households/<str:household_no>/qr/revoke", card_views.qr_revoke, name="qr_revoke"),
    path("villages/<str:code>/cards.pdf", card_views.village_cards_pdf, name="village_cards_pdf"),
    path("villages/<str:code>/notice.pdf", card_views.village_notice_pdf, name="notice_pdf"),
    # public: what a household's QR code opens (the card in scope, else the village's side)
    path("q/<str:value>/", card_views.qr_open, name="qr_open"),
    # public: each village's QR code points here (自主申报)
    path("declare/<str:village_code>/", case_views.declare, name="declare"),
]
