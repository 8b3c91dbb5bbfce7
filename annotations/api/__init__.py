"""REST API views, one module per area; each view authenticates, validates, calls one service
or selector, and serializes. Depends on services, selectors and permissions, never the reverse.
"""
