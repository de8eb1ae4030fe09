"""Setup-time registries shared by WSGI and other servers: no I/O, no context globals."""
