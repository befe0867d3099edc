"""Check what the app sent against Slack's published Web API spec (a trimmed copy)."""

from __future__ import annotations

import json
from pathlib import Path

SPEC = json.loads((Path(__file__).with_name("slack_web_api_spec.json")).read_text())["methods"]

# Methods Slack added after the 2020 spec was generated, as docs.slack.dev documents them
# (https://docs.slack.dev/reference/methods/files.getUploadURLExternal and
# .../files.completeUploadExternal): the upload flow behind slack_sdk's files_upload_v2.
NEWER_METHODS = {
    "files.getUploadURLExternal": {
        "http": "post",
        "params": ["filename", "length", "alt_txt", "snippet_type"],
        "required": ["filename", "length"],
        "scopes": ["files:write"],
    },
    "files.completeUploadExternal": {
        "http": "post",
        "params": ["files", "channel_id", "channels", "initial_comment", "thread_ts", "blocks"],
        "required": ["files"],
        "scopes": ["files:write"],
    },
}
SPEC = {**SPEC, **NEWER_METHODS}

# Arguments Slack added after the 2020 spec was generated; documented at docs.slack.dev.
NEWER_THAN_SPEC = {
    "chat.postMessage": {"metadata"},
    "chat.update": {"metadata"},
    "conversations.history": {"include_all_metadata"},
}


def problems_with(calls) -> list[str]:
    """Every call to a method the spec does not know, or with an argument it does not list."""
    found = []
    for call in calls:
        if call.method == "upload":
            continue
        method = SPEC.get(call.method)
        if method is None:
            found.append(
                f"{call.method}: not in the trimmed spec (add it to slack_web_api_spec.json)"
            )
            continue
        # slack_sdk adds team_id to every call of a client Bolt made for a request (org installs).
        allowed = set(method["params"]) | NEWER_THAN_SPEC.get(call.method, set())
        allowed |= {"token", "team_id"}
        unknown = set(call.args) - allowed
        missing = set(method["required"]) - set(call.args)
        if unknown:
            found.append(f"{call.method}: unknown arguments {sorted(unknown)}")
        if missing:
            found.append(f"{call.method}: missing required {sorted(missing)}")
    return found
