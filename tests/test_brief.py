"""Briefing: built from the store, rendered in German, split and escaped for Telegram."""

import datetime as dt
import re
from dataclasses import replace

from bot.brief.build import (
    ActorLine,
    Briefing,
    Development,
    QuoteRef,
    SourceRef,
    build_briefing,
    is_outlet,
)
from bot.brief.render import environment, render, split_message
from bot.brief.window import day_window
from bot.chat.handlers import briefing_reply
from bot.chat.reply import Chat
from bot.store.articles import latest_day
from bot.store.schema import Article
from tests.botapi.telegram_html import parse_html
from tests.conftest import brief_article


def seeded_day(services):
    with services.store.session() as session:
        return latest_day(session, services.config.zone)


def test_seed_briefing_top_development_and_actors(seeded):
    day = seeded_day(seeded)
    config = seeded.config
    with seeded.store.session() as session:
        briefing = build_briefing(
            session, day_window(day, config.briefing.timezone), config.briefing, "de"
        )
    top = briefing.developments[0]
    assert "Rubio" in top.title
    assert {"Marco Rubio", "Sergey Lavrov"} <= {a.name for a in briefing.actors}
    rubio = next(a for a in briefing.actors if a.name == "Marco Rubio")
    assert rubio.role == "Außenminister der Vereinigten Staaten"
    assert rubio.said.text.startswith("Wir müssen lebendige diplomatische Missionen")
    # What a person did is a sentence about them: "Putins Beraterin … sagte" is about the adviser,
    # and Trump, named only late in long sentences about others, has no line at all.
    putin = next(a for a in briefing.actors if a.name == "Wladimir Putin")
    assert "Putins Beraterin" not in putin.did and "Putin" in putin.did
    assert "Donald Trump" not in {a.name for a in briefing.actors}


def test_seed_is_one_story_with_its_summary_and_figure(seeded):
    day = seeded_day(seeded)
    config = seeded.config
    with seeded.store.session() as session:
        briefing = build_briefing(
            session, day_window(day, config.briefing.timezone), config.briefing, "de"
        )
    assert briefing.story_count == 1 and len(briefing.developments) == 1
    top = briefing.developments[0]
    assert 1 <= len(top.summary) <= config.briefing.sentences_per_development
    assert all("Posteingang" not in line.text for line in top.summary)
    assert top.source.name == "000_8a7f6afeb7be2cf0.txt"
    assert briefing.figures[0].label == "176 Drohnen über Nacht"


def test_text_briefing_is_german_and_clean(seeded):
    day = seeded_day(seeded)
    text = briefing_reply(seeded, Chat(1), day_window(day, "Europe/Berlin")).render("text", "de")
    weekday = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]
    assert weekday[day.weekday()] in text
    assert "Riad" in text or "Saudi-Arabien" in text or "Rubio" in text
    assert "Holen Sie sich" not in text and "Posteingang" not in text


def test_telegram_briefing_is_valid_telegram_html(seeded):
    reply = briefing_reply(seeded, Chat(1), day_window(seeded_day(seeded), "Europe/Berlin"))
    html = reply.render("telegram", "de")
    for part in split_message(html):
        assert len(part) <= 4096
        parse_html(part)  # raises like Telegram on a tag it would refuse
    assert reply.buttons and reply.buttons[0][0].command.startswith("/actor #")


def test_reported_speech_reads_as_a_german_sentence():
    source = SourceRef("derstandard.at", "https://www.derstandard.at/1")
    development = Development(1, "Tageskontingente bleiben", [], [source], [], 1.0, [1])
    said = QuoteRef("dass Österreich die Tageskontingente beibehalten werde", source, direct=False)
    actor = ActorLine(7, "Johanna Mikl-Leitner", "PER", "Innenministerin", None, said, 1.0)
    window = day_window(dt.date(2016, 3, 1), "Europe/Vienna")
    briefing = Briefing(window, "de", [development], [actor], article_count=1)
    for fmt in ("text", "telegram"):
        text = render("briefing", fmt, lang="de", briefing=briefing)
        assert "sagte, dass Österreich die Tageskontingente beibehalten werde" in text, fmt
    english = render("briefing", "text", lang="en", briefing=replace(briefing, language="en"))
    assert "said, in substance: dass Österreich" in english


