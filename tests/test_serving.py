"""Production serving: gunicorn as configured, static files, slow clients, the proxy's config.

A real gunicorn is started in production mode on a port of its own; no Docker engine runs here,
so the compose stack itself is checked by its configuration (test_compose_file).
"""

from __future__ import annotations

import getpass
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from tests.conftest import ROOT

PORT = 8105
pytestmark = pytest.mark.requires_postgres


def production_env(static_root: Path) -> dict[str, str]:
    keep = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_ENV", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"}
    }
    return keep | {
        "DJANGO_ENV": "production",
        "SECRET_KEY": "serving-test-" + "Zq9-2_xY!aBcD" * 4,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": str(static_root),
        "FACTCHECK_ENV_FILE": str(static_root.parent / ".env"),
        "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15",
        "GUNICORN_BIND": f"127.0.0.1:{PORT}",
        "GUNICORN_WORKERS": "1",
    }


def fetch(url: str, timeout: float) -> Any:
    assert url.startswith("http://127.0.0.1:")
    return urllib.request.urlopen(url, timeout=timeout)  # noqa: S310 - our own test server


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as folder:
        static_root = Path(folder) / "static"
        env = production_env(static_root)
        collected = subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert collected.returncode == 0, collected.stderr
        os.environ["_FACTCHECK_TEST_STATIC_ROOT"] = str(static_root)
        process = subprocess.Popen(  # noqa: S603 - gunicorn with our own config file
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "-c",
                str(ROOT / "gunicorn.conf.py"),
                "factcheck.wsgi:application",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if process.poll() is not None:
                    pytest.fail(f"gunicorn exited: {process.stderr.read()[-2000:]!r}")
                try:
                    socket.create_connection(("127.0.0.1", PORT), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.3)
            else:
                pytest.fail("gunicorn did not start")
            os.environ["_FACTCHECK_TEST_GUNICORN_PID"] = str(process.pid)
            yield f"http://127.0.0.1:{PORT}"
        finally:
            process.terminate()
            process.wait(timeout=30)


def test_production_serves_the_admins_static_files_without_a_proxy(server: str) -> None:
    with fetch(f"{server}/static/admin/css/base.css", timeout=10) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/css")
        assert b"body" in response.read()


def test_production_serves_the_api_docs_assets_from_the_app(server: str) -> None:
    with fetch(f"{server}/api/docs/", timeout=10) as response:
        page = response.read().decode()
    assert "cdn.jsdelivr" not in page
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    asset = f"{server}/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"
    with fetch(asset, timeout=10) as response:
        assert response.status == 200


def tcp_peer_ports(pid: int) -> set[int]:
    """The remote ports of the process's open TCP connections (from /proc, IPv4 and IPv6)."""
    inodes = set()
    for descriptor in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(descriptor)
        except FileNotFoundError:  # closed meanwhile (the listing's own descriptor, say)
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    ports = set()
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[9] in inodes:
                ports.add(int(fields[2].rsplit(":", 1)[1], 16))
    return ports


def test_the_preloaded_master_holds_no_database_or_broker_connection(server: str) -> None:
    """The app is loaded once in gunicorn's master and its workers forked from it (memory
    shared); a connection opened there would be shared by every worker, mixing their replies."""
    with fetch(f"{server}/api/v1/health", timeout=10) as response:  # a worker uses the database
        assert response.status == 200
    master = int(os.environ["_FACTCHECK_TEST_GUNICORN_PID"])
    services = {
        urlsplit(os.environ.get(name, "")).port or default
        for name, default in (("DATABASE_URL", 5432), ("REDIS_URL", 6379))
    }
    assert not tcp_peer_ports(master) & services


def assert_answers_despite_slow_clients(base: str, port: int, clients: int) -> None:
    """Open `clients` connections that send headers and one byte of a 100 KB body, then check
    that the health endpoint still answers within a few seconds."""
    slow = []
    for _ in range(clients):
        connection = socket.create_connection(("127.0.0.1", port), timeout=5)
        connection.sendall(
            b"POST /api/v1/auth/token HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"
        )
        slow.append(connection)
    try:
        started = time.monotonic()
        with fetch(f"{base}/api/v1/health", timeout=10) as response:
            assert response.status == 200
        assert time.monotonic() - started < 5
    finally:
        for connection in slow:
            connection.close()


def test_slow_clients_do_not_starve_the_server(server: str) -> None:
    """Four clients trickling a body used to hold every sync worker until gunicorn killed it."""
    assert_answers_despite_slow_clients(server, PORT, clients=4)


def test_gunicorn_uses_threads_and_the_proxy_buffers_and_serves_static() -> None:
    config: dict[str, object] = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), config)  # noqa: S102 - our own config file
    assert config["worker_class"] == "gthread"
    assert int(str(config["threads"])) >= 4
    assert config["preload_app"] is True
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    proxy = compose["services"]["proxy"]
    assert proxy["image"].startswith("nginx:")
    assert proxy["depends_on"]["web"]["condition"] == "service_healthy"
    assert "ports" not in compose["services"]["web"]
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "proxy_request_buffering on;" in nginx
    assert "location /static/" in nginx
    assert "client_max_body_size 8m;" in nginx
    assert "X-Real-IP $remote_addr" in nginx
    web_volumes = compose["services"]["web"]["volumes"]
    assert any(volume.startswith("static:") for volume in web_volumes)
    assert any(volume.startswith("static:") for volume in proxy["volumes"])


