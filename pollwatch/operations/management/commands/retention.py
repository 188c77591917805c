"""``pollwatch manage retention --mission M``: the same erasure as ``pollwatch retention`` (kept for scripts)."""

from django.core.management.base import BaseCommand, CommandError

from pollwatch.missions.models import Mission
from pollwatch.missions.retention import MissionStillOpen, do_apply_retention


class Command(BaseCommand):
    help = ("Erase a closed mission's observers' personal data (names, phones, e-mails, logins, in raw reports, "
            "SMS, incident texts and photos' metadata too); codes, deployments, reports and results stay, anonymised.")

    def add_arguments(self, parser):
        parser.add_argument("--mission", required=True, help="The mission's slug")
        parser.add_argument("--dry-run", action="store_true", help="Count what would be erased, change nothing")

    def handle(self, *args, mission: str, dry_run: bool = False, **options):
        found = Mission.objects.filter(slug=mission).first()
        if found is None:
            raise CommandError(f"no mission {mission!r}")
        try:
            counts = do_apply_retention(found, dry_run=dry_run)
        except MissionStillOpen:
            raise CommandError(f"the mission {mission!r} is still active: close it (is_active off) first") from None
        for key, value in counts.items():
            self.stdout.write(f"{key}: {value}")
