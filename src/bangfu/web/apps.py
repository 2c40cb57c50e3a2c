from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "bangfu.web"
    label = "web"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        from bangfu.web.throttle import login_failed

        user_login_failed.connect(login_failed, dispatch_uid="web.login_failed")