def test_key_actors_leave_out_agencies_questions_and_passing_mentions(tmp_path, analyser):
    text = (
        "Wien – Die Opposition im Parlament kritisierte am Dienstag scharf die neuen Pläne von "
        "Innenministerin Johanna Mikl-Leitner. Wie die APA berichtet, sollen die Kontrollen ab "
        "Montag gelten. Innenministerin Johanna Mikl-Leitner kündigte daraufhin zusätzliche "
        "Grenzkontrollen an der Südgrenze an. "
        "Die APA meldete außerdem, dass die Polizei zusätzliche Beamte an die Grenze schickt. "
        "Warum zögert Bundeskanzler Werner Faymann so lange mit den Kontrollen an der Grenze? "
        "Die Opposition kritisierte die Pläne der Regierung als reine Symbolpolitik. "
        "Bundeskanzler Werner Faymann verteidigte am Abend den Kurs der Regierung im Parlament. "
        "Der STANDARD hat mit dem Kanzler über die Kontrollen gesprochen.\n\n"
        "STANDARD: Wie lange sollen die neuen Kontrollen an der Grenze dauern?\n\n"
        "Faymann: Die Kontrollen bleiben, bis sich die Lage an der Grenze beruhigt hat."
    )
    meta = (
        'title: "Neue Grenzkontrollen an der Südgrenze"\ndate: 2016-03-01T09:00:00Z\n'
        "source: DER STANDARD"
    )
    briefing = brief_article(tmp_path, analyser, "grenze.md", meta, text, dt.date(2016, 3, 1))
    names = {a.name: a for a in briefing.actors}
    assert names["Werner Faymann"].did.startswith("Bundeskanzler Werner Faymann verteidigte")
    # What she did, not the sentence that names her in passing.
    assert names["Johanna Mikl-Leitner"].did.startswith("Innenministerin Johanna Mikl-Leitner kün")
    assert "APA" not in names
    assert "STANDARD" not in names  # the paper itself, asking the questions


def test_an_outlet_is_known_by_its_name_or_its_web_address():
    standard = Article(url="https://www.derstandard.at/story/1", title="t", text="t", outlet=None)
    orf = Article(url="https://news.orf.at/stories/2", title="t", text="t", outlet="ORF.at")
    local = Article(url="file:///news/rubio-interview.md", title="t", text="t", outlet=None)
    assert is_outlet("STANDARD", [standard]) and is_outlet("ORF", [orf])
    assert not is_outlet("Rubio", [local]) and not is_outlet("SPÖ", [standard, orf])


def test_empty_day(seeded):
    text = briefing_reply(seeded, Chat(1), day_window(dt.date(2001, 1, 1), "Europe/Berlin")).render(
        "text", "de"
    )
    assert "noch keine Meldungen" in text


def test_english_briefing(seeded):
    text = briefing_reply(
        seeded, Chat(1, language="en"), day_window(seeded_day(seeded), "Europe/Berlin")
    ).render("text", "en")
    assert "Top developments" in text


def test_article_text_is_escaped_once():
    html = render("message", "telegram", text="<b>x</b> & „y“ &amp;")
    assert html == "&lt;b&gt;x&lt;/b&gt; &amp; „y“ &amp;amp;"
    assert render("message", "text", text="<b>x</b> &") == "<b>x</b> &"


def test_user_templates_override_file_by_file(tmp_path):
    (tmp_path / "message.txt.j2").write_text("EIGEN: {{ text }}", encoding="utf-8")
    environment.cache_clear()
    assert render("message", "text", str(tmp_path), text="hallo") == "EIGEN: hallo"
    # Files the user did not override still come from the shipped folder.
    assert render("message", "telegram", str(tmp_path), text="<x>") == "&lt;x&gt;"


def test_split_at_paragraphs():
    paragraphs = [f"<b>Absatz {i}</b>\n" + "Wort " * 150 for i in range(40)]
    parts = split_message("\n\n".join(paragraphs))
    assert len(parts) > 1
    for part in parts:
        assert len(part) <= 4096 and part.count("<b>") == part.count("</b>")
        assert part.startswith("<b>Absatz")


def test_split_inside_a_huge_paragraph_keeps_tags_balanced():
    html = "<b>" + "lang &amp; breit " * 1000 + "</b>\n<i>" + "x" * 5000 + "</i>"
    parts = split_message(html)
    assert all(len(p) <= 4096 for p in parts)
    for part in parts:
        parse_html(part)
        assert not re.search(r"&[a-z]*$", part)
    assert "".join(re.sub(r"</?[bi]>", "", p) for p in parts).replace(" ", "").count("lang") == 1000
