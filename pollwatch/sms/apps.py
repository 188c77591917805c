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
