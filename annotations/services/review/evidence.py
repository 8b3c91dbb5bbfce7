"""Evidence links on one's own spans: public http(s) addresses only."""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime
from urllib.parse import urlsplit

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from annotations import clock
from annotations.exceptions import InvalidInput, NotFound, quoted
from annotations.models import EvidenceLink, EvidenceStance, Span
from annotations.services.audit import audit_record
from annotations.services.review.open_work import lock_open_assignment, touch

EVIDENCE_URL_MAX_CHARS = 2000
EVIDENCE_TITLE_MAX_CHARS = 500
_EVIDENCE_URL_VALIDATOR = URLValidator(schemes=["http", "https"])
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def evidence_add(
    *,
    span: Span,
    actor: User,
    url: str,
    stance: str,
    title: str = "",
    quoted_passage: str = "",
    version: int | None = None,
    now: datetime | None = None,
) -> EvidenceLink:
    """Attach an evidence link (http or https only) to a span of one's own open assignment.

    Raises InvalidInput (url, stance, title), WrongState/LeaseExpired/StaleVersion (409). Locks
    the assignment in a durable transaction; renews the lease, raises the version; writes an
    audit row.
    """
    now = now or clock.now()
    url = url.strip()
    if len(url) > EVIDENCE_URL_MAX_CHARS:
        raise InvalidInput(
            "url: Too long.", fields={"url": [f"At most {EVIDENCE_URL_MAX_CHARS} characters."]}
        )
    try:
        # The model field's own validator: a host, no blank space, and never a ValueError from
        # urlsplit on input such as "http://[::1". It lets control characters through.
        _EVIDENCE_URL_VALIDATOR(url)
        if _CONTROL_CHARS.search(url):
            raise ValidationError("control characters")
    except ValidationError as error:
        raise InvalidInput(
            "url: Only http and https links are accepted.",
            fields={"url": ["Must be an http:// or https:// address with a host."]},
        ) from error
    if not _public_host(url):
        raise InvalidInput(
            "url: Not a public address.",
            fields={
                "url": [
                    "Must point to a public site, not localhost or a private, loopback, "
                    "link-local or reserved address."
                ]
            },
        )
    # Store the scheme in lower case: the database's check compares case-sensitively.
    scheme, rest = url.split("://", 1)
    url = f"{scheme.lower()}://{rest}"
    if stance not in EvidenceStance.values:
        raise InvalidInput(
            f"stance: Unknown stance {quoted(stance)}.",
            fields={"stance": [f"Must be one of {', '.join(EvidenceStance.values)}."]},
        )
    if len(title) > EVIDENCE_TITLE_MAX_CHARS:
        raise InvalidInput(
            "title: Too long.",
            fields={"title": [f"At most {EVIDENCE_TITLE_MAX_CHARS} characters."]},
        )
    with transaction.atomic(durable=True):
        locked = lock_open_assignment(span.assignment_id, actor=actor, version=version, now=now)
        if not Span.objects.filter(pk=span.pk).exists():
            raise NotFound("No such span.")
        link = EvidenceLink.objects.create(
            span=span,
            url=url,
            title=title,
            stance=stance,
            quoted_passage=quoted_passage,
            added_by=actor,
        )
        touch(locked, now)
        audit_record(
            actor=actor,
            action="evidence.added",
            entity=link,
            project=locked.project,
            after={
                "span": span.pk,
                "url": url,
                "stance": stance,
                "title": title,
                "quoted_passage": quoted_passage,
            },
        )
    link.span = span
    span.assignment = locked
    return link


def evidence_delete(
    *, link: EvidenceLink, actor: User, version: int, now: datetime | None = None
) -> int:
    """Remove an evidence link from a span of one's own open assignment; return the new version.

    Raises WrongState/LeaseExpired/StaleVersion (409). Locks the assignment in a durable
    transaction; renews the lease, raises the version; writes an audit row.
    """
    now = now or clock.now()
    with transaction.atomic(durable=True):
        locked = lock_open_assignment(
            link.span.assignment_id, actor=actor, version=version, now=now
        )
        audit_record(
            actor=actor,
            action="evidence.deleted",
            entity=link,
            project=locked.project,
            before={
                "span": link.span_id,
                "url": link.url,
                "stance": link.stance,
                "title": link.title,
                "quoted_passage": link.quoted_passage,
            },
        )
        EvidenceLink.objects.filter(pk=link.pk).delete()
        touch(locked, now)
    return locked.version


def _public_host(url: str) -> bool:
    """False for links to this machine or a private network: evidence is for every reviewer and
    lead to open, and a link to `localhost` or `169.254.169.254` only ever reaches the reader's
    own network (a way to aim a colleague's browser at an intranet page). No DNS lookup: names
    are judged by their spelling only, so this is a guard against mistakes and crude tricks.
    """
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return True
    return address.is_global
