from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "bangfu.supervision"
    label = "supervision"
    verbose_name = "督查考核"
