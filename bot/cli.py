"""The `morgenlage` command: parse arguments, call the stages. Nothing else lives here."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import threading
from pathlib import Path

from bot.config import TOKEN_ENV, Config, ConfigError, load_config
from bot.inputs import BadInput, parse_day
from bot.logs import describe_error, masked_traceback, redact, setup_logging


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="morgenlage", description="The day's news as a short, trustworthy briefing."
    )
    parser.add_argument("--config", metavar="PATH", help="TOML config (or $MORGENLAGE_CONFIG)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    collect = sub.add_parser("collect", help="ingest and analyse new articles")
    collect.add_argument("paths", nargs="*", type=Path, help="extra files or folders")

    brief = sub.add_parser("brief", help="print a day's briefing")
    brief.add_argument("--date", type=_date, help="YYYY-MM-DD (default: the newest day)")
    brief.add_argument("--format", choices=("telegram", "text"), default="text")

    actor = sub.add_parser("actor", help="print an actor's dossier")
    actor.add_argument("name", nargs="+")
    actor.add_argument("--format", choices=("telegram", "text"), default="text")

    analyse = sub.add_parser("analyse", help="analyse files without storing them")
    analyse.add_argument("paths", nargs="+", type=Path)
    analyse.add_argument("--json", action="store_true", help="print JSON (the default output)")

    sub.add_parser("chat", help="the local console: type the bot's commands")
    sub.add_parser("deliver", help="send the briefings that are due now, once")
    run = sub.add_parser("run", help="collect, then run the bot (the console without a token)")
    run.add_argument(
        "--jobs",
        type=_jobs,
        default="collect,deliver",
        help="the scheduled jobs this process runs: collect,deliver (default), one of them, or "
        "none (a bot front end beside a worker)",
    )
    worker = sub.add_parser("worker", help="run the scheduled jobs only, without Telegram updates")
    worker.add_argument("--jobs", type=_jobs, default="collect,deliver", help="as for run")

    sources = sub.add_parser("sources", help="list the sources and their health; manage feeds")
    actions = sources.add_subparsers(dest="action", metavar="ACTION")
    add = actions.add_parser("add", help="collect a feed (or a site: its feed is found)")
    add.add_argument("urls", nargs="*", metavar="URL")
    add.add_argument("--preset", metavar="NAME", help="add a shipped feed list, e.g. de")
    remove = actions.add_parser("remove", help="stop collecting a feed (its articles stay)")
    remove.add_argument("urls", nargs="+", metavar="URL")
    opml = actions.add_parser("import", help="add the feeds of an OPML file")
    opml.add_argument("file", type=Path, metavar="FILE.opml")
    actions.add_parser("export", help="print the feeds as OPML")
    actions.add_parser("presets", help="list the shipped feed lists (add one with --preset)")
    return parser


def _date(value: str) -> dt.date:
    try:
        return parse_day(value)
    except BadInput as error:
        raise argparse.ArgumentTypeError(error.message("en")) from None


def _jobs(value: str) -> tuple[str, ...]:
    from bot.schedule import JOBS

    names = tuple(n.strip() for n in value.split(",") if n.strip() and n.strip() != "none")
    unknown = [n for n in names if n not in JOBS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown job {unknown[0]!r} (jobs: {', '.join(JOBS)})")
    return names


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    setup_logging(args.verbose, [os.environ.get(TOKEN_ENV, "")])
    config = None
    try:
        config = load_config(args.config)
        setup_logging(args.verbose, [config.telegram.token, config.telegram.webhook_secret])
        return COMMANDS[args.command](config, args)
    except ConfigError as error:
        print(f"morgenlage: config error: {redact(str(error))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `morgenlage brief | head`: the reader has seen enough
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps Python's exit flush quiet
        return 0
    except Exception as error:  # the one place an error reaches stderr: one redacted line
        if args.verbose:
            print(masked_traceback(error), file=sys.stderr, end="")
        bot_api = config.telegram.base_url if config else ""
        print(f"morgenlage: {describe_error(error, bot_api)}", file=sys.stderr)
        return 1


def _services(config: Config, collector: bool = False, page_cache_kib: int | None = None):
    """The services; `collector`: collections run in a process of their own (the running bot
    and worker, so the model never competes with the event loop for the interpreter);
    `page_cache_kib`: a SQLite connection's page cache, if not the bot's."""
    from bot.chat.reply import Services
    from bot.jobs import CollectProcess
    from bot.store import open_store
    from bot.store.db import PAGE_CACHE_KIB

    store = open_store(config.store.resolved_url(), page_cache_kib or PAGE_CACHE_KIB)
    return Services(store, config, collector=CollectProcess() if collector else None)


def cmd_collect(config: Config, args) -> int:
    from bot.jobs import collect
    from bot.store.db import COLLECT_PAGE_CACHE_KIB

    services = _services(config, page_cache_kib=COLLECT_PAGE_CACHE_KIB)
    report = collect(services.store, config, extra_paths=args.paths)
    print(report.summary())
    return 0


def cmd_brief(config: Config, args) -> int:
    from bot.brief.window import day_window
    from bot.chat.handlers import briefing_reply
    from bot.chat.reply import Chat
    from bot.store.articles import latest_day

    services = _services(config)
    day = args.date
    if day is None:
        with services.store.session() as session:
            day = latest_day(session, config.zone) or services.today()
    chat = Chat(chat_id=0, language=config.briefing.language)
    reply = briefing_reply(services, chat, day_window(day, config.briefing.timezone))
    print(reply.render(args.format, config.briefing.language, config.briefing.templates))
    return 0


def cmd_actor(config: Config, args) -> int:
    from bot.chat.handlers import actor
    from bot.chat.reply import Chat

    services = _services(config)
    chat = Chat(chat_id=0, language=config.briefing.language)
    reply = actor(services, chat, " ".join(args.name))
    print(reply.render(args.format, config.briefing.language, config.briefing.templates))
    for row in reply.buttons:
        for button in row:
            print(f"  → {button.label}  ({button.command})")
    return 0


def cmd_analyse(config: Config, args) -> int:
    from bot.analyse.analyser import Analyser, NotAnalysed
    from bot.collect.files import read_path
    from bot.collect.types import Skipped

    analyser = Analyser(config.analysis)
    output = []
    for path in args.paths:
        for item in read_path(path):
            if isinstance(item, Skipped):
                output.append(
                    {"path": item.where, "error": item.reason, "actors": [], "quotes": []}
                )
                continue
            [(_key, result)] = analyser.analyse([(None, item.title, item.text)])
            where = item.url.removeprefix("file://") if item.url.startswith("file:") else item.url
            if isinstance(result, NotAnalysed):
                output.append({"path": where, "error": result.reason, "actors": [], "quotes": []})
            else:
                output.append({"path": where, "title": item.title, **result.to_json()})
    json.dump(output, sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0


def cmd_chat(config: Config, args) -> int:
    from bot.chat.console import run_console

    return run_console(_services(config))


def cmd_deliver(config: Config, args) -> int:
    import asyncio

    from bot.chat.telegram import TelegramSender, make_bot
    from bot.deliver import deliver_due

    if not config.telegram.token:
        print("morgenlage: no Telegram token (MORGENLAGE_TELEGRAM_TOKEN)", file=sys.stderr)
        return 2
    services = _services(config)
    bot = make_bot(config.telegram.token, config.telegram.base_url)

    async def once():
        async with bot:
            return await deliver_due(services, TelegramSender(bot))

    print(asyncio.run(once()).summary())
    return 0


def cmd_run(config: Config, args) -> int:
    from bot.chat.console import run_console
    from bot.memory import limit_arenas

    limit_arenas()  # before the first thread
    services = _services(config, collector=bool(config.telegram.token))
    collecting = "collect" in args.jobs or not config.telegram.token
    if collecting:  # the same pipeline the scheduled collections use: loaded once
        print(services.collect().summary(), file=sys.stderr)
    if config.telegram.token:
        from bot.chat.telegram import run_bot

        # Collections run in their own process: this one loads what briefings read meanwhile.
        _warm_up_meanwhile()
        return run_bot(services, args.jobs, collected=collecting)
    print("Kein Telegram-Token gesetzt: lokale Konsole.", file=sys.stderr)
    from bot.chat.console import CONSOLE_CHAT_ID, show
    from bot.chat.handlers import dispatch
    from bot.chat.reply import Chat

    chat = Chat(chat_id=CONSOLE_CHAT_ID, language=config.briefing.language, is_admin=True)
    for reply in dispatch(services, chat, "/today"):
        show(reply, chat, services, sys.stdout)
    return run_console(services)


def _warm_up_meanwhile() -> None:
    """Load what briefings read before the first reader asks, then keep it out of the garbage
    collector's way — in a thread, while the bot starts."""
    threading.Thread(target=_warm_up, name="warm-up", daemon=True).start()


