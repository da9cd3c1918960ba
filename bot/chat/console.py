"""The local console: the same commands as in Telegram, over stdin and stdout.

`printf '/today\\n/actor Rubio\\n' | morgenlage chat` works in scripts; on a terminal there is
a prompt, and typing a button's number presses it.
"""

from __future__ import annotations

import contextlib
import sys
from typing import TextIO

from bot.chat.handlers import dispatch
from bot.chat.reply import Button, Chat, Reply, Services
from bot.inputs import BadInput, parse_number

CONSOLE_CHAT_ID = 0


def show(reply: Reply, chat: Chat, services: Services, out: TextIO) -> list[Button]:
    out.write(reply.render("text", chat.language, services.config.briefing.templates) + "\n")
    buttons = [button for row in reply.buttons for button in row]
    for number, button in enumerate(buttons, 1):
        out.write(f"  [{number}] {button.label}  ({button.command})\n")
    out.write("\n")
    out.flush()
    return buttons


def run_console(services: Services, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout) -> int:
    chat = Chat(chat_id=CONSOLE_CHAT_ID, language=services.config.briefing.language, is_admin=True)
    interactive = stdin.isatty()
    buttons: list[Button] = []
    if interactive:
        out.write("Morgenlage — /help zeigt alle Befehle, Strg-D beendet.\n\n")
    while True:
        if interactive:
            out.write("> ")
            out.flush()
        line = stdin.readline()
        if not line:
            return 0
        text = line.strip()
        if buttons and text.isdigit():  # a button's number; "²" and 5000 digits are text
            with contextlib.suppress(BadInput):
                text = buttons[parse_number(text, 1, len(buttons)) - 1].command
        if text in ("/quit", "/exit"):
            return 0
        for reply in dispatch(services, chat, text):
            buttons = show(reply, chat, services, out)
