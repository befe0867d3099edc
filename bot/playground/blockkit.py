"""Block Kit to plain HTML, for the playground (bot.playground): what Slack would show.

Everything is escaped: a block's text came from the app, and through it from whoever typed it.
Interactive elements become form controls whose names say what Slack would send back: a button
or a select in a message posts `act` (a JSON action); an input block's element is named
`input:{block_id}:{action_id}:{type}` so the modal's form can be turned into view state.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

Names = Callable[[str], str]  # a user id to the name to show
People = Sequence[tuple[str, str]]  # (user id, name): whom a users select offers


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _unslack(text: str) -> str:
    """Slack's own escaping of text (&amp; &lt; &gt;) undone, before it is escaped for HTML."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


_ANGLE = re.compile(r"<([^<>\n]*)>")
_BULLET = re.compile(r"^\s*(•|-|◦) ")
_INLINE = [
    (re.compile(r"```(.+?)```", re.S), r"<pre>\1</pre>"),
    (re.compile(r"`([^`\n]+)`"), r"<code>\1</code>"),
    (re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])"), r"<b>\1</b>"),
    (re.compile(r"(?<![\w_])_([^_\n]+)_(?![\w_])"), r"<i>\1</i>"),
    (re.compile(r"(?<![\w~])~([^~\n]+)~(?![\w~])"), r"<s>\1</s>"),
]


def _angle(inner: str, names: Names) -> str:
    """One `<…>` of Slack text: a link, a mention of a person or channel, or a special."""
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        return f'<span class="mention">@{_esc(names(target[1:]))}</span>'
    if target.startswith("#"):
        return f'<span class="mention">#{_esc(_unslack(label) or target[1:])}</span>'
    if target.startswith("!"):
        return f'<span class="mention">@{_esc(target[1:].split("^")[0])}</span>'
    target = _unslack(target)
    href = target if re.match(r"(https?|mailto):", target) else "#"
    return f'<a href="{_esc(href)}">{_esc(_unslack(label or target))}</a>'


def mrkdwn(text: str, names: Names = str) -> str:
    """Slack mrkdwn as HTML: bold, italics, strike, code, links, mentions, quotes, lists."""
    links: list[str] = []
    out = []
    for index, part in enumerate(_ANGLE.split(text)):
        if index % 2:  # the inside of a <…>: kept aside until the formatting is done
            links.append(_angle(part, names))
            out.append(f"\x00{len(links) - 1}\x00")
        else:
            out.append(_esc(_unslack(part.replace("\x00", ""))))
    escaped = "".join(out)
    for pattern, replacement in _INLINE:
        escaped = pattern.sub(replacement, escaped)
    lines = []
    for line in escaped.split("\n"):
        if line.startswith("&gt; ") or line == "&gt;":
            lines.append(f"<blockquote>{line[5:]}</blockquote>")
        elif _BULLET.match(line):
            lines.append("<li>" + _BULLET.sub("", line) + "</li>")
        else:
            lines.append(line + "<br>")
    joined = "".join(lines)
    joined = re.sub(r"((?:<li>.*?</li>)+)", r"<ul>\1</ul>", joined)
    joined = joined.removesuffix("<br>")
    return re.sub("\x00(\\d+)\x00", lambda m: links[int(m.group(1))], joined)


def text_object(obj: Mapping[str, Any] | None, names: Names = str) -> str:
    """A plain_text or mrkdwn text object."""
    if not obj:
        return ""
    if obj.get("type") == "mrkdwn":
        return mrkdwn(str(obj.get("text", "")), names)
    return _esc(obj.get("text", ""))


def _act(block_id: str, element: Mapping[str, Any], **extra: Any) -> str:
    return json.dumps(
        {
            "block_id": block_id,
            "action_id": element.get("action_id", ""),
            "type": element.get("type", ""),
            **extra,
        }
    )


def _button(block_id: str, element: Mapping[str, Any]) -> str:
    style = element.get("style", "")
    act = _act(block_id, element, value=element.get("value", ""))
    return (
        f'<button type="submit" class="btn {_esc(style)}" formaction="/playground/action"'
        f' name="act" value="{_esc(act)}">{text_object(element.get("text"))}</button>'
    )


def _option_text(option: Mapping[str, Any]) -> str:
    return text_object(option.get("text"))


