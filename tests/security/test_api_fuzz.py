"""schemathesis against the project's own OpenAPI document, through the WSGI application.

The run loads ``/api/v1/openapi.json`` from the application itself and calls it in process (no
server, no network), once without credentials and once as each role of the product, with every
phase of schemathesis: the examples the request schemas carry, the coverage phase (boundary and
missing values of every parameter), random fuzzing, and the stateful phase (operations chained
through the links between their answers). Checks: no 5xx, every status the API answers is
documented, every body and content type conforms to the document, and an operation that says it
needs credentials refuses a call without them.

The whole run is bounded: a small number of examples per phase and role, and time limits per
role and phase (``RUNS``) that stop generating, never the checks of what was sent.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.fuzz, pytest.mark.django_db(transaction=True)]

ROLES = ("anonymous", "admin", "ministry", "province", "commune", "respondent", "provider")
PHASES = ("examples", "coverage", "fuzzing", "stateful")
MAX_EXAMPLES = 4  # per operation in the fuzzing phase, per role
STATEFUL_EXAMPLES = 6  # scenarios of the stateful phase, per role
STATEFUL_STEPS = 6
# per role, three runs with their own time limits, so a slow database never leaves a phase
# without cases; seven roles stay within about three minutes on two cores
RUNS: tuple[tuple[tuple[str, ...], int], ...] = (
    (("examples", "coverage"), 11),
    (("fuzzing",), 6),
    (("stateful",), 5),
)
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "ignored_auth",
)


@dataclass
class Outcome:
    cases: Counter[str] = field(default_factory=Counter)  # phase → cases sent
    operations: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


@pytest.fixture
def quiet_requests() -> Iterator[None]:
    """Thousands of refused calls would each log a warning."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


@dataclass(frozen=True)
class Account:
    token: str
    token_id: int
    user_id: int
    fields: dict[str, Any]  # what a call may change that makes the account another role


KEPT = ("role", "unit_id", "sectors", "is_active", "is_superuser", "department")


@pytest.fixture
def accounts(
    make_user: Callable[..., Any],
    token_for: Callable[[Any], str],
    make_campaign: Callable[..., Any],
    make_org: Callable[..., Any],
) -> dict[str, Account]:
    """One account per role, inside Đà Nẵng (48), with objects there for them to reach."""
    from thuocdo.geo.models import Unit

    commune = (
        Unit.objects.filter(structure="2025", level="commune", path__startswith="2025/48/")
        .order_by("code")
        .first()
    )
    assert commune is not None
    make_campaign(area="48")
    make_org(commune_code=commune.code)
    users = {
        "admin": make_user("admin"),
        "ministry": make_user("ministry", sectors=["retail"]),
        "province": make_user("province", "48"),
        "commune": make_user("commune", commune.code),
        "respondent": make_user("respondent", commune.code),
        "provider": make_user("provider"),
    }
    from thuocdo.accounts.models import ApiToken

    out = {}
    for role, user in users.items():
        token = token_for(user)
        out[role] = Account(
            token=token,
            token_id=ApiToken.objects.filter(user=user).latest("pk").pk,
            user_id=user.pk,
            fields={name: getattr(user, name) for name in KEPT},
        )
    return out


