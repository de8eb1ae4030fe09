"""20.2.3 Using Applications: the module ``flask --app`` can find."""

from patterns.app_factories import create_app

app = create_app("app_factories.cfg")
