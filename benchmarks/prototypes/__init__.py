"""Prototypes of proposed performance fixes, measured against the current code (not used by the bot)."""
