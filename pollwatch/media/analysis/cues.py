"""Cues both analyses of attributed speech use — the media monitor's claims (analysis.claims, analysis.pipeline)
and the verdict comparison (pollwatch.statements.compare): reporting verbs, and the negation that flips an
evaluative word. One list each, so that a verb or a negation added for one is known to both."""

from __future__ import annotations

import re

# The verbs of reported speech, English and Russian: "X said / found / criticised …", "X заявил / отметил …".
REPORTING = re.compile(
    r"\b(?:said|says|say|stated|states|state|noted|notes|note|declared|declares|concluded|concludes|conclude|found|"
    r"finds|find|told|tells|reported|reports|assessed|assesses|assess|believes?|believed|added|adds|stressed|stresses|"
    r"emphasi[sz]ed|emphasi[sz]es|underlined|underlines|claimed|claims|announced|criticized|criticised|criticises|"
    r"criticizes|criticise|criticize|praised|praises|praise|called|calls|call|described|describes|describe|"
    r"characteri[sz]ed|characteri[sz]es|labelled|labeled|termed|deemed|judged|considered|considers|consider|"
    r"recogni[sz]ed|recogni[sz]es|recogni[sz]e|acknowledged|acknowledges|confirmed|confirms|observed|observes|"
    r"recorded|records|registered|identified|documented|detected|pointed (?:to|out)|points (?:to|out)|highlighted|"
    r"highlights|welcomed|welcomes|welcome|commended|commends|hailed|hails|hail|slammed|slams|slam|deplored|"
    r"deplores|condemned|condemns|regretted|regrets|lamented|laments|warned|warns|expressed|expresses|voiced|"
    r"raised|gave|gives|rated|evaluated|insisted|maintained|argued|wrote|writes|explained|remarked|commented|"
    r"summed up|summarised|summarized|pronounced|dismissed|declined|refused|see|sees|saw|"
    r"заявил\w*|заявляют|заявляет|сказал\w*|отметил\w*|отмечают|отмечает|отмечается|сообщил\w*|"
    r"констатировал\w*|констатируют|подчеркнул\w*|признал\w*|признают|признает|оценил\w*|оценивают|оценивает|"
    r"считает|считают|указал\w*|выразил\w*|назвал\w*|называют|пришл\w* к выводу|говорится|зафиксировал\w*|"
    r"выявил\w*|не выявил\w*|резюмировал\w*|добавил\w*|пояснил\w*|охарактеризовал\w*|раскритиковал\w*|"
    r"похвалил\w*|приветствовал\w*|осудил\w*|высказал\w*|рассказал\w*|убедил\w*|наблюдал\w*)\b", re.I)

# A negation just before a cue flips it: up to three words between ("not entirely free", "no genuinely free").
NEGATION = re.compile(
    r"(?:\b(?:not|no|never|nor|neither|hardly|barely|without|lack of|lacked|lacking|absence of|failed to be|"
    r"cannot be|could not be|can't be|did not|does not|didn't|doesn't|wasn't|weren't|isn't|aren't)|n't|"
    r"\b(?:не|нет|ни|без))(?:\s+[\w'’-]+){0,3}\s+$", re.I)
