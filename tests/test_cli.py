"""The `morgenlage` command as a user runs it: a real process, a real SQLite file."""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO, SEED, store_url

_URLS: dict[str, str] = {}  # one store per test folder


def run(*args, env=None, stdin=None, tmp_path=None):
    url = _URLS.setdefault(str(tmp_path), store_url(tmp_path, "cli"))
    environment = {**os.environ, "MORGENLAGE_STORE_URL": url}
    environment.pop("MORGENLAGE_CONFIG", None)
    environment.pop("MORGENLAGE_TELEGRAM_TOKEN", None)
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        env=environment,
        input=stdin,
        cwd=REPO,
        timeout=300,
    )


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("cli")
    result = run("collect", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "1 neu" in result.stdout
    return tmp_path


def test_collect_twice_is_a_noop(collected):
    result = run("collect", tmp_path=collected)
    assert "0 neu" in result.stdout and "1 unverändert" in result.stdout
    assert "0 analysiert" in result.stdout


def test_brief_and_actor(collected):
    brief = run("brief", tmp_path=collected)
    assert brief.returncode == 0 and "Marco Rubio" in brief.stdout
    assert "Holen Sie sich" not in brief.stdout
    html = run("brief", "--format", "telegram", tmp_path=collected)
    assert "<b>" in html.stdout
    actor = run("actor", "Rubio", tmp_path=collected)
    assert "Außenminister" in actor.stdout and "Wir müssen lebendige" in actor.stdout


def test_chat_reads_stdin(collected):
    result = run("chat", stdin="/today\n/actor Rubio\n/help\n", tmp_path=collected)
    assert result.returncode == 0
    assert "Die wichtigsten Entwicklungen" in result.stdout
    assert "Marco Rubio — Außenminister" in result.stdout


def test_analyse_json(tmp_path):
    bad = tmp_path / "empty.txt"
    bad.write_text("")
    result = run("analyse", str(SEED), str(bad), "--json", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data[0]["path"].endswith(SEED.name)
    assert any(a["name"] == "Marco Rubio" for a in data[0]["actors"])
    assert any(q["speaker"] == "Marco Rubio" for q in data[0]["quotes"])
    assert data[1]["error"] == "empty file"


def test_broken_config_is_one_line(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[briefing]\nlanguage = 'fr'\n")
    result = run("--config", str(path), "brief", tmp_path=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "briefing.language" in result.stderr and "Traceback" not in result.stderr


def test_bad_store_url_is_one_line(tmp_path):
    result = run("brief", env={"MORGENLAGE_STORE_URL": "nonsense://"}, tmp_path=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr


def test_run_without_token_opens_console(collected):
    result = run("run", stdin="/actor Lavrov\n", tmp_path=collected)
    assert result.returncode == 0
    assert "lokale Konsole" in result.stderr
    assert "Sergey Lavrov" in result.stdout
