"""The outbound sender extension point: a sender sends one SMS or raises :class:`SendError`.

A new gateway is a module with a class like the built-in ones (console, twilio, http) registered under a name
with :func:`register_sender`; a mission's ``SmsSettings.sender`` picks it.
"""

from __future__ import annotations

from typing import Protocol


class SendError(Exception):
    """The message was not sent; ``retry`` False means trying again cannot help (e.g. an invalid number)."""

    def __init__(self, message: str, *, retry: bool = True):
        super().__init__(message)
        self.retry = retry


class Sender(Protocol):
    def send(self, to: str, text: str, *, settings) -> str:
        """Send ``text`` to ``to`` (E.164) with the mission's ``SmsSettings``; return the provider's message id."""
        ...


_senders: dict[str, Sender] = {}


def register_sender(name: str, sender: Sender) -> None:
    _senders[name] = sender


def get_sender(name: str) -> Sender:
    try:
        return _senders[name]
    except KeyError:
        raise SendError(f"no SMS sender {name!r}", retry=False) from None
