"""The worker's SMS job (django-tasks, run by ``pollwatch worker``): send one outbound message."""

from __future__ import annotations

from django_tasks import task


@task()
def send_outbound_message(pk: int) -> None:
    from pollwatch.sms.services import do_send_outbound

    do_send_outbound(pk)
