"""The playground's Block Kit renderer: each block type as HTML, and everything escaped."""

import json

from bot.playground.blockkit import block_html, blocks_html, mrkdwn

EVIL = "<script>alert(1)</script>"


def test_mrkdwn_formats_bold_italics_strike_code_quotes_and_lists():
    html = mrkdwn("*bold* _it_ ~gone~ `x = 1`\n&gt; quoted\n• one\n• two")
    assert "<b>bold</b>" in html and "<i>it</i>" in html and "<s>gone</s>" in html
    assert "<code>x = 1</code>" in html
    assert "<blockquote>quoted</blockquote>" in html
    assert "<ul><li>one</li><li>two</li></ul>" in html


def test_mrkdwn_links_and_mentions():
    html = mrkdwn("see <https://e.com/a?b=1&amp;c=2|the *guide*> by <@U0ANA>", {"U0ANA": "Ana"}.get)
    assert '<a href="https://e.com/a?b=1&amp;c=2">the *guide*</a>' in html
    assert '<span class="mention">@Ana</span>' in html


def test_mrkdwn_never_lets_markup_through():
    # The app escapes what people type as Slack does (&lt; …); a link's target is not a script.
    html = mrkdwn(f"&lt;script&gt;alert(1)&lt;/script&gt; <javascript:alert(1)|click> {EVIL}")
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="#"' in html and "javascript:" not in html.split("href=")[1].split(">")[0]


def test_header_divider_context():
    assert block_html({"type": "header", "text": {"type": "plain_text", "text": EVIL}}) == (
        '<h3 class="header">&lt;script&gt;alert(1)&lt;/script&gt;</h3>'
    )
    assert block_html({"type": "divider"}) == "<hr>"
    context = block_html(
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "_small_ " + EVIL}]}
    )
    assert '<div class="context">' in context and "<i>small</i>" in context
    assert "<script" not in context


def test_section_with_fields_and_a_button_accessory():
    html = block_html(
        {
            "type": "section",
            "block_id": "b1",
            "text": {"type": "mrkdwn", "text": "*Title*"},
            "fields": [{"type": "mrkdwn", "text": "one"}, {"type": "plain_text", "text": EVIL}],
            "accessory": {
                "type": "button",
                "action_id": "share",
                "value": 'v"1',
                "text": {"type": "plain_text", "text": "Share"},
                "style": "primary",
            },
        }
    )
    assert '<div class="text"><b>Title</b></div>' in html
    assert '<div class="field">one</div>' in html and "<script" not in html
    assert 'class="btn primary"' in html and ">Share</button>" in html
    act = html.split('name="act" value="')[1].split('"')[0]
    assert json.loads(act.replace("&quot;", '"')) == {
        "block_id": "b1",
        "action_id": "share",
        "type": "button",
        "value": 'v"1',
    }


def test_actions_with_button_static_select_and_overflow():
    html = block_html(
        {
            "type": "actions",
            "block_id": "a",
            "elements": [
                {"type": "button", "action_id": "go", "text": {"type": "plain_text", "text": "Go"}},
                {
                    "type": "static_select",
                    "action_id": "pick",
                    "placeholder": {"type": "plain_text", "text": "Pick"},
                    "options": [{"text": {"type": "plain_text", "text": EVIL}, "value": "x"}],
                },
                {
                    "type": "overflow",
                    "action_id": "more",
                    "options": [{"text": {"type": "plain_text", "text": "Stop"}, "value": "s"}],
                },
            ],
        }
    )
    assert html.startswith('<div class="actions">')
    assert ">Go</button>" in html
    assert 'class="static_select"' in html and 'class="overflow"' in html
    assert '<option value="">Pick</option>' in html and ">Stop</option>" in html
    assert "<script" not in html


def test_input_blocks_name_their_state_and_show_errors():
    blocks = [
        {
            "type": "input",
            "block_id": "what",
            "label": {"type": "plain_text", "text": "What happened?"},
            "element": {
                "type": "plain_text_input",
                "action_id": "text",
                "multiline": True,
                "initial_value": EVIL,
            },
        },
        {
            "type": "input",
            "block_id": "who",
            "optional": True,
            "label": {"type": "plain_text", "text": "Who"},
            "element": {"type": "users_select", "action_id": "user"},
        },
        {
            "type": "input",
            "block_id": "kind",
            "label": {"type": "plain_text", "text": "Kind"},
            "element": {
                "type": "radio_buttons",
                "action_id": "k",
                "options": [{"text": {"type": "plain_text", "text": "A"}, "value": "a"}],
            },
        },
    ]
    html = blocks_html(blocks, people=[("U0BEN", "Ben")], errors={"what": "Say a little more"})
    assert '<textarea name="input:what:text:plain_text_input" required>&lt;script&gt;' in html
    assert '<select name="input:who:user:users_select">' in html  # optional: not required
    assert '<option value="U0BEN">Ben</option>' in html and "(optional)" in html
    assert '<input type="radio" name="input:kind:k:radio_buttons" value="a" required>' in html
    assert '<div class="error">Say a little more</div>' in html


def test_an_unknown_block_is_named_not_dropped():
    assert "[video block]" in block_html({"type": "video"})
