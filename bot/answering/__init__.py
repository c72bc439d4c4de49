"""Answering: question understanding, sentence selection, corroboration, premise checks and abstention.

A pure core over ranked passages; knows nothing of Discord, SQLite or the CLI.
"""

from .models import Answer, AnswerSentence, Citation, format_sources

__all__ = ["Answer", "AnswerSentence", "Citation", "format_sources"]
