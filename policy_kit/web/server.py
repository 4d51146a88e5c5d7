"""Start the web app with uvicorn: local-only by default; any other address needs a token."""
from __future__ import annotations

import ipaddress
import os
from pathlib import Path

from ..errors import PolicyKitError
from .settings import MB, Settings, default_data_dir

MIN_TOKEN_LENGTH = 16
TOKEN_ENV = "POLICY_KIT_TOKEN"


def is_local(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_token(host: str, token: str | None) -> str | None:
    """The token to require (None: none), or an error when the address needs one."""
    token = (token or "").strip() or None
    if token is None and not is_local(host):
        raise PolicyKitError(
            f"refusing to listen on {host} without a token: pass --token or set {TOKEN_ENV} "
            "(generate one with: python3 -c 'import secrets; print(secrets.token_urlsafe(24))')",
            ja=f"{host} で待ち受けるにはトークンが必要です（--token か 環境変数 {TOKEN_ENV}）")
    if token is not None and len(token) < MIN_TOKEN_LENGTH:
        raise PolicyKitError(f"the token is too short: use at least {MIN_TOKEN_LENGTH} characters",
                             ja=f"トークンが短すぎます（{MIN_TOKEN_LENGTH}文字以上にしてください）")
    return token


def build_settings(data: Path | None, token: str | None, jobs: int | None, max_upload_mb: int) -> Settings:
    return Settings(data_dir=(data or default_data_dir()).resolve(), token=token, jobs=jobs or os.cpu_count() or 1,
                    max_request_bytes=max_upload_mb * MB)


def serve(host: str, port: int, settings: Settings, log_level: str = "info") -> None:
    import uvicorn

    from .app import create_app

    app = create_app(settings)
    uvicorn.run(app, host=host, port=port, log_level=log_level, proxy_headers=True, forwarded_allow_ips="127.0.0.1", server_header=False,
                timeout_graceful_shutdown=10)
