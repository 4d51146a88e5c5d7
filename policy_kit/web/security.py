"""Safe by default, as ASGI middleware around the app:

- ``SecurityHeaders``: a strict Content-Security-Policy (no inline script or style, nothing from
  other origins, no framing) and the usual hardening headers on every response; a response that
  sets its own CSP (a sandboxed document preview) keeps it.
- ``BodyLimit``: refuses a request body larger than the limit (413), by Content-Length at once
  and by counting while it arrives.
- ``TokenGate``: when the server has a token, every request needs it: an ``Authorization:
  Bearer`` header, or the cookie set after ``?token=…`` or the login form.
- ``CsrfCookie``: every browser gets a random CSRF token in a SameSite=Strict cookie; forms carry
  it in a hidden field and ``check_csrf`` compares the two (plus the Origin header)."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from http.cookies import SimpleCookie
from typing import Any, Awaitable, Callable
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
# A generated document shown inside the page: its own inline CSS, no script at all, framed by us only.
PREVIEW_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'; sandbox"

AUTH_COOKIE = "pk_auth"
CSRF_COOKIE = "pk_csrf"
CSRF_FIELD = "csrf"
_OPEN_PATHS = ("/login", "/static/")  # reachable without the token (the login page and its CSS)


class SecurityHeaders:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                own_csp = "content-security-policy" in headers
                headers.setdefault("content-security-policy", CSP)
                headers.setdefault("x-content-type-options", "nosniff")
                headers.setdefault("referrer-policy", "no-referrer")
                headers.setdefault("x-frame-options", "SAMEORIGIN" if own_csp else "DENY")
                headers.setdefault("cross-origin-opener-policy", "same-origin")
                headers.setdefault("permissions-policy", "camera=(), microphone=(), geolocation=()")
                headers.setdefault("cache-control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, refuse: Callable[[Scope, int], Awaitable[Any]]):
        self.app = app
        self.max_bytes = max_bytes
        self.refuse = refuse  # builds the 413 response (a Japanese page)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = Headers(scope=scope).get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            response = await self.refuse(scope, self.max_bytes)
            return await response(scope, receive, send)
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            response = await self.refuse(scope, self.max_bytes)
            await response(scope, receive, send)


def cookies(scope: Scope) -> dict[str, str]:
    jar = SimpleCookie()
    try:
        jar.load(Headers(scope=scope).get("cookie", ""))
    except Exception:  # a malformed Cookie header is treated as no cookies
        return {}
    return {k: v.value for k, v in jar.items()}


def session_value(token: str) -> str:
    """What the auth cookie holds: derived from the token, so the cookie never shows the token."""
    return hmac.new(token.encode(), b"policy-kit web session", hashlib.sha256).hexdigest()


def token_matches(given: str | None, token: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


def auth_cookie(token: str, secure: bool) -> str:
    return f"{AUTH_COOKIE}={session_value(token)}; Path=/; HttpOnly; SameSite=Strict" + ("; Secure" if secure else "")


class TokenGate:
    def __init__(self, app: ASGIApp, token: str | None, refuse: Callable[[Scope], Awaitable[Any]]):
        self.app = app
        self.token = token
        self.refuse = refuse  # builds the 401 response (the login page)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.token is None:
            return await self.app(scope, receive, send)
        if self.authorised(scope) or scope["path"].startswith(_OPEN_PATHS):
            return await self.app(scope, receive, send)
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        if scope["method"] == "GET" and token_matches(query.get("token"), self.token):
            rest = urlencode([(k, v) for k, v in parse_qsl(scope.get("query_string", b"").decode("latin-1")) if k != "token"])
            location = scope.get("root_path", "") + scope["path"] + (f"?{rest}" if rest else "")
            headers = [(b"location", location.encode("latin-1", "replace")),
                       (b"set-cookie", auth_cookie(self.token, scope.get("scheme") == "https").encode())]
            await send({"type": "http.response.start", "status": 303, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        response = await self.refuse(scope)
        await response(scope, receive, send)

    def authorised(self, scope: Scope) -> bool:
        assert self.token is not None
        header = Headers(scope=scope).get("authorization", "")
        if header.lower().startswith("bearer ") and token_matches(header[7:].strip(), self.token):
            return True
        return hmac.compare_digest(cookies(scope).get(AUTH_COOKIE, "").encode(), session_value(self.token).encode())


class CsrfCookie:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        given = cookies(scope).get(CSRF_COOKIE, "")
        fresh = not (len(given) == 43 and given.replace("-", "a").replace("_", "a").isalnum())
        token = secrets.token_urlsafe(32) if fresh else given
        state = scope.setdefault("state", {})
        state["csrf"] = token
        state["csrf_from_cookie"] = not fresh

        async def send_cookie(message: Message) -> None:
            if fresh and message["type"] == "http.response.start":
                secure = "; Secure" if scope.get("scheme") == "https" else ""
                MutableHeaders(scope=message).append("set-cookie", f"{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{secure}")
            await send(message)

        await self.app(scope, receive, send_cookie)


def csrf_problem(scope: Scope, posted: str | None) -> str | None:
    """Why a form post is refused (None when it is fine): the hidden field must equal the cookie,
    and a browser's Origin header must be this server."""
    headers = Headers(scope=scope)
    if headers.get("sec-fetch-site") == "cross-site":
        return "other site"
    origin = headers.get("origin")
    if origin and origin != "null":
        host = headers.get("host", "")
        if origin.split("://", 1)[-1] != host:
            return "origin"
    state = scope.get("state", {})
    if not state.get("csrf_from_cookie") or not posted or not hmac.compare_digest(posted.encode(), state["csrf"].encode()):
        return "token"
    return None
