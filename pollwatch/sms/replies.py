"""Reply texts in the observer's language (English, Russian, Azerbaijani); the first of the observer's
``languages`` that has templates, else English."""

from __future__ import annotations

TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "received": "Received: {form}, station {station}. Thank you.",
        "received_no_station": "Received: {form}. Thank you.",
        "problems": "Not stored: {problems}. Please correct and send again.",
        "unknown_observer": "Unknown observer code {code}. Check your card and send again.",
        "wrong_phone": "This phone is not registered for observer {code}; the report is held for review.",
        "empty": "Empty message. Send your report as on your card, e.g. {example}.",
        "duplicate": "{tag} was sent twice; the last value was kept.",
    },
    "ru": {
        "received": "Получено: {form}, участок {station}. Спасибо.",
        "received_no_station": "Получено: {form}. Спасибо.",
        "problems": "Не сохранено: {problems}. Исправьте и отправьте снова.",
        "unknown_observer": "Неизвестный код наблюдателя {code}. Проверьте карточку и отправьте снова.",
        "wrong_phone": "Этот телефон не зарегистрирован для наблюдателя {code}; отчёт передан на проверку.",
        "empty": "Пустое сообщение. Отправьте отчёт как на карточке, например {example}.",
        "duplicate": "{tag} отправлен дважды; сохранено последнее значение.",
    },
    "az": {
        "received": "Qəbul edildi: {form}, məntəqə {station}. Təşəkkür edirik.",
        "received_no_station": "Qəbul edildi: {form}. Təşəkkür edirik.",
        "problems": "Saxlanılmadı: {problems}. Düzəldib yenidən göndərin.",
        "unknown_observer": "Naməlum müşahidəçi kodu {code}. Kartınızı yoxlayıb yenidən göndərin.",
        "wrong_phone": "Bu telefon {code} müşahidəçisi üçün qeydiyyatda deyil; hesabat yoxlamaya göndərildi.",
        "empty": "Boş mesaj. Hesabatı kartdakı kimi göndərin, məsələn {example}.",
        "duplicate": "{tag} iki dəfə göndərildi; son dəyər saxlanıldı.",
    },
}


def language_of(observer) -> str:
    for code in (getattr(observer, "languages", "") or "").split(","):
        code = code.strip().lower()
        if code in TEMPLATES:
            return code
    return "en"


def reply_text(key: str, language: str = "en", **values: object) -> str:
    template = TEMPLATES.get(language, TEMPLATES["en"]).get(key) or TEMPLATES["en"][key]
    return template.format(**values)[:640]
