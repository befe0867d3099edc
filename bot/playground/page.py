"""The playground's one page: a sidebar (channel, DM, Home, who you are), the conversation or
Home tab with its composer, an open modal as a <dialog>, the clock, and the app's Web API calls.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from typing import Any

from bot.emulator import BOT_USER_ID, SlackEmulator
from bot.playground.blockkit import blocks_html, mrkdwn, text_object
from bot.playground.state import Message, View, World, decoded
from bot.playground.team import GENERAL, PEOPLE, who

REACTIONS = ("thumbsup", "tada", "heart", "eyes", "bulb")
EMOJI = {"thumbsup": "👍", "tada": "🎉", "heart": "❤️", "eyes": "👀", "bulb": "💡", "+1": "👍"}
PLACES = {"general": "# general", "dm": "inflow", "home": "inflow · Home"}
SHOWN_METHODS = (
    "chat.postMessage",
    "chat.postEphemeral",
    "chat.update",
    "chat.delete",
    "views.open",
    "views.push",
    "views.update",
    "views.publish",
)


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def name(user_id: str) -> str:
    return "inflow" if user_id == BOT_USER_ID else PEOPLE.get(user_id, user_id)


def _hidden(**fields: str) -> str:
    return "".join(
        f'<input type="hidden" name="{_esc(k)}" value="{_esc(v)}">' for k, v in fields.items()
    )


def render(world: World, calls: list[dict], person: str, place: str, version: int) -> str:
    place = place if place in PLACES else "general"
    here = _hidden(**{"as": person, "place": place})
    if place == "home":
        main = _home(world, person, here)
    else:
        channel = GENERAL if place == "general" else SlackEmulator.dm_of(person)
        messages = world.channel(channel, person)
        main = (
            '<div id="messages">'
            + "".join(_message(m, person, place) for m in messages)
            + "</div>"
            + _composer(person, place, here)
        )
    notices = "".join(
        f'<p class="notice">{_esc(n)}</p>' for n in world.notices.get(person, [])[-1:]
    )
    modal = _modal(world.modals.get(person) or [], person, place)
    return PAGE.format(
        style=STYLE,
        script=SCRIPT,
        version=version,
        sidebar=_sidebar(person, place),
        title=_esc(PLACES[place]),
        notices=notices,
        main=main,
        modal=modal,
        clock=_clock(here),
        calls=_calls(calls),
    )


def _sidebar(person: str, place: str) -> str:
    people = "".join(
        f'<option value="{_esc(u)}"{" selected" if u == person else ""}>{_esc(who(u))}</option>'
        for u in PEOPLE
    )
    links = []
    for key in ("general", "dm"):
        mark = ' class="here"' if key == place else ""
        links.append(f'<a{mark} href="/?as={_esc(person)}&amp;place={key}">{_esc(PLACES[key])}</a>')
    mark = ' class="here"' if place == "home" else ""
    home = (
        f'<form method="post" action="/playground/home">{_hidden(**{"as": person})}'
        f'<button{mark} id="open-home" type="submit">inflow · Home</button></form>'
    )
    return (
        '<form method="get" action="/" id="person"><label>You are '
        f'<select name="as" onchange="this.form.submit()">{people}</select></label>'
        f'<input type="hidden" name="place" value="{_esc(place)}"></form>'
        + "<nav>"
        + "".join(links)
        + home
        + "</nav>"
    )


def _message(message: Message, person: str, place: str) -> str:
    author = name(message.user)
    ephemeral = message.only_for is not None
    body = blocks_html(message.blocks, name) if message.blocks else mrkdwn(message.text, name)
    fields = {"as": person, "place": place, "ts": message.ts, "ephemeral": "1" if ephemeral else ""}
    reactions = "".join(
        f'<span class="reaction" title="{_esc(", ".join(name(u) for u in who_))}">'
        f"{EMOJI.get(r, ':' + _esc(r) + ':')} {len(who_)}</span>"
        for r, who_ in message.reactions.items()
    )
    tools = ""
    if not ephemeral:
        choices = "".join(f'<option value="{r}">{EMOJI[r]} :{r}:</option>' for r in REACTIONS)
        tools = (
            '<form class="tools" method="post" action="/playground/react">'
            + _hidden(**fields, author=message.user)
            + '<select name="reaction" aria-label="Add a reaction"><option value="">☺+</option>'
            + f'{choices}</select><button type="submit" class="react">React</button></form>'
        )
        if message.user != BOT_USER_ID:
            for cb, label in MESSAGE_SHORTCUTS:
                tools += (
                    '<form class="tools" method="post" action="/playground/shortcut">'
                    + _hidden(**fields, author=message.user, text=message.text, callback_id=cb)
                    + f'<button type="submit" class="shortcut">{label}</button></form>'
                )
    only = '<div class="only">Only visible to you</div>' if ephemeral else ""
    thread = '<div class="thread">in a thread</div>' if message.thread_ts else ""
    return (
        f'<div class="message{" from-app" if message.user == BOT_USER_ID else ""}'
        f'{" ephemeral" if ephemeral else ""}" data-ts="{_esc(message.ts)}">'
        f'<div class="author">{_esc(author)}</div>{only}{thread}'
        '<form class="body" method="post" action="/playground/action">'
        f"{_hidden(**fields)}{body}</form>"
        f'<div class="reactions">{reactions}</div>{tools}</div>'
    )


MESSAGE_SHORTCUTS = (  # on every person's message, as Slack's "More actions" menu offers them
    ("mistake_moment_message", "Mistake moment about this"),
    ("save_as_guide", "Save as a guide draft"),
)


def _composer(person: str, place: str, here: str) -> str:
    shortcuts = "".join(
        f'<button type="submit" name="callback_id" value="{k}">{_esc(v)}</button>'
        for k, v in (("mistake_moment", "Mistake moment"), ("spot_strength", "Spot a strength"))
    )
    return (
        '<form id="composer" method="post" action="/playground/say">'
        + here
        + '<input name="text" id="text" autocomplete="off" '
        'placeholder="/learn …, /spot …, /pitch …, /debrief …, a message, or @inflow …">'
        '<button type="submit" id="send">Send</button></form>'
        '<details id="shortcuts"><summary>⚡ Shortcuts</summary>'
        f'<form method="post" action="/playground/shortcut">{here}{shortcuts}</form></details>'
    )


def _home(world: World, person: str, here: str) -> str:
    view = world.homes.get(person)
    if not view:
        return '<p class="empty">inflow has not published a Home tab for you yet.</p>'
    fields = _hidden(**{"as": person, "place": "home", "view_id": f"home-{person}"})
    return (
        f'<form id="home" method="post" action="/playground/action">{fields}'
        f"{blocks_html(view.get('blocks'), name, list(PEOPLE.items()))}</form>"
    )


def _modal(stack: list[View], person: str, place: str) -> str:
    if not stack:
        return ""
    view = stack[-1]
    body = view.body
    fields = _hidden(**{"as": person, "place": place, "view_id": view.id})
    submit = body.get("submit")
    close = text_object(body.get("close")) or "Cancel"
    buttons = (
        '<button type="submit" formaction="/playground/close" formnovalidate id="modal-close">'
        f"{close}</button>"
        + (
            '<button type="submit" class="primary" id="modal-submit">'
            f"{text_object(submit)}</button>"
            if submit
            else ""
        )
    )
    return (
        '<dialog id="modal" open><form method="post" action="/playground/submit">'
        f"{fields}<h2>{text_object(body.get('title'))}</h2>"
        f"{blocks_html(body.get('blocks'), name, list(PEOPLE.items()), view.errors, view.typed)}"
        f'<div class="modal-buttons">{buttons}</div></form></dialog>'
    )


def _clock(here: str) -> str:
    now = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0, tzinfo=None)
    return (
        '<form id="clock" method="post" action="/playground/clock">'
        + here
        + "<label>Run the scheduler as of (UTC) "
        f'<input type="datetime-local" name="now" value="{now.isoformat(timespec="minutes")}">'
        '</label><button type="submit">Run the clock</button></form>'
    )


def _calls(calls: list[dict]) -> str:
    rows = []
    for call in reversed(calls):
        args = {k: decoded(v) for k, v in (call.get("args") or {}).items()}
        ok = (call.get("answer") or {}).get("ok")
        mark = "" if ok else ' class="failed"'
        rows.append(
            f"<details{mark}><summary>{_esc(call['method'])}</summary>"
            f"<pre>{_esc(json.dumps(args, indent=1, ensure_ascii=False))}</pre></details>"
        )
    return "".join(rows) or "<p>No calls yet.</p>"


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>inflow playground</title>
<style>{style}</style></head>
<body data-version="{version}">
<aside id="sidebar"><h1>inflow playground</h1>{sidebar}{clock}</aside>
<main><h2 id="place">{title}</h2>{notices}{main}</main>
<aside id="calls"><h2>Web API calls</h2>{calls}</aside>
{modal}
<script>{script}</script>
</body></html>
"""