NGINX_PORT = 8106


@pytest.fixture(scope="module")
def proxy(server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """deploy/nginx.conf, as compose runs it, in front of the test's gunicorn."""
    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if nginx is None:
        pytest.skip("needs nginx (apt-get install nginx-light; .ci/run installs it)")
    folder = tmp_path_factory.mktemp("nginx")
    static_root = Path(os.environ["_FACTCHECK_TEST_STATIC_ROOT"])
    site = (
        (ROOT / "deploy" / "nginx.conf")
        .read_text()
        .replace("server web:8000;", f"server 127.0.0.1:{PORT};")
        .replace("listen 80;", f"listen 127.0.0.1:{NGINX_PORT};")
        .replace("alias /srv/static/;", f"alias {static_root}/;")
    )
    temp = {name: folder / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    (folder / "nginx.conf").write_text(
        # Workers run as this user (it is the test's), so they can read its static folder.
        (f"user {getpass.getuser()};\n" if os.geteuid() == 0 else "")
        + f"daemon off; pid {folder}/nginx.pid; error_log {folder}/error.log;\n"
        "events {}\n"
        "http {\n include /etc/nginx/mime.types; access_log off;\n"
        f" client_body_temp_path {temp['body']}; proxy_temp_path {temp['proxy']};\n"
        f" fastcgi_temp_path {temp['fastcgi']}; uwsgi_temp_path {temp['uwsgi']};\n"
        f" scgi_temp_path {temp['scgi']};\n{site}\n}}\n"
    )
    process = subprocess.Popen(  # noqa: S603 - nginx with the config written above
        [nginx, "-p", str(folder), "-c", str(folder / "nginx.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"nginx exited: {process.stderr.read()!r}")
            try:
                socket.create_connection(("127.0.0.1", NGINX_PORT), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        yield f"http://127.0.0.1:{NGINX_PORT}"
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_the_proxy_serves_static_files_and_passes_the_api_through(proxy: str) -> None:
    with fetch(f"{proxy}/static/admin/css/base.css", timeout=10) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/css")
    with fetch(f"{proxy}/api/v1/health", timeout=10) as response:
        assert response.status == 200


def test_the_proxy_refuses_a_10_mb_body_in_the_json_error_shape(proxy: str) -> None:
    request = urllib.request.Request(  # noqa: S310 - our own test proxy
        f"{proxy}/api/v1/auth/token",
        data=b"{" + b" " * (10 * 1024 * 1024) + b"}",
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=30)  # noqa: S310 - our own test proxy
    assert error.value.code == 413
    body = json.loads(error.value.read())
    assert body["code"] == "too_large"


def test_slow_clients_through_the_proxy_cost_no_gunicorn_thread(proxy: str) -> None:
    # More slow clients than the test's gunicorn has threads (8): nginx holds them all.
    assert_answers_despite_slow_clients(proxy, NGINX_PORT, clients=12)