@pytest.fixture
def wsgi_transport(monkeypatch: pytest.MonkeyPatch) -> list[Account | None]:
    """Two adjustments to schemathesis' WSGI transport.

    Its engine hands every transport the options of a network session, which the WSGI
    transport passes on to werkzeug, which has no such arguments: they are dropped there.

    A generated call may revoke the caller's own token, deactivate its account or change its
    role (the ids are small numbers, and the run's accounts hold them); after every call that
    changes something, the caller's account and token are put back, so one call does not
    blind the rest of the run. The test names the account of the run in the list returned.
    """
    import requests
    from schemathesis.transport.wsgi import WSGITransport

    from thuocdo.accounts.models import ApiToken, User
    from thuocdo.accounts.services import token_cache_clear

    original = WSGITransport.send
    current: list[Account | None] = [None]

    def send(self: Any, case: Any, *, session: Any = None, **kwargs: Any) -> Any:
        if not isinstance(session, requests.Session):
            for name in ("max_redirects", "verify", "cert", "proxies"):
                kwargs.pop(name, None)
        response = original(self, case, session=session, **kwargs)
        account = current[0]
        if account is not None and case.method.upper() != "GET":
            User.objects.filter(pk=account.user_id).update(**account.fields)
            ApiToken.objects.filter(pk=account.token_id).update(revoked_at=None)
            token_cache_clear()
        return response

    monkeypatch.setattr(WSGITransport, "send", send)
    return current


def _config(headers: dict[str, str], phases: tuple[str, ...], seconds: int) -> Any:
    from schemathesis.config import SchemathesisConfig

    generation = {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"}
    return SchemathesisConfig.from_dict(
        {
            "headers": headers,
            "max-time": seconds,
            "workers": 1,
            "generation": generation,
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
            "phases": {
                "examples": {"enabled": "examples" in phases, "fill-missing": True},
                "coverage": {"enabled": "coverage" in phases},
                "fuzzing": {"enabled": "fuzzing" in phases},
                "stateful": {
                    "enabled": "stateful" in phases,
                    "max-steps": STATEFUL_STEPS,
                    "generation": {**generation, "max-examples": STATEFUL_EXAMPLES},
                },
            },
        }
    )


def _run(headers: dict[str, str], outcome: Outcome, phases: tuple[str, ...], seconds: int) -> None:
    import schemathesis
    from django.core.wsgi import get_wsgi_application
    from schemathesis.engine import Status, events

    schema = schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json", get_wsgi_application(), config=_config(headers, phases, seconds)
    )
    started = time.monotonic()
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished) and event.status != Status.SKIP:
            phase = str(event.phase.value)
            outcome.cases[phase] += len(event.recorder.cases)
            if event.recorder.cases:
                outcome.operations.add(event.recorder.label)
            for checks in event.recorder.checks.values():
                for check in checks:
                    if check.status != Status.SUCCESS:
                        info = check.failure_info
                        text = str(info.failure) if info is not None else check.status.value
                        outcome.problems.append(
                            f"{phase} {event.recorder.label} {check.name}: {text}"[:600]
                        )
        elif isinstance(event, events.NonFatalError | events.FatalError):
            outcome.problems.append(f"error: {event.info.format()}"[:600])
    outcome.seconds += time.monotonic() - started


@pytest.mark.usefixtures("quiet_requests")
def test_schemathesis_finds_no_server_error_and_no_schema_violation(
    accounts: dict[str, Account], wsgi_transport: list[Account | None]
) -> None:
    from tests.security.routes import api_routes

    operations = len(api_routes())
    report = []
    problems: list[str] = []
    for role in ROLES:
        account = accounts.get(role)
        wsgi_transport[0] = account
        headers = {} if account is None else {"Authorization": f"Bearer {account.token}"}
        outcome = Outcome()
        for phases, seconds in RUNS:
            _run(headers, outcome, phases, seconds)
        problems += [f"[{role}] {p}" for p in dict.fromkeys(outcome.problems)]
        counts = ", ".join(f"{phase} {outcome.cases[phase]}" for phase in PHASES)
        report.append(
            f"{role}: {counts}; {len(outcome.operations)} operations ({outcome.seconds:.0f} s)"
        )
        # every phase ran, and the unit phases reached (almost) every operation
        for phase in PHASES:
            assert outcome.cases[phase] > 0, f"{role}: no case in the {phase} phase"
        assert len(outcome.operations) >= operations - 2, (
            f"{role}: {len(outcome.operations)} of {operations} operations called"
        )
    print("schemathesis cases per role and phase:\n" + "\n".join(report))
    assert not problems, "\n".join(problems)
