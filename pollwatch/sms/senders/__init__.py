"""Outbound SMS senders: ``base`` (the protocol and registry) and the built-in ones."""

from __future__ import annotations


def register_default_senders() -> None:
    from pollwatch.sms.senders.base import register_sender
    from pollwatch.sms.senders.console import ConsoleSender
    from pollwatch.sms.senders.http import HttpSender
    from pollwatch.sms.senders.twilio import TwilioSender

    register_sender("console", ConsoleSender())
    register_sender("twilio", TwilioSender())
    register_sender("http", HttpSender())
