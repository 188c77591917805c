from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "pollwatch.accounts"
    label = "accounts"
    verbose_name = "Accounts and audit"

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from pollwatch.accounts import i18n, signals

        user_logged_in.connect(signals.record_login, dispatch_uid="pollwatch-audit-login")
        user_login_failed.connect(signals.record_login_failed, dispatch_uid="pollwatch-audit-login-failed")
        user_logged_in.connect(i18n.apply_language_on_login, dispatch_uid="pollwatch-language-login")
        user_locked_out.connect(signals.record_lockout, dispatch_uid="pollwatch-audit-lockout")

