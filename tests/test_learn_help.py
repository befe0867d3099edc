"""`/learn help`, end to end: signed HTTP into the served app, the answer asserted."""

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
