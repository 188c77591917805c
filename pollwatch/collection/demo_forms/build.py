"""Build the demo mission's XLSForms (``python -m pollwatch.collection.demo_forms.build``).

The .xlsx files are committed; this script is how they were made, so a change to a checklist is a reviewed diff
here rather than an opaque binary edit.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent

# The forms' languages, as XLSForm names them (``label::Русский (ru)``): ODK Collect and Enketo offer each, and
# pollwatch's web entry picks the one of the user's interface language. English is the default.
LANGUAGES = [("en", "English (en)"), ("ru", "Русский (ru)"), ("az", "Azərbaycanca (az)")]
# Russian and Azerbaijani labels of the English ones (terms of OSCE/ODIHR's observation forms in each language).
# Candidates', stations' and regions' names are data: they are not translated.
TRANSLATIONS: dict[str, tuple[str, str]] = {
    "Polling station code": ("Код избирательного участка", "Seçki məntəqəsinin kodu"),
    "Your observer code": ("Ваш код наблюдателя", "Müşahidəçi kodunuz"),
    "Time the station opened": ("Время открытия участка", "Məntəqənin açıldığı vaxt"),
    "Did the station open on time (08:00)?": ("Открылся ли участок вовремя (08:00)?",
                                              "Məntəqə vaxtında (08:00) açıldımı?"),
    "Were the ballot boxes empty and sealed?": ("Были ли ящики для голосования пустыми и опечатанными?",
                                                "Seçki qutuları boş və möhürlənmiş idimi?"),
    "Was the voter list present?": ("Был ли на участке список избирателей?", "Seçicilərin siyahısı yerində idimi?"),
    "Commission members present": ("Присутствующие члены комиссии", "İştirak edən komissiya üzvləri"),
    "Unauthorised persons present?": ("Присутствовали ли посторонние лица?", "Kənar şəxslər var idimi?"),
    "Comments": ("Комментарии", "Şərhlər"),
    "Voters in the station now": ("Избирателей на участке сейчас", "Hazırda məntəqədə olan seçicilər"),
    "Was the secrecy of the vote respected?": ("Соблюдалась ли тайна голосования?",
                                               "Səsvermənin gizliliyinə əməl olundumu?"),
    "Were voters' fingers checked for ink?": ("Проверялись ли пальцы избирателей на наличие краски?",
                                              "Seçicilərin barmaqları mürəkkəbə görə yoxlanıldımı?"),
    "Problems seen": ("Замеченные нарушения", "Müşahidə olunan pozuntular"),
    "Overall assessment of voting": ("Общая оценка голосования", "Səsverməyə ümumi qiymət"),
    "Were the seals of the ballot box intact when the count began?": (
        "Были ли пломбы ящика для голосования целы в начале подсчёта?",
        "Səslərin sayılması başlayanda seçki qutusunun möhürləri toxunulmamış idimi?"),
    "Registered voters": ("Зарегистрированные избиратели", "Qeydiyyatda olan seçicilər"),
    "Ballots cast": ("Бюллетени, поданные избирателями", "İstifadə olunmuş bülletenlər"),
    "Invalid ballots": ("Недействительные бюллетени", "Etibarsız bülletenlər"),
    "Was the protocol posted publicly?": ("Был ли протокол вывешен для всеобщего ознакомления?",
                                          "Protokol hamının görməsi üçün asıldımı?"),
    "Photo of the protocol": ("Фото протокола", "Protokolun şəkli"),
    "Category": ("Категория", "Kateqoriya"),
    "Severity": ("Серьёзность", "Ciddilik dərəcəsi"),
    "What happened?": ("Что произошло?", "Nə baş verdi?"),
    "Photo": ("Фото", "Şəkil"),
    "Yes": ("Да", "Bəli"),
    "No": ("Нет", "Xeyr"),
    "Carousel voting": ("Карусельное голосование", "Karusel səsverməsi"),
    "Family voting": ("Семейное голосование", "Ailəvi səsvermə"),
    "Ballot stuffing": ("Вброс бюллетеней", "Qutuya bülleten doldurulması"),
    "Pressure on voters": ("Давление на избирателей", "Seçicilərə təzyiq"),
    "Very good": ("Очень хорошо", "Çox yaxşı"),
    "Good": ("Хорошо", "Yaxşı"),
    "Bad": ("Плохо", "Pis"),
    "Very bad": ("Очень плохо", "Çox pis"),
    "Intimidation": ("Запугивание", "Hədə-qorxu"),
    "Violence": ("Насилие", "Zorakılıq"),
    "Observer obstructed": ("Воспрепятствование работе наблюдателя", "Müşahidəçinin işinə mane olunması"),
    "Other": ("Другое", "Digər"),
    "Low": ("Низкая", "Aşağı"),
    "Medium": ("Средняя", "Orta"),
    "High": ("Высокая", "Yüksək"),
}
VOTES_FOR = ("Votes for {name}", "Голоса за {name}", "{name} üçün verilən səslər")


def translated(label: str) -> list[str]:
    """``label`` in each of LANGUAGES (English first); a label with no translation is repeated as it is."""
    if not label:
        return ["", "", ""]
    if label.startswith("Votes for "):
        name = label[len("Votes for "):]
        return [template.format(name=name) for template in VOTES_FOR]
    return [label, *TRANSLATIONS.get(label, (label, label))]

YES_NO = [("yes_no", "yes", "Yes"), ("yes_no", "no", "No")]
STATION = [
    ("text", "station_code", "Polling station code", "yes", "", ""),
    ("text", "observer_code", "Your observer code", "no", "", ""),
]
META = [("start", "start", "", "", "", ""), ("end", "end", "", "", "", ""), ("deviceid", "deviceid", "", "", "", "")]

FORMS: dict[str, dict] = {
    "opening_checklist": {
        "title": "Opening checklist",
        "survey": [
            *META, *STATION,
            ("time", "opened_at", "Time the station opened", "yes", "", ""),
            ("select_one yes_no", "opened_on_time", "Did the station open on time (08:00)?", "yes", "", ""),
            ("select_one yes_no", "ballot_box_sealed", "Were the ballot boxes empty and sealed?", "yes", "", ""),
            ("select_one yes_no", "voter_list_present", "Was the voter list present?", "yes", "", ""),
            ("integer", "commission_members", "Commission members present", "yes", ". >= 0 and . <= 30", ""),
            ("select_one yes_no", "unauthorised_persons", "Unauthorised persons present?", "yes", "", ""),
            ("text", "comments", "Comments", "no", "", ""),
        ],
        "choices": YES_NO,
    },
    "election_day_checklist": {
        "title": "Election-day checklist",
        "survey": [
            *META, *STATION,
            ("integer", "voters_present", "Voters in the station now", "yes", ". >= 0", ""),
            ("select_one yes_no", "secrecy_respected", "Was the secrecy of the vote respected?", "yes", "", ""),
            ("select_one yes_no", "ink_checked", "Were voters' fingers checked for ink?", "yes", "", ""),
            ("select_multiple problems", "problems", "Problems seen", "no", "", ""),
            ("select_one assessment", "overall_assessment", "Overall assessment of voting", "yes", "", ""),
            ("text", "comments", "Comments", "no", "", ""),
        ],
        "choices": [
            *YES_NO,
            ("problems", "carousel", "Carousel voting"), ("problems", "family", "Family voting"),
            ("problems", "stuffing", "Ballot stuffing"), ("problems", "pressure", "Pressure on voters"),
            ("assessment", "very_good", "Very good"), ("assessment", "good", "Good"),
            ("assessment", "bad", "Bad"), ("assessment", "very_bad", "Very bad"),
        ],
    },
    "count_form": {
        "title": "Closing and count",
        "survey": [
            *META, *STATION,
            ("select_one yes_no", "ballot_box_sealed", "Were the seals of the ballot box intact when the count began?",
             "yes", "", ""),
            ("integer", "registered", "Registered voters", "yes", ". >= 0", ""),
            ("integer", "ballots_cast", "Ballots cast", "yes", ". >= 0", ""),
            ("integer", "invalid", "Invalid ballots", "yes", ". >= 0", ""),
            ("integer", "votes_mammadov", "Votes for Ilgar Mammadov", "yes", ". >= 0", ""),
            ("integer", "votes_aliyeva", "Votes for Leyla Aliyeva", "yes", ". >= 0", ""),
            ("select_one yes_no", "protocol_posted", "Was the protocol posted publicly?", "yes", "", ""),
            ("image", "protocol_photo", "Photo of the protocol", "no", "", ""),
        ],
        "choices": YES_NO,
    },
    "incident_report": {
        "title": "Incident report",
        "survey": [
            *META, *STATION,
            ("select_one category", "category", "Category", "yes", "", ""),
            ("select_one severity", "severity", "Severity", "yes", "", ""),
            ("text", "description", "What happened?", "yes", "", ""),
            ("image", "photo", "Photo", "no", "", ""),
        ],
        "choices": [
            ("category", "intimidation", "Intimidation"), ("category", "violence", "Violence"),
            ("category", "stuffing", "Ballot stuffing"), ("category", "obstruction", "Observer obstructed"),
            ("category", "other", "Other"),
            ("severity", "low", "Low"), ("severity", "medium", "Medium"), ("severity", "high", "High"),
        ],
    },
}


# SMS grammar of each form (issue: SMS reporting): the prefix of the settings sheet and each question's ``sms_tag``.
# A count form's ``votes_<ballot position>`` fields get ``VA``, ``VB``, … in ballot order. The incident form's tags
# start with I, as an Apollo card's would: the parser keeps them letters and still reads a typed ``1A``.
SMS: dict[str, tuple[str, dict[str, str]]] = {
    "opening_checklist": ("OP", {"opened_on_time": "AA", "ballot_box_sealed": "AB", "voter_list_present": "AC",
                                 "commission_members": "AD", "unauthorised_persons": "AE", "comments": "AF"}),
    "election_day_checklist": ("ED", {"voters_present": "BA", "secrecy_respected": "BB", "ink_checked": "BC",
                                      "problems": "BD", "overall_assessment": "BE", "comments": "BF"}),
    "count_form": ("CF", {"ballot_box_sealed": "CA", "registered": "CB", "ballots_cast": "CC", "invalid": "CD",
                          "protocol_posted": "CE"}),
    "incident_report": ("IN", {"category": "IA", "severity": "IB", "description": "IC"}),
}


def sms_tag(form_id: str, name: str) -> str:
    tags = SMS.get(form_id, ("", {}))[1]
    if name in tags:
        return tags[name]
    if form_id == "count_form" and name.startswith("votes_") and name[6:].isdigit() and 0 < int(name[6:]) <= 26:
        return "V" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[int(name[6:]) - 1]
    return ""


def ballot_count_form(candidates: list[tuple[int, str, str]]) -> dict:
    """The count form for a real ballot: one ``votes_<ballot position>`` field per candidate, in ballot order.

    The quick count reads these names (``pollwatch.pvt``), so a mission's count reports feed its estimate.
    """
    spec = dict(FORMS["count_form"])
    rows = [row for row in spec["survey"] if not row[1].startswith("votes_")]
    at = next(i for i, row in enumerate(rows) if row[1] == "invalid") + 1
    votes = [("integer", f"votes_{position}", f"Votes for {name}" + (f" ({party})" if party else ""), "yes",
              ". >= 0", "") for position, name, party in candidates]
    spec["survey"] = rows[:at] + votes + rows[at:]
    return spec


def xlsform_bytes(form_id: str, spec: dict, version: str = "2024020701") -> bytes:
    import io

    buffer = io.BytesIO()
    _workbook(form_id, spec, version).save(buffer)
    return buffer.getvalue()


def build(form_id: str, spec: dict, path: Path) -> None:
    _workbook(form_id, spec, "2024020701").save(path)


def _workbook(form_id: str, spec: dict, version: str) -> Workbook:
    wb = Workbook()
    survey = wb.active
    survey.title = "survey"
    labels = [f"label::{name}" for _, name in LANGUAGES]
    survey.append(["type", "name", *labels, "required", "constraint", "relevant", "sms_tag"])
    for kind, name, label, *rest in spec["survey"]:
        survey.append([kind, name, *translated(label), *rest, sms_tag(form_id, name)])
    choices = wb.create_sheet("choices")
    choices.append(["list_name", "name", *labels])
    for list_name, name, label in spec["choices"]:
        choices.append([list_name, name, *translated(label)])
    settings = wb.create_sheet("settings")
    settings.append(["form_id", "form_title", "version", "default_language", "sms_prefix"])
    settings.append([form_id, spec["title"], version, LANGUAGES[0][1], SMS.get(form_id, ("", {}))[0]])
    return wb


def main() -> None:
    for form_id, spec in FORMS.items():
        build(form_id, spec, HERE / f"{form_id}.xlsx")


if __name__ == "__main__":
    main()
