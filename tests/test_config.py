import pytest

from bot.config import CONFIG_ENV, TOKEN_ENV, ConfigError, load_config, parse_config
from tests.conftest import REPO


def test_defaults_run_without_a_file():
    config = load_config(environ={})
    assert config.store.resolved_url().startswith("sqlite:///")
    assert config.sources.resolved_paths()[0].name == "seeds"
    assert config.briefing.language == "de"


def test_example_config_is_valid_and_documents_every_setting():
    text = (REPO / "config.example.toml").read_text(encoding="utf-8")
    config = load_config(REPO / "config.example.toml", environ={})
    assert config.briefing.timezone == "Europe/Berlin"
    import dataclasses

    for section in dataclasses.fields(config):
        for setting in dataclasses.fields(getattr(config, section.name)):
            assert f"{setting.name} =" in text, f"{section.name}.{setting.name} undocumented"


def test_config_path_from_environment(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[briefing]\nlanguage = "en"\n', encoding="utf-8")
    assert load_config(environ={CONFIG_ENV: str(path)}).briefing.language == "en"


def test_token_from_environment_is_not_in_repr():
    config = load_config(environ={TOKEN_ENV: "123:SECRET"})
    assert config.telegram.token == "123:SECRET"
    assert "SECRET" not in repr(config)


@pytest.mark.parametrize(
    ("toml", "names"),
    [
        ("[briefing]\nlangauge = 'de'\n", "briefing.langauge"),
        ("[briefing]\nactors = 'many'\n", "briefing.actors"),
        ("[briefing]\nactors = 0\n", "briefing.actors"),
        ("[briefing]\ntimezone = 'Mars/Olympus'\n", "briefing.timezone"),
        ("[nonsense]\nx = 1\n", "[nonsense]"),
        ("[sources]\npaths = 'seeds'\n", "sources.paths"),
        ("[telegram]\nbase_url = 'ftp://x'\n", "telegram.base_url"),
        ("[analysis]\nbatch_size = true\n", "analysis.batch_size"),
    ],
)
def test_wrong_settings_name_the_key(tmp_path, toml, names):
    path = tmp_path / "c.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path, environ={})
    assert names in str(error.value)
    assert "\n" not in str(error.value)


def test_broken_toml_and_missing_file(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[briefing\nlanguage=", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path, environ={})
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.toml", environ={})
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ConfigError, match="UTF-8|TOML"):
        load_config(path, environ={})


def test_parse_config_accepts_every_section():
    config = parse_config({"telegram": {"admins": [1, 2]}, "sources": {"paths": ["a", "b"]}})
    assert config.telegram.admins == (1, 2)
    assert config.sources.paths == ("a", "b")
