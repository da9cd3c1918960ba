"""Chat: the bot's commands (transport-free) and the console and Telegram adapters."""

from bot.chat import filters, handlers, subscriptions  # noqa: F401  (importing registers the commands)
