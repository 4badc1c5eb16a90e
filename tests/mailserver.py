"""A real SMTP server on loopback for the e-mail tests (aiosmtpd, a port chosen at run time).

``smtp_server`` starts one per test and points Django's SMTP backend at it. ``refuse`` plans
the server's answers to RCPT for an address (``"451 4.3.0 Try again later"`` once, say): each
planned answer is used once, then the server accepts.
"""

from __future__ import annotations

import asyncio
import email
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from typing import Any

import pytest


@dataclass
class SmtpServer:
    host: str = "127.0.0.1"
    port: int = 0
    messages: list[EmailMessage] = field(default_factory=list)
    rcpt_seen: list[str] = field(default_factory=list)
    plans: dict[str, list[str]] = field(default_factory=dict)

    def refuse(self, address: str, *answers: str) -> None:
        self.plans.setdefault(address.lower(), []).extend(answers)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address.lower() in str(m["To"]).lower()]


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self, smtp: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        self.server.rcpt_seen.append(address.lower())
        plan = self.server.plans.get(address.lower())
        if plan:
            return plan.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.server.messages.append(message)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[SmtpServer]:
    from aiosmtpd.smtp import SMTP

    state = SmtpServer()
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    async def start() -> asyncio.base_events.Server:
        return await loop.create_server(
            lambda: SMTP(_Handler(state), hostname="127.0.0.1", loop=loop), "127.0.0.1", 0
        )

    server = asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=10)
    state.port = server.sockets[0].getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = state.host
    settings.EMAIL_PORT = state.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    settings.SITE_URL = "https://thuocdo.example.vn"
    try:
        yield state
    finally:

        async def stop() -> None:
            server.close()
            await server.wait_closed()

        asyncio.run_coroutine_threadsafe(stop(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
