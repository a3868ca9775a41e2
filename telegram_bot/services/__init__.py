"""Services of the bot: updates, conversations, owners, and the glue between the
note pipeline and Telegram. Import from the module that owns the behaviour."""
