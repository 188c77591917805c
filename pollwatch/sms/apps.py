from django.apps import AppConfig


class SmsConfig(AppConfig):
    name = "pollwatch.sms"
    label = "sms"
    verbose_name = "SMS reporting"

    def ready(self) -> None:
        # The SMS text is the stored raw payload of an SMS report: collection reads it through this reader.
        from pollwatch.collection.submissions import register_payload_reader
        from pollwatch.sms.reader import read_sms_payload
        from pollwatch.sms.senders import register_default_senders

        register_payload_reader("sms-text", read_sms_payload, transport="sms")
        register_default_senders()

        # Retention: SMS texts scrubbed of the observers' PII, and every sender's and recipient's number removed.
        from pollwatch.missions.retention import register_eraser, register_text_fields
        from pollwatch.sms.models import Broadcast, InboundMessage, OutboundMessage
        from pollwatch.sms.services import erase_message_numbers

        register_text_fields("sms_inbound", lambda m: InboundMessage.objects.filter(mission=m),
                             ["text", "parsed", "problems"])
        register_text_fields("sms_outbound", lambda m: OutboundMessage.objects.filter(mission=m), ["text", "last_error"])
        register_text_fields("sms_broadcasts", lambda m: Broadcast.objects.filter(mission=m), ["text", "audience"])
        register_eraser("sms_numbers", erase_message_numbers)
