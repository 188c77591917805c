"""Demo hook: the international mission's preliminary statement — findings bound to its election-day data, frozen
and published, in English and Russian — and the comparison with the other missions' verdicts in its news corpus
(the seeds among them). Called once from ``pollwatch demo`` (pollwatch/cli/demo.py)."""

from __future__ import annotations

from django.db import transaction

from pollwatch.statements import services
from pollwatch.statements.queries import comparison

SUMMARY = {
    "en": ("The early presidential election took place in a restrictive environment and lacked genuine political "
           "alternatives. Election day was marred by serious procedural irregularities: the mission's observers "
           "reported {{ incidents.count }} incidents, among them {{ incidents.ballot_stuffing.count }} cases of "
           "ballot stuffing and {{ incidents.carousel_voting.count }} of carousel voting."),
    "ru": ("Досрочные президентские выборы проходили в ограничительной среде и без реальной политической "
           "альтернативы. День голосования был омрачён серьёзными процедурными нарушениями: наблюдатели "
           "миссии сообщили о {{ incidents.count }} инцидентах, в том числе о {{ incidents.ballot_stuffing.count }} "
           "случаях вброса бюллетеней и {{ incidents.carousel_voting.count }} случаях «карусели»."),
}
FINDINGS = {
    "en": [
        ("campaign", "negative", "The campaign took place in a restrictive environment, with limited space for "
                                 "critical voices; observers reported {{ incidents.intimidation.count }} cases of "
                                 "intimidation."),
        ("voting", "negative", "Observers reported {{ incidents.ballot_stuffing.count }} cases of ballot stuffing, "
                               "{{ incidents.carousel_voting.count }} of carousel voting and "
                               "{{ incidents.secrecy_of_the_vote.count }} breaches of the secrecy of the vote in the "
                               "{{ stations.observed }} polling stations they visited."),
        ("voting", "negative", "The secrecy of the vote was not respected in "
                               "{{ checklist.secrecy_respected.no_of }} observed polling stations "
                               "({{ checklist.secrecy_respected.no_pct }})."),
        ("tabulation", "negative", "The official results show {{ forensics.integer_peaks.observed }} polling "
                                   "stations with a whole-number percentage of turnout or of the leader's share, "
                                   "where about {{ forensics.integer_peaks.expected }} would be expected, and "
                                   "{{ forensics.near_full_turnout.count }} stations reporting near-full turnout."),
        ("media", "negative", "The incumbent received {{ media.ilham_aliyev.share }} of the monitored coverage, "
                              "opposition parties {{ media.musavat.share }} (Musavat) and "
                              "{{ media.popular_front.share }} (Popular Front)."),
        ("voter_registration", "mixed", "Voter lists were generally available; observers reported "
                                        "{{ incidents.voter_list_problems.count }} problems with them."),
        ("observers", "negative", "Observers were obstructed in {{ incidents.obstruction_of_observers.count }} cases; "
                                  "the mission deployed {{ observers.deployed }} observers, who sent "
                                  "{{ reports.count }} reports."),
    ],
    "ru": [
        ("campaign", "negative", "Кампания проходила в ограничительной среде, пространство для критических голосов "
                                 "было ограничено; наблюдатели сообщили о {{ incidents.intimidation.count }} случаях "
                                 "запугивания."),
        ("voting", "negative", "Наблюдатели сообщили о {{ incidents.ballot_stuffing.count }} случаях вброса "
                               "бюллетеней, {{ incidents.carousel_voting.count }} случаях «карусели» и "
                               "{{ incidents.secrecy_of_the_vote.count }} нарушениях тайны голосования на "
                               "{{ stations.observed }} посещённых участках."),
        ("voting", "negative", "Тайна голосования не соблюдалась на {{ checklist.secrecy_respected.no_of }} "
                               "наблюдаемых участках ({{ checklist.secrecy_respected.no_pct }})."),
        ("tabulation", "negative", "Официальные итоги показывают {{ forensics.integer_peaks.observed }} участков с "
                                   "целым процентом явки или доли лидера при ожидаемых примерно "
                                   "{{ forensics.integer_peaks.expected }} и {{ forensics.near_full_turnout.count }} "
                                   "участков с явкой, близкой к 100 %."),
        ("media", "negative", "Действующий президент получил {{ media.ilham_aliyev.share }} освещения в "
                              "наблюдаемых СМИ, оппозиционные партии — {{ media.musavat.share }} (Мусават) и "
                              "{{ media.popular_front.share }} (Народный фронт)."),
        ("voter_registration", "mixed", "Списки избирателей в целом были доступны; наблюдатели сообщили о "
                                        "{{ incidents.voter_list_problems.count }} проблемах с ними."),
        ("observers", "negative", "Работе наблюдателей препятствовали в {{ incidents.obstruction_of_observers.count }} "
                                  "случаях; миссия развернула {{ observers.deployed }} наблюдателей, которые направили "
                                  "{{ reports.count }} отчётов."),
    ],
}
TITLES = {"en": "Statement of preliminary findings and conclusions",
          "ru": "Заявление о предварительных выводах и заключениях"}


def build_demo_statement(summary, *, base_url: str) -> dict[str, object]:
    """Findings, a frozen and published statement in English and Russian, and the comparison; URLs to print."""
    mission = next(m for m in summary.missions if m.kind == "international")
    out: dict[str, object] = {}
    with transaction.atomic():
        for language in ("en", "ru"):
            slug = "preliminary" if language == "en" else "preliminary-ru"
            st = services.do_create_statement(mission, slug=slug, title=TITLES[language], summary=SUMMARY[language],
                                              language=language)
            for section, assessment, text in FINDINGS[language]:
                services.check_add_finding(st, section=section, assessment=assessment, text=text)
            version = services.check_freeze_statement(st)
            services.do_publish_version(version)
            key = "" if language == "en" else f"_{language}"
            out[f"statement_url{key}"] = f"{base_url}/missions/{mission.slug}/statements/{slug}/"
            out[f"public_statement_url{key}"] = f"{base_url}/p/{mission.slug}/{slug}/"
            if language == "en":
                result = comparison(mission, st, version.content)
    out["comparison_url"] = f"{base_url}/missions/{mission.slug}/statements/compare/"
    out["comparison_contradictions"] = sum(r.relation == "contradict" for r in result.rows)
    return out
