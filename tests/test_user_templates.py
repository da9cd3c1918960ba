"""User templates (issue 13, item 7): rendered in Jinja's sandbox with bounded time and output;
any failure falls back to the shipped template with one logged line naming file and error."""

import dataclasses
import io
import logging

import pytest

from bot.brief.render import environment, render
from bot.chat.console import run_console
from bot.chat.reply import Services

BROKEN = {
    "division": "{{ 1 // 0 }}",
    "syntax": "{% for %}",
    "huge range": "{% for i in range(10**12) %}x{% endfor %}",
    "endless loops": "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}"
    "{% endfor %}",
    "endless output": "{% for i in range(99999) %}{{ 'x' * 9999 }}{% endfor %}",
    "huge value": "{{ 'x' * 10**9 }}",
    "huge width": "{{ 'x'|center(10**9) }}{{ '%0999999999d'|format(1) }}",
    "recursion": "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
    "python internals": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
}


@pytest.fixture
def user_dir(tmp_path):
    environment.cache_clear()
    yield tmp_path
    environment.cache_clear()


@pytest.mark.parametrize("name", BROKEN)
def test_broken_user_template_falls_back_with_one_line(user_dir, caplog, name):
    (user_dir / "message.txt.j2").write_text(BROKEN[name], encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="bot.brief.render"):
        assert render("message", "text", str(user_dir), text="hallo") == "hallo"
    [record] = caplog.records
    line = record.getMessage()
    assert "\n" not in line and str(user_dir / "message.txt.j2") in line
    assert "using the shipped one" in line and record.exc_info is None


def test_working_user_template_still_renders_in_the_sandbox(user_dir):
    (user_dir / "message.txt.j2").write_text("EIGEN {{ text }} {{ 'ab' * 2 }}", encoding="utf-8")
    assert render("message", "text", str(user_dir), text="hallo") == "EIGEN hallo abab"


def test_console_today_survives_a_broken_template(store, config, user_dir):
    (user_dir / "message.txt.j2").write_text("{{ 1 // 0 }}", encoding="utf-8")
    (user_dir / "briefing.txt.j2").write_text("{% for %}", encoding="utf-8")
    briefing = dataclasses.replace(config.briefing, templates=str(user_dir))
    services = Services(store, dataclasses.replace(config, briefing=briefing))
    out = io.StringIO()
    assert run_console(services, io.StringIO("/today\n/help\n/xyz\n"), out) == 0
    text = out.getvalue()  # the shipped briefing, help and hint answered
    assert "MORGENLAGE" in text and "/actor" in text and "/xyz" in text
