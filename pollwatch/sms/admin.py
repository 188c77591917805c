from django.contrib import admin

from pollwatch.sms.models import Broadcast, InboundMessage, OutboundMessage, SmsSettings


@admin.register(SmsSettings)
class SmsSettingsAdmin(admin.ModelAdmin):
    list_display = ("mission", "sender", "from_number")


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = ("received_at", "mission", "gateway", "sender", "status", "text")
    list_filter = ("status", "gateway")
    search_fields = ("text", "sender", "message_id")
    raw_id_fields = ("observer", "submission", "corrects")


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "mission", "to", "status", "attempts", "text")
    list_filter = ("status",)
    raw_id_fields = ("observer", "in_reply_to", "broadcast")


@admin.register(Broadcast)
class BroadcastAdmin(admin.ModelAdmin):
    list_display = ("created_at", "mission", "text")
