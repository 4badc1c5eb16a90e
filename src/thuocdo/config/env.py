"""The one place that reads the environment.

Every setting the product reads is declared in ``SETTINGS`` with its default and meaning;
``docs/settings.md`` lists them all and a test keeps the two in step.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "THUOCDO_ENV",
        "development",
        "development | test | production; production turns on secure settings.",
    ),
    Setting(
        "THUOCDO_DATA_DIR",
        "./var",
        "Folder for the embedded SQLite database, uploads, the queue and backups.",
    ),
    Setting(
        "DATABASE_URL",
        "",
        "Database URL; empty means SQLite at THUOCDO_DATA_DIR/thuocdo.sqlite3 (WAL).",
    ),
    Setting(
        "DB_CONN_MAX_AGE",
        "60",
        "Seconds a database connection is kept open for the next requests; 0 closes it after "
        "each request.",
    ),
    Setting("SECRET_KEY", "", "Django secret key; required in production."),
    Setting(
        "ALLOWED_HOSTS", "127.0.0.1,localhost", "Comma-separated host names the server answers to."
    ),
    Setting(
        "CSRF_TRUSTED_ORIGINS",
        "",
        "Comma-separated origins (https://host) trusted for CSRF in production.",
    ),
    Setting(
        "REDIS_URL",
        "",
        "Redis URL for the job queue and cache; empty means the embedded queue and a local cache.",
    ),
    Setting(
        "EMAIL_BACKEND",
        "django.core.mail.backends.console.EmailBackend",
        "Django e-mail backend for reminders.",
    ),
    Setting("EMAIL_HOST", "localhost", "SMTP host when the SMTP backend is used."),
    Setting("EMAIL_PORT", "25", "SMTP port."),
    Setting("EMAIL_HOST_USER", "", "SMTP user name; empty means no authentication."),
    Setting("EMAIL_HOST_PASSWORD", "", "SMTP password of EMAIL_HOST_USER."),
    Setting("EMAIL_USE_TLS", "0", "1 to use STARTTLS with the SMTP server."),
    Setting("EMAIL_TIMEOUT", "20", "Seconds before an SMTP connection attempt is given up."),
    Setting(
        "DEFAULT_FROM_EMAIL",
        "thuocdo@localhost",
        "Sender address of the e-mail outbox (results, reminders).",
    ),
    Setting(
        "SITE_URL",
        "http://127.0.0.1:8000",
        "Public address of the site, for links in e-mails, certificates and QR codes.",
    ),
    Setting("MAX_UPLOAD_MB", "50", "Largest accepted upload (imports, evidence files), in MiB."),
    Setting(
        "LOGIN_FAILURE_LIMIT",
        "5",
        "Failed logins of one account (from any address) before each further try waits; the "
        "owner and the administrators are told by e-mail.",
    ),
    Setting(
        "LOGIN_DELAY_SECONDS",
        "30",
        "First wait after LOGIN_FAILURE_LIMIT failures; it doubles with each further failure.",
    ),
    Setting(
        "LOGIN_LOCK_MINUTES",
        "15",
        "Longest wait between two login tries of a throttled account or address.",
    ),
    Setting(
        "LOGIN_ADDRESS_LIMIT",
        "20",
        "Failed logins from one client address (any user names) in an hour before that address "
        "waits between tries.",
    ),
    Setting(
        "THUOCDO_TRUSTED_PROXIES",
        "",
        "Comma-separated addresses or networks of the reverse proxies whose X-Forwarded-For is "
        "believed (e.g. 127.0.0.1); empty means the connecting address is the client.",
    ),
    Setting(
        "SESSION_IDLE_MINUTES",
        "30",
        "Minutes without a request after which a logged-in session ends.",
    ),
    Setting(
        "SESSION_MAX_HOURS",
        "12",
        "Longest life of a logged-in session, however active.",
    ),
    Setting(
        "RESUME_FAILURE_LIMIT",
        "10",
        "Wrong resume codes per campaign and client address in an hour before that address "
        "is refused (429) for the rest of the hour.",
    ),
    Setting(
        "CONTACT_LIMIT_PER_RESPONSE",
        "5",
        "Requests to be contacted by a provider that a respondent without an account may make "
        "for one response in a day; past it they are refused (429).",
    ),
    Setting(
        "CONTACT_LIMIT_PER_ADDRESS",
        "20",
        "Requests to be contacted, without an account, from one client address in an hour; "
        "past it they are refused (429).",
    ),
    Setting("LOG_LEVEL", "INFO", "Root log level."),
    Setting(
        "BACKUP_DIR",
        "",
        "Folder of the scheduled backup generations; empty means THUOCDO_DATA_DIR/backups.",
    ),
    Setting(
        "BACKUP_KEEP",
        "7",
        "Backup generations kept in BACKUP_DIR and BACKUP_COPY_TO; 0 turns the nightly job off.",
    ),
    Setting(
        "BACKUP_COPY_TO",
        "",
        "Second location (another disk or a network mount) each new backup is copied to.",
    ),
    Setting(
        "THUOCDO_WEB_NODES",
        "1",
        "Machines running the web server or the worker; with more than one, check --deploy "
        "refuses upload and backup folders that are not on a shared (network) filesystem.",
    ),
    Setting(
        "ANALYTICS_READER_WAIT_AFTER",
        "30",
        "Seconds a change may wait for the queued refresh of its campaign's columnar copy before "
        "a dashboard reader refreshes the copy itself (readers otherwise never wait).",
    ),
)

_KNOWN = {s.name: s for s in SETTINGS}


def get(name: str) -> str:
    """Return an environment setting, or its declared default."""
    setting = _KNOWN[name]
    return os.environ.get(name, setting.default)


def is_set(name: str) -> bool:
    """Whether the environment gives ``name`` a non-blank value (not the default)."""
    if name not in _KNOWN:
        raise KeyError(f"{name} is not a declared setting")
    return bool(os.environ.get(name, "").strip())


def locale_language() -> str:
    """``en`` when the locale asks for English (LANGUAGE, LC_ALL, LC_MESSAGES, LANG, the first
    set and not C/POSIX), else ``vi``: the language of command-line messages."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            return "en" if value.lower().startswith("en") else "vi"
    return "vi"


def get_int(name: str) -> int:
    value = get(name)
    try:
        return int(value)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, got {value!r}") from exc


def get_list(name: str) -> list[str]:
    return [part.strip() for part in get(name).split(",") if part.strip()]


def data_dir() -> Path:
    """THUOCDO_DATA_DIR, created when missing; a folder that cannot be created or written is a
    set-up mistake (one line naming the folder, never a traceback)."""
    from thuocdo.config.setup_errors import SetupError

    path = Path(get("THUOCDO_DATA_DIR")).resolve()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        raise SetupError("data_dir", path=str(path)) from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise SetupError("data_dir", path=str(path))
    return path
