"""What the server may do: where it keeps its data, whether a token is required, upload limits."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

MB = 1024 * 1024


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/policy-kit/web`` (default ``~/.local/share/policy-kit/web``)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "policy-kit" / "web"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    token: str | None = None  # when set, every page requires it
    jobs: int = 1  # worker processes for an audit
    max_request_bytes: int = 200 * MB  # one upload request, all files together
    max_file_bytes: int = 50 * MB  # one document (the checker's limit)
    max_files: int = 500  # files in one audit upload (after opening ZIPs)
    max_zip_members: int = 5000  # entries in one ZIP
    max_zip_bytes: int = 1024 * MB  # one ZIP's contents, uncompressed
    max_zip_ratio: int = 200  # uncompressed / compressed size of one entry (zip bombs)
    max_pages: int = 500
    max_yaml_bytes: int = 2 * MB
    keep_results: int = 50  # check results kept in memory for their downloads

    @property
    def tmp_dir(self) -> Path:
        return self.data_dir / "tmp"

    @property
    def audits_dir(self) -> Path:
        return self.data_dir / "audits"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"

    @property
    def database(self) -> Path:
        return self.data_dir / "audits.sqlite3"
