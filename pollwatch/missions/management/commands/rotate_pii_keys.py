"""``pollwatch manage rotate_pii_keys``: re-encrypt every observer's phone with the first POLLWATCH_PII_KEYS key."""

from django.core.management.base import BaseCommand
from django.db import transaction

from pollwatch.accounts.fields import rotate
from pollwatch.accounts.services import do_record_audit
from pollwatch.missions.models import Observer


class Command(BaseCommand):
    help = "Re-encrypt personal data at rest with the first key of POLLWATCH_PII_KEYS (then drop the old key)."

    def handle(self, *args, **options):
        n = 0
        with transaction.atomic():
            for pk, phone in Observer.objects.exclude(phone="").values_list("pk", "phone").iterator(chunk_size=1000):
                Observer.objects.filter(pk=pk).update(phone=rotate(phone))
                n += 1
            do_record_audit("pii.rotate_keys", detail={"observers": n})
        self.stdout.write(f"re-encrypted: {n} observers")