STYLE = """
body{margin:0;display:grid;grid-template-columns:15rem 1fr 20rem;height:100vh;
 font:15px/1.45 system-ui,sans-serif;color:#1d1c1d}
#sidebar{background:#3f0e40;color:#fff;padding:.8rem}#sidebar h1{font-size:1.1rem}
#sidebar a,#sidebar nav button{display:block;color:#fff;text-decoration:none;padding:.25rem .4rem;
 background:none;border:0;font:inherit;cursor:pointer;text-align:left;width:100%}
#sidebar .here{background:#1164a3;border-radius:4px}#sidebar select{max-width:100%}
#clock{margin-top:2rem;font-size:.85rem}#clock button{margin-top:.3rem}
main{overflow:auto;padding:0 1rem;display:flex;flex-direction:column}#messages{flex:1}
#place{border-bottom:1px solid #ddd;padding:.5rem 0}
.message{padding:.4rem 0;border-bottom:1px solid #f3f3f3}.author{font-weight:700}
.ephemeral{background:#f8f8f8}.only{font-size:.75rem;color:#616061}
.tools{display:inline-block;font-size:.75rem;margin-right:.4rem}
.reaction{border:1px solid #1d9bd1;border-radius:1rem;padding:0 .4rem;margin-right:.2rem}
.fields{display:grid;grid-template-columns:1fr 1fr;gap:.3rem}.context{font-size:.8rem;color:#616061}
.section{display:flex;gap:.5rem;justify-content:space-between}.section .accessory{flex:none}
.btn{margin:.2rem .3rem .2rem 0;padding:.2rem .7rem;border:1px solid #bbb;border-radius:4px;
 background:#fff;cursor:pointer}.btn.primary,.primary{background:#007a5a;color:#fff}
.btn.danger{background:#e01e5a;color:#fff}
blockquote{border-left:3px solid #ddd;margin:0;padding-left:.5rem}
#composer{position:sticky;bottom:1.8rem;display:flex;gap:.4rem;background:#fff;padding:.5rem 0}
#shortcuts{position:sticky;bottom:0;background:#fff;padding-bottom:.4rem}
#composer input{flex:1;padding:.5rem}
#calls{background:#f8f8f8;overflow:auto;padding:.5rem;font-size:.8rem}
#calls pre{white-space:pre-wrap;word-break:break-all}#calls .failed summary{color:#e01e5a}
dialog{width:32rem;max-height:85vh;overflow:auto;border:0;border-radius:8px;
 box-shadow:0 10px 40px rgba(0,0,0,.4);top:5vh;position:fixed}
dialog .input{margin:.6rem 0}dialog label{display:block;font-weight:700}
dialog textarea,dialog input[type=text],dialog select{width:100%;box-sizing:border-box}
dialog .choices label{font-weight:400}.error{color:#e01e5a}.hint{font-size:.8rem;color:#616061}
.modal-buttons{text-align:right}.notice{color:#1264a3}
"""

