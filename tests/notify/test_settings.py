"""SMTP settings come from the environment only, with safe defaults and plain refusals."""

from __future__ import annotations

import pytest

from panelflow.notify.smtp import MailSettingsError, SmtpSettings


def test_an_empty_environment_means_mail_is_not_configured() -> None:
    settings = SmtpSettings.from_environment({})

    assert not settings.configured
    assert settings == SmtpSettings(
        host="",
        port=25,
        username="",
        password="",
        starttls=False,
        mail_from="panelflow@localhost",
        timeout=30.0,
    )


def test_every_setting_is_read() -> None:
    settings = SmtpSettings.from_environment(
        {
            "PANELFLOW_SMTP_HOST": " relay.council.example ",
            "PANELFLOW_SMTP_PORT": "587",
            "PANELFLOW_SMTP_USERNAME": "panelflow",
            "PANELFLOW_SMTP_PASSWORD": "s3cret",
            "PANELFLOW_SMTP_STARTTLS": "1",
            "PANELFLOW_SMTP_TIMEOUT": "12.5",
            "PANELFLOW_MAIL_FROM": "panels@council.example",
        }
    )

    assert settings.configured
    assert (settings.host, settings.port, settings.starttls, settings.timeout) == (
        "relay.council.example",
        587,
        True,
        12.5,
    )
    assert (settings.username, settings.password) == ("panelflow", "s3cret")
    assert settings.mail_from == "panels@council.example"
    assert "s3cret" not in repr(settings)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PANELFLOW_SMTP_PORT": "0"}, "PANELFLOW_SMTP_PORT must be a port number"),
        ({"PANELFLOW_SMTP_PORT": "twenty"}, "PANELFLOW_SMTP_PORT must be a port number"),
        ({"PANELFLOW_SMTP_STARTTLS": "true"}, "PANELFLOW_SMTP_STARTTLS must be 1"),
        ({"PANELFLOW_SMTP_TIMEOUT": "-1"}, "PANELFLOW_SMTP_TIMEOUT must be a number of seconds"),
        ({"PANELFLOW_SMTP_USERNAME": "panelflow"}, "set both PANELFLOW_SMTP_USERNAME and"),
        ({"PANELFLOW_SMTP_PASSWORD": "s3cret"}, "set both PANELFLOW_SMTP_USERNAME and"),
        ({"PANELFLOW_MAIL_FROM": "panelflow"}, "PANELFLOW_MAIL_FROM must be one email address"),
    ],
)
def test_unusable_values_are_refused_in_plain_words(env: dict[str, str], message: str) -> None:
    with pytest.raises(MailSettingsError, match=message):
        SmtpSettings.from_environment({"PANELFLOW_SMTP_HOST": "relay.example", **env})


def test_the_process_environment_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANELFLOW_SMTP_HOST", "relay.example")
    monkeypatch.setenv("PANELFLOW_SMTP_STARTTLS", "0")

    settings = SmtpSettings.from_environment()

    assert settings.host == "relay.example" and not settings.starttls
