"""compose.yaml and its configuration files, checked without Docker: the services are there,
each waits for what it needs and says when it is healthy, and the pieces point at each other."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from sqlalchemy.engine import make_url

from bot.config import _ENV_NAMES, Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


@pytest.fixture(scope="module")
def inflow_env(services) -> dict[str, str]:
    return services["inflow"]["environment"]


@pytest.fixture(scope="module")
def nginx_conf(services) -> str:
    return _mounted(services["lb"], "/etc/nginx/nginx.conf").read_text()


def _mounted(service: dict, target: str) -> Path:
    """The repository file a service mounts at `target` (which must exist)."""
    [source] = [v.split(":")[0] for v in service["volumes"] if v.split(":")[1] == target]
    path = (ROOT / source).resolve()
    assert path.is_file(), f"{source} is mounted but not in the repository"
    return path


# Every path inflow answers (bot/server.py, bot/oauth.py): what the load balancer passes on,
# and /metrics, which Prometheus scrapes on each replica from inside.
PROXIED = ("/slack/events", "/healthz", "/slack/install", "/slack/oauth_redirect")
KEPT_INSIDE = {"/metrics"}


def _nginx_answer(conf: str, path: str) -> str:
    """What nginx.conf does with a request for `path`: the one directive of the location nginx
    picks (an exact `=` location first, else the longest matching prefix)."""
    locations = {
        where.strip(): body.strip()
        for where, body in re.findall(r"location\s+(=?\s*[^\s{]+)\s*\{(.*?)\}", conf, re.S)
    }
    assert not any(where.startswith(("~", "^~")) for where in locations), "regex: teach me"
    if f"= {path}" in locations:
        return locations[f"= {path}"]
    prefixes = [where for where in locations if not where.startswith("=")]
    longest = max((p for p in prefixes if path.startswith(p)), key=len, default=None)
    assert longest is not None, f"nginx has no location for {path}"
    return locations[longest]


# A .env that sets every setting compose passes on, each to a value other than its default.
SAMPLE = {
    "SLACK_BOT_TOKEN": "xoxb-1234-5678-abcdef",
    "SLACK_SIGNING_SECRET": "0123456789abcdef0123456789abcdef",
    "SLACK_CLIENT_ID": "1234.5678",
    "SLACK_CLIENT_SECRET": "fedcba9876543210fedcba9876543210",
    "SLACK_REDIRECT_URI": "https://inflow.example.org/slack/oauth_redirect",
    "INFLOW_ENCRYPTION_KEY": "4vM1GQ1kEt9b5z4xg3S2cWf6Jw3kqX8nH7s9dTq2Zr0=",
    "INFLOW_UNINSTALL_GRACE_DAYS": "7",
    "SLACK_API_URL": "https://slack.example.org/api/",
    "INFLOW_ADMINS": "U0ADMIN1,U0ADMIN2",
    "INFLOW_LEARNING_CHANNEL": "C0LEARN",
    "INFLOW_DEFAULT_TZ": "Europe/Berlin",
    "INFLOW_NUDGE_BUDGET": "5",
    "INFLOW_HELPFUL_EMOJI": "tada",
    "INFLOW_UNHELPFUL_EMOJI": "confused",
    "INFLOW_WORKERS": "3",
    "INFLOW_THREADS": "4",
    "INFLOW_HTTP_WORKER": "gthread",
    "LOG_LEVEL": "WARNING",
    "LOG_FORMAT": "text",
}
# The least a .env must say.
MINIMAL = {"SLACK_SIGNING_SECRET": "99999999999999999999999999999999"}
# Settings compose decides whatever .env says: its own PostgreSQL, and the port nginx, the
# health checks and Prometheus reach.
SET_BY_COMPOSE = {"DATABASE_URL": "sqlite:///elsewhere.db", "PORT": "8080"}
# Settings compose never passes on: Socket Mode would bypass the load balancer, and the library
# is the one in the image (INFLOW_CONTENT_DIR is set by the Dockerfile).
NOT_PASSED = {"SLACK_APP_TOKEN": "xapp-1-2-3", "INFLOW_CONTENT_DIR": "/somewhere/else"}


def _interpolate(environment: dict[str, str], dot_env: dict[str, str]) -> dict[str, str]:
    """The environment a replica gets, interpolated as compose does from `dot_env` (plus
    SET_BY_COMPOSE and NOT_PASSED, to show that they change nothing)."""
    given = {**dot_env, **SET_BY_COMPOSE, **NOT_PASSED}

    def value(match: re.Match) -> str:
        name, operator, argument = match.group(1), match.group(2), match.group(3)
        found = given.get(name, "")
        if operator == ":?":
            assert found, argument
        return found or (argument if operator == ":-" else "")

    pattern = re.compile(r"\$\{(\w+)(?:(:[-?])([^}]*))?\}")
    return {name: pattern.sub(value, str(raw)) for name, raw in environment.items()}


def _replica_settings(environment, dot_env, monkeypatch, tmp_path) -> Settings:
    """The Settings a replica starts with when compose reads `dot_env`."""
    for name in _ENV_NAMES.values():
        monkeypatch.delenv(name, raising=False)
    for name, value in _interpolate(environment, dot_env).items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)  # no stray .env: the container has none
    return load_settings()


def _port(services) -> int:
    return int(services["inflow"]["environment"]["PORT"])


def test_postgres_three_inflow_replicas_and_a_load_balancer(services):
    assert {"postgres", "inflow", "lb"} <= services.keys()
    assert services["inflow"]["deploy"]["replicas"] == 3
    assert (ROOT / services["inflow"]["build"] / "Dockerfile").is_file()
    # Replicas cannot share a container name or a host port; the load balancer has the port.
    assert "container_name" not in services["inflow"] and "ports" not in services["inflow"]
    assert services["lb"]["ports"]


def test_every_service_says_when_it_is_healthy(services):
    for name, service in services.items():
        check = service.get("healthcheck")
        assert check and check["test"][0] in ("CMD", "CMD-SHELL"), name
        assert {"interval", "timeout", "retries"} <= check.keys(), name


def test_each_service_waits_until_what_it_needs_is_healthy(services):
    def waits_for(name: str) -> dict[str, str]:
        return {dep: spec["condition"] for dep, spec in services[name]["depends_on"].items()}

    assert waits_for("inflow") == {"postgres": "service_healthy"}
    assert waits_for("lb") == {"inflow": "service_healthy"}


def test_the_replicas_serve_http_on_one_postgres_database(services, inflow_env):
    inflow, postgres = services["inflow"], services["postgres"]
    assert inflow["command"][:2] == ["inflow", "serve"] and "--http" in inflow["command"]
    assert "SLACK_APP_TOKEN" not in inflow_env  # Socket Mode would bypass the load balancer

    database = make_url(inflow_env["DATABASE_URL"])
    pg_env = postgres["environment"]
    assert database.drivername == "postgresql+psycopg"
    assert (database.host, database.port) == ("postgres", 5432)
    assert (database.username, database.database) == (
        pg_env["POSTGRES_USER"],
        pg_env["POSTGRES_DB"],
    )
    assert database.password == "${POSTGRES_PASSWORD:-inflow}" == pg_env["POSTGRES_PASSWORD"]


def test_slack_credentials_must_come_from_the_environment(inflow_env):
    assert re.fullmatch(r"\$\{SLACK_SIGNING_SECRET:\?.+\}", inflow_env["SLACK_SIGNING_SECRET"])
    # either set-up: whichever is unset reaches inflow empty, which it reads as unset
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_CLIENT_ID",
        "SLACK_CLIENT_SECRET",
        "INFLOW_ENCRYPTION_KEY",
    ):
        assert inflow_env[name] == f"${{{name}:-}}", name
    settings = load_settings(
        slack_bot_token="", slack_client_id="", slack_client_secret="", encryption_keys=""
    )
    assert (settings.slack_bot_token, settings.oauth, settings.encryption_keys) == (None, False, [])


def test_every_inflow_variable_is_one_inflow_reads(inflow_env):
    known = set(_ENV_NAMES.values()) | {"PROMETHEUS_MULTIPROC_DIR"}
    assert set(inflow_env) <= known
    assert inflow_env["LOG_FORMAT"] == "${LOG_FORMAT:-json}"  # json unless .env says otherwise


def test_every_setting_in_dot_env_reaches_the_replicas(inflow_env, monkeypatch, tmp_path):
    """A .env giving every setting a value of its own changes each of them in the replicas,
    except the few compose decides itself."""
    assert SAMPLE.keys() | SET_BY_COMPOSE.keys() | NOT_PASSED.keys() == set(_ENV_NAMES.values())
    assert not NOT_PASSED.keys() & _interpolate(inflow_env, SAMPLE).keys()
    given = _replica_settings(inflow_env, SAMPLE, monkeypatch, tmp_path)
    unset = _replica_settings(inflow_env, MINIMAL, monkeypatch, tmp_path)
    for field, name in _ENV_NAMES.items():
        if name in SAMPLE:
            assert getattr(given, field) != getattr(unset, field), f"{name} does not reach inflow"
    assert given.admin_user_ids == ["U0ADMIN1", "U0ADMIN2"]
    assert given.database_url.endswith("@postgres:5432/inflow") and given.port == 3000


def test_settings_left_unset_in_dot_env_keep_their_defaults(inflow_env, monkeypatch, tmp_path):
    settings = _replica_settings(inflow_env, MINIMAL, monkeypatch, tmp_path)
    assert (settings.default_tz, settings.weekly_nudge_budget, settings.log_level) == (
        "UTC",
        3,
        "INFO",
    )
    assert settings.admin_user_ids == [] and settings.learning_channel is None
    assert settings.log_format == "json" and settings.workers == 2


def test_every_setting_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("## Configuration") : readme.index("## Commands")]
    for name in _ENV_NAMES.values():
        assert f"`{name}`" in table, f"{name} is missing from README's Configuration table"


def test_postgres_allows_every_worker_its_pool_at_five_replicas(services, inflow_env):
    command = " ".join(services["postgres"]["command"])
    [limit] = re.findall(r"max_connections=(\d+)", command)
    pool = 10 + 10  # bot.db.make_engine: pool_size and max_overflow
    workers = _interpolate(inflow_env, MINIMAL)["INFLOW_WORKERS"]
    assert int(limit) >= 5 * int(workers) * pool


def test_the_health_checks_ask_healthz_on_the_port_inflow_listens_on(services):
    replica_check = " ".join(services["inflow"]["healthcheck"]["test"])
    [url] = re.findall(r"http://[^'\" ]+", replica_check)
    assert urlsplit(url).port == _port(services) and urlsplit(url).path == "/healthz"
    assert "/healthz" in " ".join(services["lb"]["healthcheck"]["test"])


def test_the_load_balancer_passes_slack_and_health_to_every_replica(services, nginx_conf):
    [upstream] = re.findall(r"upstream (\w+) \{(.*?)\}", nginx_conf, re.S)
    name, body = upstream
    assert re.search(rf"server inflow:{_port(services)} resolve;", body)
    for path in PROXIED:
        assert _nginx_answer(nginx_conf, path) == f"proxy_pass http://{name};", path
    assert "resolver 127.0.0.11" in nginx_conf  # Docker's DNS: replicas come and go
    assert "proxy_set_header X-Request-Id $request_id;" in nginx_conf
    [listen] = re.findall(r"listen (\d+);", nginx_conf)
    assert [p.rsplit(":", 1)[1] for p in services["lb"]["ports"]] == [listen]


def test_every_path_inflow_serves_is_known_here():
    """A new route in bot/server.py or bot/oauth.py must be placed in PROXIED or kept inside."""
    from bot import oauth, server

    routes = {
        value
        for module in (server, oauth)
        for constant, value in vars(module).items()
        if constant.endswith("_PATH") and isinstance(value, str)
    }
    assert routes == set(PROXIED) | KEPT_INSIDE


def test_the_load_balancer_passes_oauth_so_workspaces_can_install(nginx_conf):
    from bot.oauth import INSTALL_PATH, REDIRECT_PATH

    for path in (INSTALL_PATH, REDIRECT_PATH):
        assert _nginx_answer(nginx_conf, path).startswith("proxy_pass "), path


def test_the_load_balancer_does_not_expose_metrics(nginx_conf):
    for path in (*KEPT_INSIDE, "/", "/slack/eventsX", "/slack", "/admin"):
        assert _nginx_answer(nginx_conf, path) == "return 404;", path


def test_prometheus_scrapes_each_replica_directly(services):
    service = services["prometheus"]
    assert service["profiles"] == ["monitoring"]
    config = yaml.safe_load(_mounted(service, "/etc/prometheus/prometheus.yml").read_text())
    [job] = config["scrape_configs"]
    [discovery] = job["dns_sd_configs"]
    assert discovery["names"] == ["inflow"] and discovery["type"] == "A"
    assert discovery["port"] == _port(services)
    assert job["metrics_path"] == "/metrics"


def test_named_volumes_are_declared(compose, services):
    used = {
        v.split(":")[0]
        for service in services.values()
        for v in service.get("volumes", [])
        if not v.startswith((".", "/"))
    }
    assert used == set(compose["volumes"]) == {"pgdata"}
