from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "bangfu.web"
    label = "web"
