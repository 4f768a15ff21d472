from django.apps import AppConfig


class AuthorityConfig(AppConfig):
    name = "kampung.authority"
    label = "authority"
    verbose_name = "Kewenangan"

    def ready(self) -> None:
        from kampung.authority.acts import register_act, register_family
        from kampung.authority.catalogue import ACT_FAMILIES, ACTS, CO_HOLDERS

        for code, role, description in ACTS:
            register_act(code, holder_role=role, description=description, co_holders=CO_HOLDERS.get(code, ()))
        for pattern, role, description in ACT_FAMILIES:
            register_family(
                pattern, holder_role=role, description=description, co_holders=CO_HOLDERS.get(pattern, ())
            )
