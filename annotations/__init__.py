"""The factcheck domain: projects, documents, pre-annotation, review, adjudication, audit.

Dependency direction: models <- selectors/services <- api/admin/tasks/commands. The plain
Python packages (`preannotation`, `importing`) import nothing from Django.
"""
