"""The playground's replay of what the emulator recorded: who sees which message, and each
person's modals (open, push, update, errors, close) and Home tab."""

import json

from bot.emulator import BOT_USER_ID, SlackEmulator
from bot.playground.state import replay

ANA, BEN = "U0ANA", "U0BEN"


def call(method: str, at: float, answer: dict | None = None, **args) -> dict:
    encoded = {k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in args.items()}
    return {"method": method, "args": encoded, "at": at, "answer": {"ok": True, **(answer or {})}}


def view(title: str) -> dict:
    return {"type": "modal", "title": {"type": "plain_text", "text": title}, "blocks": []}


def test_ephemeral_messages_reach_only_their_person_and_dms_are_the_persons():
    world = replay(
        {
            "calls": [
                call("chat.postMessage", 1, {"ts": "1.1"}, channel="C0GENERAL", text="all"),
                call(
                    "chat.postEphemeral",
                    2,
                    {"message_ts": "2.2"},
                    channel="C0GENERAL",
                    user=BEN,
                    text="ben only",
                ),
                call("chat.postMessage", 3, {"ts": "3.3"}, channel=ANA, text="to Ana"),
                call("chat.update", 4, channel="C0GENERAL", ts="1.1", text="all, edited"),
            ],
            "notes": [],
        }
    )
    assert [m.text for m in world.channel("C0GENERAL", ANA)] == ["all, edited"]
    assert [m.text for m in world.channel("C0GENERAL", BEN)] == ["all, edited", "ben only"]
    assert [m.text for m in world.channel(SlackEmulator.dm_of(ANA), ANA)] == ["to Ana"]


def test_a_response_url_post_replaces_deletes_or_adds_as_it_says():
    world = replay(
        {
            "calls": [call("chat.postMessage", 1, {"ts": "1.1"}, channel="C0GENERAL", text="a")],
            "notes": [
                {
                    "kind": "response",
                    "at": 2,
                    "path": f"/response/C0GENERAL~{BEN}~1.1~7",
                    "body": {"replace_original": True, "text": "replaced"},
                },
                {
                    "kind": "response",
                    "at": 3,
                    "path": f"/response/C0GENERAL~{BEN}~-~8",
                    "body": {"text": "just for Ben"},
                },
            ],
        }
    )
    assert [(m.text, m.only_for) for m in world.channel("C0GENERAL", BEN)] == [
        ("replaced", None),
        ("just for Ben", BEN),
    ]
    assert all(m.user == BOT_USER_ID for m in world.messages)


def test_modals_open_push_update_show_errors_and_close():
    trigger = f"1.{BEN}.playground"
    recorded = {
        "calls": [
            call("views.open", 1, {"view": {"id": "V1"}}, trigger_id=trigger, view=view("one")),
            call("views.push", 2, {"view": {"id": "V2"}}, trigger_id=trigger, view=view("two")),
            call("views.update", 3, {"view": {"id": "V2"}}, view_id="V2", view=view("two, new")),
        ],
        "notes": [
            {
                "kind": "submitted",
                "user": BEN,
                "at": 4,
                "typed": {"input:b:a:x": ["kept"]},
                "body": {"response_action": "errors", "errors": {"b": "Say more"}},
            },
        ],
    }
    world = replay(recorded)
    [first, top] = world.modals[BEN]
    assert (first.body["title"]["text"], top.body["title"]["text"]) == ("one", "two, new")
    assert top.errors == {"b": "Say more"} and top.typed == {"input:b:a:x": ["kept"]}

    recorded["notes"].append({"kind": "submitted", "user": BEN, "at": 5, "body": {}})
    assert [v.id for v in replay(recorded).modals[BEN]] == ["V1"]  # the top one closed
    recorded["notes"].append(
        {"kind": "submitted", "user": BEN, "at": 6, "body": {"response_action": "clear"}}
    )
    assert replay(recorded).modals[BEN] == []
    assert ANA not in replay(recorded).modals


def test_the_home_tab_is_the_last_view_published_for_the_person():
    world = replay(
        {
            "calls": [
                call("views.publish", 1, {"view": {"id": "V1"}}, user_id=ANA, view=view("old")),
                call("views.publish", 2, {"view": {"id": "V2"}}, user_id=ANA, view=view("new")),
            ],
            "notes": [],
        }
    )
    assert world.homes[ANA]["title"]["text"] == "new" and BEN not in world.homes
