"""Blueprint packages used by tests/test_blueprints.py.

Each module has a factory, so every test gets fresh blueprints whose
``root_path`` is the module's own directory.
"""
