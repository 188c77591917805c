"""Cross-mission comparison of election verdicts: a pure library (no Django), used by ``pollwatch compare``.

:mod:`documents` reads statements and press reports (the media corpus readers: text, HTML, CSV, PDF, URL
lists), :mod:`missions` finds the missions and their heads of mission in a text, :mod:`lexicon` holds the
evaluative cues and topics, :mod:`extract` finds each mission's verdict claims (direct and reported speech),
and :mod:`align` lines verdicts up by topic: agreements, contradictions and the evidence each cites.
"""
