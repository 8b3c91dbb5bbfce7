"""Creating projects: names are unique, also when two requests race."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from annotations.exceptions import InvalidInput
from annotations.models import Project
from annotations.services import project_create


def test_a_taken_name_is_a_400_naming_the_field(api: Any, superuser: Any) -> None:
    api.force_authenticate(superuser)
    first = api.post("/api/v1/projects", {"name": "Elections"}, format="json")
    assert first.status_code == 201
    second = api.post("/api/v1/projects", {"name": "  Elections "}, format="json")
    assert second.status_code == 400
    assert second.json() == {
        "code": "invalid",
        "message": "name: A project with this name already exists.",
        "fields": {"name": ["A project with this name already exists."]},
    }
    assert Project.objects.filter(name="Elections").count() == 1


@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True)
def test_two_racing_creations_of_one_name_give_one_project_and_one_clear_error() -> None:
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def create() -> None:
        barrier.wait()
        try:
            project_create(name="Race")
            outcomes.append("created")
        except InvalidInput as error:
            outcomes.append(error.fields["name"][0])
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["A project with this name already exists.", "created"]
    assert Project.objects.filter(name="Race").count() == 1
