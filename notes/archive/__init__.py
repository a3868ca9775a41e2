"""Your data: export (a Markdown vault, JSON), forgetting an owner, and the jobs behind them.

Every surface (the bot, ``manage.py chat``, commands, the admin) calls these services.
"""
