"""Automatic media-monitoring analysis: a pure library (no Django), used by ``pollwatch media analyze``.

Layers: :mod:`corpus` reads files into :class:`~.corpus.Item`, :mod:`actors` finds actor mentions,
:mod:`tone` proposes a tone per actor (taggers declared in :mod:`base`), :mod:`loaded` flags loaded
wording, :mod:`claims` extracts attributed claims and contradictions, :mod:`agreement` measures
inter-coder agreement, and :mod:`pipeline` ties them together.
"""
