"""`/learn help`, end to end: signed HTTP into the served app, the answer asserted."""

from pathlib import Path

import yaml

from bot.slack.ids import Command


def test_learn_help_answers_inside_the_ack(served):
    reply = served.slack.command(Command.LEARN, "help")

    assert reply.status == 200
    answer = reply.json()
    assert answer["response_type"] == "ephemeral"
    shown = " ".join(block["text"]["text"] for block in answer["blocks"] if "text" in block)
    assert "/learn" in shown
    assert "What inflow does" in shown
    assert served.emulator.calls_to("chat.postMessage") == []


def test_learn_alone_shows_the_categories(served):
    answer = served.slack.command(Command.LEARN, "").json()
    assert answer["blocks"][0]["accessory"]["type"] == "static_select"


def test_help_says_which_commands_reach_others(served):
    answer = served.slack.command(Command.LEARN, "help").json()
    shown = " ".join(
        b["text"]["text"] if "text" in b else b["elements"][0]["text"] for b in answer["blocks"]
    )

    assert "visible only to you" in shown
    assert "`/debrief` posts in the channel for everyone there" in shown
    assert "`/spot` sends the person a DM" in shown
    assert "Everything inflow shows you after a command is visible only to you" not in shown


def test_help_shows_placeholders_literally_not_as_broken_links(served):
    """Slack reads `<…>` as a link or mention even inside backticks: a placeholder such as
    `<what you need>` must reach Slack escaped, or it shows as a link to nowhere."""
    answer = served.slack.command(Command.LEARN, "help").json()
    shown = " ".join(block["text"]["text"] for block in answer["blocks"] if "text" in block)

    assert "/learn &lt;what you need&gt;" in shown
    assert "&lt;idea&gt;" in shown
    assert "<what you need>" not in shown and "<idea>" not in shown


def test_help_names_every_shortcut_the_app_declares(served):
    """A shortcut nobody hears of is one nobody uses: each in manifest.yml is named in help."""
    manifest = yaml.safe_load((Path(__file__).parent.parent / "manifest.yml").read_text())
    answer = served.slack.command(Command.LEARN, "help").json()
    shown = " ".join(block["text"]["text"] for block in answer["blocks"] if "text" in block)

    for shortcut in manifest["features"]["shortcuts"]:
        assert f"*{shortcut['name']}*" in shown