def _chooser(block_id: str, element: Mapping[str, Any]) -> str:
    """A static select or an overflow in a message or a Home tab: choosing posts the action."""
    kind = element.get("type", "")
    placeholder = text_object(element.get("placeholder")) or ("⋯" if kind == "overflow" else "")
    initial = (element.get("initial_option") or {}).get("value")
    options = [f'<option value="">{placeholder}</option>']
    for option in _options(element):
        act = _act(
            block_id,
            element,
            selected_option={"text": option.get("text", {}), "value": option.get("value", "")},
        )
        mark = " selected" if initial is not None and option.get("value") == initial else ""
        options.append(f'<option value="{_esc(act)}"{mark}>{_option_text(option)}</option>')
    return (
        f'<select class="{_esc(kind)}" name="act"'
        ' onchange="choose(this)">' + "".join(options) + "</select>"
    )


def _picker(block_id: str, element: Mapping[str, Any], people: Sequence[tuple[str, str]]) -> str:
    """Checkboxes or a users select outside a modal's inputs: each change posts the action with
    everything now chosen (the page's `pick` script adds it)."""
    kind = element.get("type", "")
    base = _esc(_act(block_id, element))
    if kind == "checkboxes":
        chosen = {o.get("value") for o in element.get("initial_options") or []}
        boxes = "".join(
            f'<label><input type="checkbox" value="{_esc(o.get("value", ""))}"'
            f' data-text="{_esc((o.get("text") or {}).get("text", ""))}"'
            f'{" checked" if o.get("value") in chosen else ""} onchange="pick(this)"> '
            f"{_option_text(o)}</label>"
            for o in _options(element)
        )
        return f'<span class="picker" data-act="{base}">{boxes}</span>'
    chosen = set(element.get("initial_users") or []) | {element.get("initial_user")}
    multiple = " multiple" if kind.startswith("multi") else ""
    options = "".join(
        f'<option value="{_esc(u)}"{" selected" if u in chosen else ""}>{_esc(shown)}</option>'
        for u, shown in people
    )
    return (
        f'<span class="picker" data-act="{base}"><select{multiple} onchange="pick(this)">'
        f"{'' if multiple else '<option></option>'}{options}</select></span>"
    )


