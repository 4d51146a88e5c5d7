"""The real server in a child process on a free localhost port, and a headless Chromium to drive it.

Used by the browser tests, scripts/screenshots.py and benchmarks/web.py, so all three exercise
exactly what `policy-kit serve` runs: uvicorn, the middleware, the templates, the job processes.
Chromium and its driver are Debian's (chromium, chromium-driver), as in tests/test_audit.py."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class RunningServer:
    url: str
    process: subprocess.Popen
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data_dir: Path, *, token: str | None = None, jobs: int = 1, extra: list[str] | None = None,
                 timeout: float = 60.0) -> RunningServer:
    """`policy-kit serve` on 127.0.0.1 and a free port; returns when the server answers."""
    port = free_port()
    log = data_dir.parent / f"server-{port}.log"
    cmd = [sys.executable, "-c", "from policy_kit.cli import main; main()", "serve", "--port", str(port),
           "--data", str(data_dir), "--jobs", str(jobs), *(extra or [])]
    env = dict(os.environ)
    env.pop("POLICY_KIT_TOKEN", None)
    if token:
        env["POLICY_KIT_TOKEN"] = token
    with log.open("wb") as handle:
        process = subprocess.Popen(cmd, stdout=handle, stderr=subprocess.STDOUT, env=env)
    server = RunningServer(f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped at start:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(server.url + "/static/web.css", timeout=2):
                return server
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"the server did not answer within {timeout:.0f} s:\n{log.read_text(errors='replace')}")


def browser_available() -> bool:
    return bool(shutil.which("chromium") and shutil.which("chromedriver"))


def chrome(profile_dir: Path, download_dir: Path | None = None, width: int = 1400, height: int = 1000) -> Any:
    """Headless Debian Chromium through selenium; downloads go to ``download_dir``."""
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-dev-shm-usage", f"--user-data-dir={profile_dir}",
                 f"--window-size={width},{height}", "--lang=ja", "--hide-scrollbars"):
        options.add_argument(flag)
    if download_dir is not None:
        options.add_experimental_option("prefs", {"download.default_directory": str(download_dir), "download.prompt_for_download": False,
                                                  "safebrowsing.enabled": False})
    options.add_experimental_option("prefs", {**options.experimental_options.get("prefs", {}), "intl.accept_languages": "ja"})
    service = webdriver.ChromeService(executable_path=shutil.which("chromedriver") or "chromedriver")
    driver = webdriver.Chrome(options=options, service=service)
    if download_dir is not None:
        driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(download_dir)})
    return driver


def set_width(driver: Any, width: int, height: int = 1000) -> None:
    """Make the page's viewport ``width`` CSS pixels wide (a phone: 375)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})


def horizontal_overflow(driver: Any) -> int:
    """How many pixels the page is wider than the viewport (0: no sideways scrolling)."""
    return int(driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth"))


def wait_for_file(folder: Path, suffix: str, timeout: float = 60.0) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [p for p in folder.glob(f"*{suffix}") if p.stat().st_size > 0]
        if found:
            return found[0]
        time.sleep(0.2)
    raise TimeoutError(f"no {suffix} file appeared in {folder}")
