from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "bangfu.assessment"
    label = "assessment"
    verbose_name = "考核测评"
