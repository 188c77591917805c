from django.apps import AppConfig


def sealed_count_forms(mission) -> set[str]:
    """The count forms of the mission's unpublished samples: their reports rebuild the estimate."""
    from pollwatch.pvt.models import PvtSample

    return set(PvtSample.objects.for_mission(mission).filter(published_at__isnull=True)
               .values_list("count_form_id", flat=True))


class PvtConfig(AppConfig):
    name = "pollwatch.pvt"
    label = "pvt"
    verbose_name = "Quick count (PVT)"

    def ready(self) -> None:
        from pollwatch.missions.access import register_sealed_forms

        register_sealed_forms(sealed_count_forms)
