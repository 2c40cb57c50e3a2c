from django.contrib.auth import views as auth_views
from django.urls import path

from bangfu.web.views import (
    assistance,
    cards,
    cases,
    declarations,
    jobs,
    meetings,
    referrals,
    registry,
    warnings,
)

urlpatterns = [
    path("", registry.home, name="home"),
    path("healthz", registry.healthz, name="healthz"),
    path(
        "login/",
        registry.CappedLoginView.as_view(
            template_name="web/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("households/", registry.household_list, name="households"),
    # under /import/, so that no household number can collide with these pages
    path("import/households/", jobs.household_import, name="household_import"),
    path("import/feeds/", jobs.feed_import, name="feed_import"),
    path("import/monitoring/", jobs.monitoring_import, name="monitoring_import"),
    path(
        "import/monitoring/template.xlsx",
        jobs.monitoring_template_download,
        name="monitoring_template",
    ),
    path(
        "import/feeds/<str:dept>/template.xlsx",
        jobs.feed_template_download,
        name="feed_template",
    ),
    path("monitoring/", jobs.monitoring_runs, name="monitoring_runs"),
    path("jobs/", jobs.job_list, name="jobs"),
    path("jobs/<int:pk>/", jobs.job_detail, name="job"),
    path(
        "import/households/rejected/<str:token>.xlsx",
        registry.import_rejected,
        name="import_rejected",
    ),
    path("import/households/template.xlsx", registry.household_template, name="household_template"),
    path("households/export.xlsx", registry.household_export, name="household_export"),
    path("households/<str:household_no>/", registry.household_detail, name="household"),
    path(
        "households/<str:household_no>/members/<int:member_id>/id-number",
        registry.member_unmask,
        name="member_unmask",
    ),
    path("households/<str:household_no>/readings", registry.reading_add, name="reading_add"),
    path("audit/", registry.audit_log, name="audit_log"),
    path("warnings/", warnings.warning_list, name="warnings"),
    path("warnings/<int:pk>/", warnings.warning_detail, name="warning"),
    path("warnings/<int:pk>/status", warnings.warning_status, name="warning_status"),
    path("cases/", cases.case_list, name="cases"),
    path("cases/overdue/", cases.case_overdue, name="case_overdue"),
    path("cases/batch/", cases.case_batch, name="case_batch"),
    path("cases/declarations/", declarations.declarations, name="declarations"),
    path("cases/<int:pk>/", cases.case_detail, name="case"),
    path("cases/<int:pk>/act/<str:action>", cases.case_act_view, name="case_act"),
    path("cases/<int:pk>/objections", cases.objection_add_view, name="objection_add"),
    path(
        "cases/objections/<int:pk>/resolve",
        cases.objection_resolve_view,
        name="objection_resolve",
    ),
    path("cases/<int:pk>/plan", assistance.plan_confirm_view, name="plan_confirm"),
    path("cases/<int:pk>/evaluations", cases.evaluation_add, name="evaluation_add"),
    path("tasks/", assistance.my_tasks, name="my_tasks"),
    path("measures/<int:pk>/update", assistance.measure_update_view, name="measure_update"),
    path("catalogue/", assistance.catalogue, name="catalogue"),
    path("meetings/", meetings.meeting, name="meeting"),
    path("referrals/", referrals.referrals, name="referrals"),
    path("results/", assistance.results, name="results"),
    path("dashboard/", assistance.dashboard_view, name="dashboard"),
    path("households/<str:household_no>/visit", cases.visit_add, name="visit_add"),
    path("households/<str:household_no>/card.pdf", cards.household_card_pdf, name="card_pdf"),
    path("households/<str:household_no>/qr/revoke", cards.qr_revoke, name="qr_revoke"),
    path("villages/<str:code>/cards.pdf", cards.village_cards_pdf, name="village_cards_pdf"),
    path("villages/<str:code>/notice.pdf", cards.village_notice_pdf, name="notice_pdf"),
    # public: what a household's QR code opens (the card in scope, else the village's side)
    path("q/<str:value>/", cards.qr_open, name="qr_open"),
    # public: each village's QR code points here (自主申报)
    path("declare/<str:village_code>/", declarations.declare, name="declare"),
]
