"""The words of a verdict: evaluative cues with their polarity, the frames that cancel them, and the topics.

A *cue* is an evaluative phrase ("free and fair", "restrictive environment", "без серьёзных нарушений") with a
polarity and the topics it speaks to by itself. Cues only count outside *frames* that make them something other
than a finding: a purpose ("to assess whether the vote is free"), a recommendation ("urged the authorities to
address shortcomings"), a future or a question. A negation just before a cue flips it ("not free", "no serious
violations"). Topics are the sections of an ODIHR statement plus ``overall``, ``national law`` and
``international standards``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pollwatch.media.analysis import cues

LEGAL = "legal framework"
ADMIN = "election administration"
VOTER_REG = "voter registration"
CANDIDATE_REG = "candidate registration"
CAMPAIGN = "campaign environment and fundamental freedoms"
MEDIA = "media"
COMPLAINTS = "complaints and appeals"
OPENING = "election day: opening"
VOTING = "election day: voting"
COUNTING = "election day: counting"
TABULATION = "election day: tabulation"
PARTICIPATION = "participation of women and minorities"
OBSERVERS = "citizen and international observers"
OVERALL = "overall"
NATIONAL_LAW = "national law"
INTERNATIONAL = "international standards"

TOPICS = (OVERALL, NATIONAL_LAW, INTERNATIONAL, LEGAL, ADMIN, VOTER_REG, CANDIDATE_REG, CAMPAIGN, MEDIA, COMPLAINTS,
          OPENING, VOTING, COUNTING, TABULATION, PARTICIPATION, OBSERVERS)


@dataclass(frozen=True)
class Cue:
    pattern: re.Pattern[str]
    polarity: int  # +1 positive, -1 negative
    topics: tuple[str, ...] = ()
    general: bool = False  # a verdict on the election as a whole when its subject is the election
    weak: bool = False  # "minor/technical violations": cancelled by "did not affect the outcome"
    negatable: bool = True


def _cue(regex: str, polarity: int, *topics: str, general: bool = False, weak: bool = False,
         negatable: bool = True) -> Cue:
    return Cue(re.compile(rf"(?<![\w-])(?:{regex})(?![\w])", re.I), polarity, topics, general, weak, negatable)


RU = r"[а-яё]*"  # any Russian ending

CUES: tuple[Cue, ...] = (
    # --- overall verdicts, positive
    _cue(r"free,? (?:and|&) fair|free and democratic|free,? fair and (?:transparent|democratic)", 1, general=True),
    _cue(r"(?:free|fair|democratic|transparent|open and transparent|competitive|credible|legitimate|genuine|"
         r"pluralis(?:tic|t)|honest|valid|inclusive)", 1, general=True),
    _cue(r"(?:in (?:full |strict )?(?:compliance|conformity|accordance|line|keeping) with|compl(?:ied|ies|y|iant) with|"
         r"(?:met|meets|meeting) (?:most |the |all )?|consistent with|(?:respected|respecting) (?:the )?|(?:corresponded|corresponds) to|"
         r"in harmony with)\s+(?:[\w’'-]+ ){0,5}?(?:standards?|norms?|commitments|obligations|legislation|laws?|"
         r"requirements|electoral code|constitution|principles)", 1, general=True),
    _cue(r"(?:important|significant|major|big) step (?:forward|towards)|step forward|progress|improve(?:d|ment|ments)|"
         r"a success|successful(?:ly)?|exemplary|high level|(?:at|on) a high (?:organi[sz]ational )?level|"
         r"(?:highly )?professional(?:ly|ism)?|a festive event|festive|"
         r"(?:free )?expression of (?:the )?(?:people'?s? )?will|respected (?:fundamental )?(?:freedoms|rights)|"
         r"offered (?:voters )?(?:a )?(?:genuine |real )?choice|genuine choice|real choice|level playing field|"
         r"(?:gave|gives|give) (?:a |its )?(?:positive|high) assessment|positive(?:ly)? (?:assessment|assessed|evaluated)|"
         r"assessed (?:\w+ ){0,3}positively|(?:no|nothing) (?:grounds|reason) to (?:question|doubt)", 1, general=True),
    # --- positive, specific
    _cue(r"well[- ](?:organi[sz]ed|administered|run|managed|prepared|conducted)|efficient(?:ly)?|impartial(?:ly)?|"
         r"(?:organi[sz]ed|administered|managed|run|conducted) (?:\w+ )?(?:well|efficiently|"
         r"professionally|smoothly|competently|transparently)", 1, ADMIN),
    _cue(r"calm(?:ly)?|orderly|order(?:ly)? manner|smooth(?:ly)?|dignified|without (?:any )?(?:major |serious |significant )?"
         r"(?:incidents?|disruptions?)|peaceful(?:ly)?", 1, VOTING),
    _cue(r"no (?:serious |major |significant |systemic |gross |grave )?(?:violations|irregularities|shortcomings|incidents)|"
         r"without (?:any )?(?:serious |major |significant |systemic |gross |grave )?(?:violations|irregularities|shortcomings)|"
         r"(?:did|had|has|have|were|was) not (?:\w+ )?(?:record|register|observ|find|found|detect|identif|note|see|seen)\w* (?:any )?(?:serious |major |significant |systemic |"
         r"gross |grave )?(?:violations|irregularities|shortcomings)", 1, general=True, negatable=False),
    _cue(r"(?:did|do|does|could|would) not (?:affect|influence|impact|change|alter)|"
         r"(?:no|without) (?:impact|influence|effect) on", 1, general=True, negatable=False),
    _cue(r"(?:praised|praises|praise|commended|commends|hailed|hails|welcomed|welcomes|lauded|applauded)", 1),
    # --- overall verdicts, negative
    _cue(r"unfair|undemocratic|not democratic|illegitimate|"
         r"sham|farce|travesty|imitation of (?:an? )?elections?|rigged", -1, general=True, negatable=False),
    _cue(r"restrictive|(?:tightly |heavily )?controlled environment|restricted|restrictions?|"
         r"(?:lack|lacked|lacking|lacks|absence|absent) (?:of )?(?:\w+ ){0,2}?(?:genuine |real |meaningful |political )?"
         r"(?:choice|competition|alternatives?|pluralism|opposition|debate|independence|impartiality|transparency|"
         r"trust|confidence|engagement|level playing field)|"
         r"(?:no|without) (?:genuine |real |meaningful )(?:choice|competition|alternatives?|opposition)|"
         r"(?:unlevel|uneven|not level|tilted) playing field|inequalit(?:y|ies)|imbalance", -1, CAMPAIGN, general=True,
         negatable=False),
    _cue(r"marred|tainted|overshadowed|flawed|undermin(?:ed|es|ing)|compromised|(?:fell|falls|fall) (?:well |far )?short|"
         r"(?:did|do|does) not (?:fully )?(?:meet|comply|respect|correspond|live up)|"
         r"not (?:in line|in compliance|in accordance|consistent) with|failed to (?:meet|respect|ensure|provide|guarantee)|"
         r"(?:serious|significant|major|grave|numerous|widespread|systemic|systematic|gross|fundamental) "
         r"(?:(?:procedural |legal )?(?:violations|irregularities|shortcomings|problems|flaws|concerns|deficiencies|breaches))|"
         r"problems?|shortcomings|deficiencies|flaws|concerns?|concerned|worrying|alarming|regrett(?:ed|able|ably)|"
         r"(?:(?:procedural )?(?:violations|irregularities|breaches)(?: of)?)|problematic|negative(?:ly)?", -1, general=True),
    _cue(r"(?:minor|isolated|individual|technical|insignificant|some) (?:(?:procedural |technical )?(?:violations|"
         r"irregularities|shortcomings|problems|deficiencies|errors))", -1, weak=True, negatable=False),
    _cue(r"fraud|falsification|ballot[- ]stuffing|stuffed|carousel(?: voting)?|multiple voting|vote[- ]buying|"
         r"(?:group|family|proxy|open) voting|secrecy of (?:the )?(?:vote|ballot) (?:was )?(?:not|often not|frequently not)|"
         r"(?:violations|breaches) of (?:the )?secrecy|identical signatures", -1, VOTING, negatable=False),
    _cue(r"pressure|intimidat(?:ion|ed|ing)|harass(?:ment|ed)|coercion|coerced|misuse of (?:administrative |state )?resources|"
         r"administrative resources|blurr(?:ed|ing) (?:of )?(?:the )?(?:line|distinction)|repression|crackdown|arrests?|"
         r"detentions?|persecution|hostile", -1, CAMPAIGN, negatable=False),
    _cue(r"(?:criticised|criticized|criticises|criticizes|criticise|criticize|slammed|slams|deplored|deplores|"
         r"condemned|condemns|regretted|regrets|lamented|laments|(?:expressed|voiced|raised) (?:\w+ ){0,2}concerns?)", -1),
    _cue(r"(?:do|does|did) not reflect (?:the )?(?:\w+ )?will|not (?:real |genuine |proper )?elections|irregular|"
         r"not (?:an? )?(?:genuine|real) (?:elections?|choice|contest)", -1, general=True, negatable=False),
    _cue(r"reflect(?:s|ed)? the (?:\w+ )?will of (?:the )?(?:\w+ )?(?:people|voters|electorate)|"
         r"(?:increased|improved|enhanced|ensured|guaranteed|strengthened) (?:the )?(?:\w+ )?(?:transparency|trust|"
         r"confidence|integrity)|vibrant|important step", 1, general=True, negatable=False),
    _cue(r"(?:offered|provided|gave|had|with)(?: \w+){0,3} (?:a )?(?:wide|broad|genuine|real|meaningful|diverse)"
         r"(?: \w+){0,3} (?:choice|alternatives|options)", 1, "campaign environment and fundamental freedoms",
         general=True),
    _cue(r"(?:rights|freedoms?)(?: [\w,]+){0,4} (?:were|was|are|is|had been|have been) (?:\w+ )?respected|freely",
         1, "campaign environment and fundamental freedoms", general=True),
    _cue(r"(?:made|making|rendered|render) (?:\w+ ){0,4}(?:impossible|meaningless|ineffective)|practically impossible|"
         r"impossible to (?:observe|verify|monitor|check)", -1, general=True, negatable=False),
    _cue(r"without (?:proper|due|adequate|meaningful|any) (?:examination|consideration|investigation|review)|"
         r"(?:dismissed|rejected) on (?:formal|technical) grounds|"
         r"(?:not|never) (?:properly |effectively |adequately |promptly )?(?:investigated|examined|addressed|considered)",
         -1, "complaints and appeals", negatable=False),
    _cue(r"under-?represent(?:ed|ation)", -1, "participation of women and minorities", negatable=False),
    _cue(r"denied access|(?:were|was|been) (?:\w+ )?expelled|obstruct(?:ed|ion|ing)|prevented from (?:observing|"
         r"monitoring|entering)|not (?:been )?(?:allowed|admitted|permitted) (?:in|into|to|inside)",
         -1, "citizen and international observers", negatable=False),
    _cue(r"room for improvement|requir(?:e|es|ed) (?:further )?improvement|need(?:s|ed)? (?:further )?improvement|"
         r"further (?:efforts|improvements?) (?:are|is|were|was) (?:needed|required)", -1, negatable=False),
    # --- Russian
    _cue(rf"свободн{RU}|честн{RU}|прозрачн{RU}|демократичн{RU}|конкурентн{RU}|легитимн{RU}|"
         rf"альтернативн{RU}|состоявшимися|действительными|открыт(?:о|ы|ым|ыми|ой|ая|ое|ые|ых|ость|ости|остью)",
         1, general=True),
    _cue(rf"(?:в (?:полном |строгом )?)?(?:соответстви{RU}|соответствовал{RU}|соответствуют|соответствует|отвечал{RU}|"
         rf"отвечают|отвечает)(?: [а-яё]+){{0,5}}? (?:норм{RU}|стандарт{RU}|законодательств{RU}|закон{RU}|"
         rf"требовани{RU}|принцип{RU}|обязательств{RU}|кодекс{RU}|конституци{RU})", 1, general=True),
    _cue(rf"организованн{RU}|на высоком (?:организационном )?уровне|профессиональн{RU}|четк{RU}|чётк{RU}|слаженн{RU}", 1, ADMIN),
    _cue(rf"спокойн{RU}|достойн{RU}|праздничн{RU}|мирно|мирн(?:ой|ая) (?:обстановк|атмосфер){RU}|без (?:каких-либо |серь[её]зных |существенных |грубых )?"
         rf"(?:инцидент{RU}|эксцесс{RU})", 1, VOTING),
    _cue(rf"успешн{RU}|свободн{RU} волеизъявлени{RU}|волеизъявлени{RU}|шаг вперед|шаг вперёд|положительн{RU} оцен{RU}|"
         rf"высоко оценил{RU}|позитивн{RU}", 1, general=True),
    _cue(rf"нарушени{RU}[^.]{{0,140}}?не (?:выявил|выявлен|зафиксировал|зафиксирован|обнаружил|обнаружен|отмечен|было){RU}",
         1, general=True, negatable=False),
    _cue(rf"(?:без|не выявил{RU}|не выявлено|не зафиксировал{RU}|не зафиксировано|не отмечено|не обнаружил{RU}|"
         rf"не было|отсутстви{RU}) (?:каких-либо |никаких |серь[её]зных |существенных |грубых |системн{RU} )*"
         rf"(?:нарушени{RU}|недостатк{RU}|проблем{RU})|не повлиял{RU}|не могли (?:бы )?повлиять|не влия{RU}",
         1, general=True, negatable=False),
    _cue(rf"нарушени{RU}|фальсификаци{RU}|вброс{RU}|карусел{RU}|давлени{RU}|ограничени{RU}|ограничительн{RU}|"
         rf"недостатк{RU}|проблем{RU}|несвободн{RU}|нечестн{RU}|недемократичн{RU}|нелегитимн{RU}|"
         rf"(?:отсутстви{RU}|не было) (?:реальн{RU} |подлинн{RU} )?(?:конкуренци{RU}|альтернатив{RU}|выбор{RU})|"
         rf"обеспокоенност{RU}|озабоченност{RU}|критик{RU}|запугивани{RU}|преследовани{RU}|"
         rf"не соответствовал{RU}|не отвечал{RU}", -1, general=True),
)

NEGATION = cues.NEGATION  # shared with the media monitor's stance rule (pollwatch.media.analysis.cues)

# Frames in which an evaluative word is not a finding. Purposes, calls and futures reach over their whole clause
# ("will assess whether the elections are conducted in line with OSCE commitments and … democratic elections").
FRAME_LONG = re.compile(
    r"\b(?:whether|will (?:assess|evaluate|observe|monitor|examine)|to (?:assess|evaluate|observe|monitor|ensure|"
    r"guarantee)|aim(?:s|ed)? (?:at|to)|call(?:s|ed|ing)? (?:on|for|upon)|urg(?:e|es|ed|ing)|recommend(?:s|ed|ing)?|"
    r"encourag(?:e|es|ed|ing)|чтобы|призвал\w*|рекомендова\w*|оценит)"
    r"(?:(?!\b(?:but|however|although|though|yet|whereas|но|однако)\b)[^.;!?]){0,200}$", re.I)
FRAME = re.compile(
    r"\b(?:whether|if|to (?:assess|evaluate|ensure|guarantee|observe|monitor|verify|see|determine|judge|make sure|"
    r"secure|address|investigate|remedy|prevent|avoid|improve|strengthen|bring|align|create|provide|enable)|"
    r"in order to|aim(?:s|ed)? (?:at|to)|call(?:s|ed)? (?:on|for|upon)|urg(?:e|es|ed|ing)|recommend(?:s|ed|ing)?|"
    r"encourag(?:e|es|ed|ing)|should|must|ought to|need(?:s|ed)? to|would (?:help|be|need|have)|will (?:be|assess|"
    r"publish|present|evaluate|observe)|hope(?:s|d)? (?:that|for)|expect(?:s|ed)?|wish(?:es|ed)?|"
    r"alleg(?:ed|ations?|edly)|accus(?:ed|ations?|ing)|claims? of|rumou?rs|potential|possible|risk of|"
    r"invitation|invited|accredit\w*|"
    r"чтобы|призвал\w*|рекомендова\w*|рекомендаци\w*|следует|должн\w*|необходимо|будет|будут|ли\b)"
    r"(?:\s+[\w'’-]+){0,6}\s+$", re.I)

# Things an election verdict is about; a clause with a cue but none of these (and no cue that is a verdict on
# its own) is about something else ("warm hospitality", "a meaningful conversation").
ELECTION_TARGET = re.compile(
    r"\b(?:elections?|electoral|vote|votes|voting|voters?|polls?|polling|ballots?|campaign\w*|candidates?|count(?:ing|s)?|"
    r"pluralism|competition|opposition|alternatives|freedoms|results|violations|irregularities|нарушени\w*|"
    r"tabulation|turnout|commissions?|CEC|referendum|plebiscite|process|administration|registration|media|"
    r"legislation|legal framework|election day|observers|выбор\w*|голосовани\w*|избират\w*|кампани\w*|кандидат\w*|"
    r"подсч[её]т\w*|бюллетен\w*|участк\w*|комисси\w*|референдум\w*|явк\w*|процесс\w*|волеизъявлени\w*)\b", re.I)
# What an evaluative verb ("praised", "criticised") must have as its object to be a verdict on the election.
VERB_OBJECT = re.compile(
    r"\b(?:elections?|electoral|vote|voting|polls?|polling|ballots?|campaign\w*|count(?:ing)?|tabulation|conduct|"
    r"organi[sz]ation|administration|process|commissions?|CEC|referendum|registration|media|legislation|"
    r"выбор\w*|голосовани\w*|избират\w*|кампани\w*|организаци\w*|проведени\w*|подсч[её]т\w*)\b", re.I)
# Cues that are verdicts on an election by themselves.
INHERENT = re.compile(
    r"free,? (?:and|&) fair|expression of (?:the )?(?:people'?s? )?will|genuine choice|real choice|restrictive environment|"
    r"level playing field|ballot[- ]stuffing|carousel|vote[- ]buying|волеизъявлени\w*", re.I)
# "The election/vote was ...": the subject is the election as a whole.
ELECTION_AS_WHOLE = re.compile(
    r"\b(?:the |this |these |Sunday'?s |(?:the )?(?:presidential|parliamentary|general|local|municipal|snap|early|"
    r"extraordinary|legislative|national) )*(?:elections?|vote|polls?|electoral process|election process|referendum|"
    r"ballot|plebiscite)\b|\b(?:выбор\w*|голосовани\w*|референдум\w*|избирательн\w+ (?:кампани|процесс)\w*)", re.I)

# Objects after an evaluative verb that are not the election ("welcomed the invitation").
NOT_ELECTION_OBJECT = re.compile(
    r"^\s*(?:the |its |their |his |her )?(?:\w+ )?(?:invitation|hospitality|cooperation|co-operation|opportunity|"
    r"decision to invite|support|meeting|efforts of the host|warm welcome|reception|commitment to invite)", re.I)

TOPIC_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple((topic, re.compile(regex, re.I)) for topic, regex in (
    (NATIONAL_LAW, r"\b(?:compl\w+|conform\w*|accordance|line|keeping|consistent|respect\w*|correspond\w*|met|meet\w*|"
                   r"harmony|requirements of|violat\w*|breach\w*) (?:with |of |to )?(?:the )?(?:(?!international)[\w’'-]+ ){0,3}?"
                   r"(?:(?:national|domestic|country'?s|electoral|Azerbaijani|Russian|Belarusian|Kazakh|Uzbek|Kyrgyz|"
                   r"Tajik|Turkmen|Georgian|Armenian|Moldovan|Ukrainian|Serbian) )?(?:legislation|laws?|electoral code|"
                   r"election code|constitution)\b|"
                   r"национальн\w+ (?:законодательств|избирательн)\w*|законодательств\w+|закон\w* (?:о выборах|страны|"
                   r"республики)|избирательн\w+ кодекс\w*|конституци\w+"),
    (INTERNATIONAL, r"\binternational(?:ly)? (?:\w+ ){0,2}(?:standards|norms|commitments|obligations|principles|"
                    r"good practice|practice)|OSCE commitments|democratic (?:standards|norms|principles|commitments)|"
                    r"(?:standards|commitments|obligations) for democratic elections|"
                    r"Council of Europe (?:standards|commitments)|"
                    r"международн\w+ (?:[а-яё]+ ){0,2}(?:стандарт|норм|обязательств|принцип)\w*|"
                    r"общепризнанн\w+ (?:[а-яё]+ )?(?:норм|стандарт|принцип)\w*|демократическ\w+ (?:стандарт|норм)\w*"),
    (LEGAL, r"\blegal framework|electoral (?:law|legislation|code)|election (?:law|code)|(?:the )?legislation|"
            r"legal (?:basis|provisions|amendments)|amendments|constitutional|правов\w+ (?:баз|основ)\w*|"
            r"законодательн\w+ (?:баз|основ)\w*"),
    (ADMIN, r"\belection administration|election (?:commissions?|officials|authorities|administrators|management)|"
            r"electoral (?:commissions?|authorities|bodies|administration)|(?:Central|District|Territorial) Election "
            r"Commission|\bCEC\b|commission members|polling (?:station )?(?:staff|officials|commissions)|"
            r"well[- ](?:organi[sz]ed|administered|run|managed|prepared)|(?:organi[sz]ation|administration|conduct) of "
            r"(?:the )?(?:\w+ )?(?:elections?|vote|voting|polls?|referendum)|(?:efficiently|professionally|smoothly|"
            r"poorly|badly|adequately) (?:organi[sz]ed|administered|managed|run|prepared)|administered|"
            r"избирательн\w+ комисси\w*|ЦИК|организаци\w+ (?:выбор|голосовани)\w*|организован\w*"),
    (VOTER_REG, r"\bvoter (?:lists?|registers?|registration|rolls)|registration of voters|voters' lists|"
                r"списк\w+ избирател\w*|регистраци\w+ избирател\w*"),
    (CANDIDATE_REG, r"\bcandidate registration|registration of (?:candidates|parties|lists)|(?:de)?registered candidates|"
                    r"(?:denied|refused) registration|barred from (?:running|standing|the race)|disqualif\w+|"
                    r"ballot access|excluded from the (?:race|ballot)|регистраци\w+ кандидат\w*|"
                    r"(?:отказ\w*|снят\w*) (?:в )?регистраци\w*"),
    (CAMPAIGN, r"\bcampaign\w*|fundamental (?:freedoms|rights)|freedom(?:s)? of (?:assembly|expression|association|"
               r"speech)|political (?:alternatives?|pluralism|competition|space|opposition)|genuine (?:choice|competition)|"
               r"competiti\w+|opposition|level playing field|restrictive environment|administrative resources|"
               r"pressure on|intimidat\w+|civil society|environment|агитац\w*|кампани\w*|основн\w+ свобод\w*|"
               r"свобод\w+ (?:собрани|слова|выражени|ассоциаци)\w*|конкурент\w*|альтернатив\w*|оппозици\w*"),
    (MEDIA, r"\bmedia|press freedom|journalists?|coverage|broadcast\w*|television|\bTV\b|airtime|outlets|"
            r"\bСМИ\b|журналист\w*|освещени\w*|телевидени\w*|медиа\w*|средств\w+ массовой информации"),
    (COMPLAINTS, r"\bcomplaints?|appeals?|dispute resolution|judicial (?:review|redress)|courts? (?:rejected|dismissed|"
                 r"upheld)|remedy|remedies|жалоб\w*|обращени\w+ (?:граждан|избирател)\w*|апелляц\w*|обжалова\w*"),
    (OPENING, r"\bopening (?:of (?:the )?polling stations|procedures)|polling stations opened|opened on time|"
              r"открыти\w+ (?:избирательн\w+ )?участк\w*"),
    (VOTING, r"\belection day|voting (?:process|day|procedures)?|polling (?:day|stations?)|ballot[- ]stuffing|"
             r"carousel|multiple voting|secrecy of (?:the )?(?:vote|ballot)|group voting|family voting|proxy voting|"
             r"cast (?:their|a) ballots?|queues|день голосования|голосовани\w*|тайн\w+ голосовани\w*|вброс\w*|"
             r"избирательн\w+ участк\w*"),
    (COUNTING, r"\bcount(?:ing)?\b|vote count|counting (?:process|procedures)|recount|подсч[её]т\w*"),
    (TABULATION, r"\btabulation|aggregation of results|results (?:transmission|protocols)|result protocols|"
                 r"announcement of (?:the )?results|подведени\w+ итогов|суммировани\w*|табулировани\w*"),
    (PARTICIPATION, r"\bwomen|gender|minorit(?:y|ies)|persons with disabilities|Roma|ethnic|женщин\w*|меньшинств\w*"),
    (OBSERVERS, r"\b(?:citizen|domestic|non-partisan|independent|party|international) observers|observer groups|"
                r"(?:access|accreditation) (?:for|of) (?:\w+ )?observers|observers (?:were|had been) (?:\w+ )?"
                r"(?:restricted|denied|expelled|obstructed|limited|prevented|allowed|able)|наблюдател\w+ (?:от|были)"),
))

# Figures a verdict may cite: percentages, "41 of 523", "in one in five polling stations", counts of things.
FIGURE = re.compile(
    r"\b\d[\d,.\s]*\d?\s?(?:%|per ?cent|percent|процент\w*)|"
    r"\b\d[\d,]*\s+(?:of|out of|из)\s+(?:the\s+)?\d[\d,]*\b|"
    r"\b(?:one|two|three) in (?:every )?(?:three|four|five|six|seven|eight|nine|ten|\d+)\b|"
    r"\b\d[\d,.]*\s+(?:(?:observed |visited |monitored )?polling stations|precincts|stations|cases|instances|"
    r"complaints|incidents|violations|irregularities|counts|ballots|voters|protocols|observers|"
    r"избирательн\w+ участк\w*|участк\w*|нарушени\w*|жалоб\w*|наблюдател\w*)\b", re.I)
OBSERVER_COUNT = re.compile(
    r"\b(?:some |about |around |over |more than |nearly |almost |up to )?(\d[\d,.\s]*\d|\d)\s+(?:\w+\s+){0,3}?"
    r"(?:observers|monitors|наблюдател\w*)\b", re.I)
STATION_COUNT = re.compile(
    r"\b(?:some |about |around |over |more than |nearly |almost |up to )?(\d[\d,.\s]*\d|\d)\s+(?:\w+\s+){0,2}?"
    r"(?:polling stations|precincts|избирательн\w+ участк\w*|участк\w*)\b", re.I)
YEAR = re.compile(r"^(?:19|20)\d\d$")
