"""Your data in the bot: /export (a file or a signed link), /forget (confirmed twice), and
the retention of stored updates. Handlers and tasks over ``notes.archive``."""
