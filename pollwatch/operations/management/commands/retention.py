"""``pollwatch manage retention --mission M``: after a mission closes, erase its observers' personal data."""

from django.core.management.base import BaseCommand, CommandError

from pollwatch.missions.models import Mission
from pollwatch.operations.services import do_apply_retention


class Command(BaseCommand):
    help = ("Erase a closed mission's observers' personal data (names, phones, e-mails, device logins, phones and "
            "e-mails in incident texts); codes, deployments, reports and results stay, anonymised.")

    def add_arguments(self, parser):
        parser.add_argument("--mission", required=True, help="The mission's slug")

    def handle(self, *args, mission: str, **options):
        found = Mission.objects.filter(slug=mission).first()
        if found is None:
            raise CommandError(f"no mission {mission!r}")
        if found.is_active:
            raise CommandError(f"the mission {mission!r} is still active: close it (is_active off) first")
        counts = do_apply_retention(found)
        for key, value in counts.items():
            self.stdout.write(f"{key}: {value}")
