"""`bot.wsgi:application` for running inflow under any WSGI server (gunicorn bot.wsgi:application).

`inflow serve` is the usual way; this entry point builds the same app from the environment.
"""

from bot.config import load_settings
from bot.logs import configure_logging
from bot.server import build_wsgi

_settings = load_settings()
configure_logging(_settings.log_level, _settings.log_format)
application = build_wsgi(_settings)
