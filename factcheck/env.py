"""Reading configuration from the environment and the untracked `.env` file.

Kept apart from settings so that settings read as a list of decisions, and so that the
generated development secret is written in exactly one place.
"""

from __future__ import annotations

import itertools
import os
import secrets
from pathlib import Path

DEVELOPMENT_KEY_PREFIX = "django-insecure-"
GENERATED_MARKER = "# Generated for local development on first start; never commit."


class ConfigurationError(RuntimeError):
    """A required setting is missing or malformed; raised at start-up, never later."""


def load_dotenv(path: Path) -> None:
    """Put `KEY=value` lines of `path` into `os.environ` without overriding what is already set.

    The real environment wins so that CI and containers can override a developer's `.env`.
    """
    if not path.exists():
        return
    for raw_line in path.read_text(encoding="utf-8").splitlines():
        line = raw_line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        os.environ.setdefault(key.strip(), value.strip().strip("'\""))


def ensure_development_secret(path: Path) -> str:
    """Return the development SECRET_KEY, generating it once into `path` if it is not there.

    Development must work with nothing configured, but a key committed to the repository
    would be a key known to everyone (doccano's and HackSoft's defaults are the warning).
    """
    existing = os.environ.get("SECRET_KEY")
    if existing:
        return existing
    # Django's own prefix for keys that must not reach production: `check --deploy` flags it,
    # and production refuses it (`refuse_development_secret`).
    key = DEVELOPMENT_KEY_PREFIX + secrets.token_urlsafe(50)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f"{GENERATED_MARKER}\nSECRET_KEY={key}\n")
    os.environ["SECRET_KEY"] = key
    return key


def refuse_development_secret(key: str, path: Path) -> None:
    """Stop production start-up if `key` is one development generated (into `path` or not).

    A key generated on a laptop sits in a file nobody guards; production silently used it.
    Keys generated before the prefix existed are recognised by the marker line above them.
    """
    generated: set[str] = set()
    if path.exists():
        lines = path.read_text(encoding="utf-8").splitlines()
        generated |= {
            line.partition("=")[2].strip().strip("'\"")
            for previous, line in itertools.pairwise(lines)
            if previous.strip() == GENERATED_MARKER and line.startswith("SECRET_KEY=")
        }
    if key.startswith(DEVELOPMENT_KEY_PREFIX) or key in generated:
        raise ConfigurationError(
            "SECRET_KEY is the development key generated into .env; production needs a secret "
            "of its own (set SECRET_KEY, and remove the generated line from the env file)."
        )


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str | None:
    """Read a string variable; a required one that is missing or empty stops start-up."""
    value = os.environ.get(name, "").strip()
    if value:
        return value
    if required:
        raise ConfigurationError(f"The environment variable {name} is required in production.")
    return default


def env_bool(name: str, *, default: bool) -> bool:
    """Read a boolean variable written as 1/0, true/false, yes/no or on/off."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, *, default: int) -> int:
    """Read an integer variable; a malformed one stops start-up with the variable's name."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be a whole number, not {value!r}.") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated list variable."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]
