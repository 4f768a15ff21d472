from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kampung.accounts"
    label = "accounts"
    verbose_name = "Akun"

    def ready(self) -> None:
        from django.conf import settings
        from django.contrib.auth.signals import user_logged_in
        from django.core.exceptions import ImproperlyConfigured

        from kampung.accounts.middleware import on_user_logged_in
        from kampung.accounts.roles import Role

        unknown = set(settings.KAMPUNG_TWO_FACTOR_ROLES) - set(Role.values)
        if unknown:
            raise ImproperlyConfigured(
                f"KAMPUNG_TWO_FACTOR_ROLES names unknown roles: {', '.join(sorted(unknown))} "
                f"(known: {', '.join(Role.values)})"
            )
        user_logged_in.connect(on_user_logged_in, dispatch_uid="kampung.accounts.session_start")