def _warm_up() -> None:
    from bot.brief.build import warm_up
    from bot.memory import settle_after_start

    warm_up()
    settle_after_start()


def cmd_worker(config: Config, args) -> int:
    from bot.chat.telegram import run_worker
    from bot.memory import limit_arenas

    limit_arenas()  # before the first thread
    if not config.telegram.token:
        print("morgenlage: no Telegram token (MORGENLAGE_TELEGRAM_TOKEN)", file=sys.stderr)
        return 2
    services = _services(config, collector=True)
    collecting = "collect" in args.jobs
    if collecting:
        print(services.collect().summary(), file=sys.stderr)
    _warm_up_meanwhile()  # a worker builds the editions it delivers: the bot's start
    return run_worker(services, args.jobs, collected=collecting)


def cmd_sources(config: Config, args) -> int:
    from bot.chat.handlers import sources_reply
    from bot.chat.reply import Chat
    from bot.collect import sources

    services = _services(config)
    store = services.store
    sources.sync_config(store, config)  # the config's feeds show before their first collect
    failed = False
    try:
        if args.action == "add":
            if not args.urls and not args.preset:
                print("morgenlage: sources add URL … or --preset NAME", file=sys.stderr)
                return 2
            added = sources.add_feeds(store, args.urls)
            added += sources.add_preset(store, args.preset) if args.preset else []
            for url, created in added:
                print(f"{'neu' if created else 'schon dabei'}: {url}")
        elif args.action == "presets":
            print_presets()
        elif args.action == "remove":
            for url in args.urls:
                try:
                    sources.remove_feed(store, config, url)
                    print(f"entfernt: {url} (die Artikel bleiben)")
                except sources.SourceError as error:
                    print(f"morgenlage: {error}", file=sys.stderr)
                    failed = True
        elif args.action == "import":
            done = sources.import_opml(store, args.file)
            added, known, invalid = len(done.added), len(done.known), len(done.invalid)
            print(f"{added} neu, {known} schon dabei, {invalid} ungültig")
            for url in done.invalid:
                print(f"  ungültig: {url}", file=sys.stderr)
        elif args.action == "export":
            print(sources.export_opml(store))
        else:
            reply = sources_reply(services, Chat(chat_id=0, language=config.briefing.language))
            print(reply.render("text", config.briefing.language, config.briefing.templates))
    except sources.SourceError as error:
        print(f"morgenlage: {error}", file=sys.stderr)
        return 1
    return 1 if failed else 0


def print_presets() -> None:
    from bot.collect.presets import load_preset, preset_names

    for name in preset_names():
        preset = load_preset(name)
        print(f"{name}: {preset.title} — {len(preset.feeds)} Feeds, Stand {preset.written}")
        for feed in preset.feeds:
            print(f"  {feed.country} {feed.section:12} {feed.name} <{feed.url}>")
        print(f"  hinzufügen: morgenlage sources add --preset {name}")


COMMANDS = {
    "collect": cmd_collect,
    "brief": cmd_brief,
    "actor": cmd_actor,
    "analyse": cmd_analyse,
    "chat": cmd_chat,
    "deliver": cmd_deliver,
    "run": cmd_run,
    "worker": cmd_worker,
    "sources": cmd_sources,
}