def _options(element: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    groups = element.get("option_groups") or []
    return list(element.get("options") or []) + [
        option for group in groups for option in group.get("options", [])
    ]


def element_html(
    block_id: str, element: Mapping[str, Any], names: Names = str, people: People = ()
) -> str:
    """An interactive element of an actions block or a section's accessory."""
    kind = element.get("type")
    if kind == "button":
        return _button(block_id, element)
    if kind in ("static_select", "overflow"):
        return _chooser(block_id, element)
    if kind in ("checkboxes", "users_select", "multi_users_select"):
        return _picker(block_id, element, people)
    if kind == "image":
        return _image(element)
    return f'<span class="unsupported">[{_esc(kind)}]</span>'


def input_html(
    block: Mapping[str, Any], people: People = (), typed: Mapping[str, list[str]] | None = None
) -> str:
    """An input block's element, named for the modal's state; `typed` (by field name) is what
    the person had entered when the app answered with errors, kept as Slack keeps it."""
    element = dict(block.get("element") or {})
    kind = str(element.get("type", ""))
    raw_name = f"input:{block.get('block_id', '')}:{element.get('action_id', '')}:{kind}"
    name = _esc(raw_name)
    if typed and raw_name in typed:
        kept = [v for v in typed[raw_name] if v]
        as_options = [{"value": v} for v in kept]
        element.update(
            initial_value=kept[0] if kept else "",
            initial_options=as_options,
            initial_option=as_options[0] if as_options else None,
            initial_users=kept,
            initial_user=kept[0] if kept else None,
            initial_date=kept[0] if kept else "",
        )
    # Slack itself refuses to submit a modal with a required field left empty.
    need = "" if block.get("optional") else " required"

    initial = element.get("initial_value", "")
    if kind == "plain_text_input":
        if element.get("multiline"):
            return f'<textarea name="{name}"{need}>{_esc(initial)}</textarea>'
        return f'<input type="text" name="{name}" value="{_esc(initial)}"{need}>'
    if kind in ("static_select", "multi_static_select"):
        chosen = {o.get("value") for o in element.get("initial_options") or []}
        if element.get("initial_option"):
            chosen.add(element["initial_option"].get("value"))
        multiple = " multiple" if kind.startswith("multi") else ""
        options = [] if multiple else ['<option value=""></option>']
        for option in _options(element):
            value = option.get("value", "")
            mark = " selected" if value in chosen else ""
            options.append(f'<option value="{_esc(value)}"{mark}>{_option_text(option)}</option>')
        return f'<select name="{name}"{multiple}{need}>' + "".join(options) + "</select>"
    if kind in ("radio_buttons", "checkboxes"):
        input_type = "radio" if kind == "radio_buttons" else "checkbox"
        need = need if input_type == "radio" else ""
        chosen = {o.get("value") for o in element.get("initial_options") or []}
        if element.get("initial_option"):
            chosen.add(element["initial_option"].get("value"))
        items = []
        for option in _options(element):
            value = option.get("value", "")
            mark = (" checked" if value in chosen else "") + need
            items.append(
                f'<label><input type="{input_type}" name="{name}" value="{_esc(value)}"{mark}> '
                f"{_option_text(option)}</label>"
            )
        empty = f'<input type="hidden" name="{name}" value="">'  # none chosen is sent too
        return '<div class="choices">' + empty + "".join(items) + "</div>"
    if kind in ("users_select", "multi_users_select"):
        multiple = " multiple" if kind.startswith("multi") else ""
        chosen = set(element.get("initial_users") or []) | {element.get("initial_user")}
        options = [] if multiple else ['<option value=""></option>']
        for user_id, shown in people:
            mark = " selected" if user_id in chosen else ""
            options.append(f'<option value="{_esc(user_id)}"{mark}>{_esc(shown)}</option>')
        return f'<select name="{name}"{multiple}{need}>' + "".join(options) + "</select>"
    if kind == "datepicker":
        date = _esc(element.get("initial_date", ""))
        return f'<input type="date" name="{name}" value="{date}"{need}>'
    if kind == "number_input":
        return f'<input type="number" name="{name}" value="{_esc(initial)}">'
    # conversations and channels selects: an id typed in
    return f'<input type="text" name="{name}" placeholder="C0GENERAL">'


def block_html(
    block: Mapping[str, Any],
    names: Names = str,
    people: People = (),
    errors: Mapping[str, str] | None = None,
    typed: Mapping[str, list[str]] | None = None,
) -> str:
    """One block as HTML."""
    kind = block.get("type")
    block_id = str(block.get("block_id", ""))
    if kind == "header":
        return f'<h3 class="header">{text_object(block.get("text"))}</h3>'
    if kind == "divider":
        return "<hr>"
    if kind == "section":
        parts = []
        if block.get("text"):
            parts.append(f'<div class="text">{text_object(block["text"], names)}</div>')
        if block.get("fields"):
            fields = "".join(
                f'<div class="field">{text_object(f, names)}</div>' for f in block["fields"]
            )
            parts.append(f'<div class="fields">{fields}</div>')
        if block.get("accessory"):
            accessory = element_html(block_id, block["accessory"], names, people)
            parts.append(f'<div class="accessory">{accessory}</div>')
        return '<div class="section">' + "".join(parts) + "</div>"
    if kind == "context":
        items = []
        for element in block.get("elements", []):
            if element.get("type") == "image":
                items.append(element_html(block_id, element))
            else:
                items.append(f"<span>{text_object(element, names)}</span>")
        return '<div class="context">' + " ".join(items) + "</div>"
    if kind == "actions":
        elements = "".join(
            element_html(block_id, e, names, people) for e in block.get("elements", [])
        )
        return f'<div class="actions">{elements}</div>'
    if kind == "input":
        error = (errors or {}).get(block_id)
        optional = ' <span class="optional">(optional)</span>' if block.get("optional") else ""
        hint = block.get("hint")
        return (
            f'<div class="input" data-block="{_esc(block_id)}"><label>'
            f"{text_object(block.get('label'))}{optional}</label>"
            f"{input_html(block, people, typed)}"
            + (f'<div class="hint">{text_object(hint)}</div>' if hint else "")
            + (f'<div class="error">{_esc(error)}</div>' if error else "")
            + "</div>"
        )
    if kind == "image":
        return _image(block)
    if kind == "rich_text":
        return f'<div class="rich">{_esc(_rich_text(block))}</div>'
    return f'<div class="unsupported">[{_esc(kind)} block]</div>'


def _image(obj: Mapping[str, Any]) -> str:
    return f'<img alt="{_esc(obj.get("alt_text", ""))}" src="{_esc(obj.get("image_url", ""))}">'


def _rich_text(block: Mapping[str, Any]) -> str:
    out = []
    for element in block.get("elements", []):
        for inner in element.get("elements", []):
            out.append(str(inner.get("text", "")))
    return "".join(out)


def blocks_html(
    blocks: Sequence[Mapping[str, Any]] | None,
    names: Names = str,
    people: People = (),
    errors: Mapping[str, str] | None = None,
    typed: Mapping[str, list[str]] | None = None,
) -> str:
    """A message's or a view's blocks, in order."""
    return "".join(block_html(block, names, people, errors, typed) for block in blocks or [])