# Re-render when the app does something after its answer (a DM from the outbox, say), unless
# the person is typing in a modal or the composer.
SCRIPT = """
// Checkboxes and users selects outside a modal post everything chosen, as block_actions.
function pick(input) {
  const box = input.closest('[data-act]'), act = JSON.parse(box.dataset.act);
  if (act.type === 'checkboxes') {
    act.selected_options = [...box.querySelectorAll('input:checked')].map(
      i => ({text: {type: 'plain_text', text: i.dataset.text}, value: i.value}));
  } else if (act.type === 'multi_users_select') {
    act.selected_users = [...input.selectedOptions].map(o => o.value);
  } else { act.selected_user = input.value; }
  const hidden = document.createElement('input');
  hidden.type = 'hidden'; hidden.name = 'act'; hidden.value = JSON.stringify(act);
  input.form.appendChild(hidden); choose(hidden);
}
// Post this one choice: the form's other selects keep theirs, and must not be sent.
function choose(input) {
  for (const other of input.form.querySelectorAll('[name=act]')) other.disabled = other !== input;
  input.form.action = '/playground/action'; input.form.submit();
}
const main = document.querySelector('main'); main.scrollTop = main.scrollHeight;
let typing = false;
document.addEventListener('input', () => { typing = true; });
setInterval(async () => {
  if (typing && document.getElementById('modal')) return;
  if (document.getElementById('text')?.value) return;  // not while a message is being typed
  const r = await fetch('/playground/version');
  if (r.ok && (await r.text()) !== document.body.dataset.version) location.reload();
}, 1000);
"""
