from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "pollwatch.accounts"
    label = "accounts"
    verbose_name = "Accounts and audit"

    def ready(self) -> None:
        from axes.signals import user_locked_out

        from pollwatch.accounts.throttling import record_lockout

        user_locked_out.connect(record_lockout, dispatch_uid="pollwatch-audit-lockout")
