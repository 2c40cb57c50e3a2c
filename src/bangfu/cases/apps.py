from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "bangfu.cases"
    label = "cases"
    verbose_name = "监测帮扶"

    def ready(self) -> None:
        from bangfu.cases.runs import run_signals_attach
        from bangfu.monitoring.services import warnings_stored

        warnings_stored.connect(run_signals_attach, dispatch_uid="cases.run_signals_attach")
