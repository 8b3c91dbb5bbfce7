"""The browser frontend: server-rendered pages and small ES modules over the same services.

Views read through `annotations.selectors` and write through `annotations.services` (or the
pages' JavaScript calls the REST API), so every rule exists once. Depends on selectors,
services and the API's output serializers; nothing depends on it.
"""
