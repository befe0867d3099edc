"""The baseline: a bare Bolt app with Bolt's default settings that only acks /learn."""

import os

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

app = App(
    client=WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]),
    signing_secret=os.environ["SLACK_SIGNING_SECRET"],
)


@app.command("/learn")
def learn(ack):
    ack("ok")


application = SlackRequestHandler(app)
