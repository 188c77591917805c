"""``pollwatch manage reset_totp USERNAME``: remove a user's TOTP device from the server's shell (an admin who lost
their phone cannot reach the admin's reset); audited like the admin's reset."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from pollwatch.accounts.two_factor import do_reset_totp


class Command(BaseCommand):
    help = "Remove a user's TOTP second factor (a lost phone): the next login asks for the password, or for enrolment."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--reason", default="reset from the command line")

    def handle(self, *args, username: str, reason: str, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r}")
        n = do_reset_totp(user, reason=reason)
        self.stdout.write(f"devices removed: {n}")
