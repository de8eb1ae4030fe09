"""The Flask 0.11/0.12 manual's examples, made to run on Flask 3.1.

One module per section (quickstart = chapter 4, patterns = chapter 20); each
defines ``app`` (or ``create_app``) and can be served from ``examples/``::

    cd examples && flask --app patterns.api_exceptions run

``tests/examples/test_quickstart.py`` and ``test_patterns.py`` check that
each behaves as the manual says (tests are named after the sections); where today's Flask or Werkzeug needed a change, the module's
docstring says what and why. Templates live in ``templates/<module>/``.

========================  ==============================================
module                    manual section
========================  ==============================================
quickstart_minimal        4.1 A Minimal Application, 4.3 Debug Mode
quickstart_routing        4.4 Routing, 4.5 Static Files
quickstart_templates      4.6 Rendering Templates
quickstart_request        4.7 Accessing Request Data
quickstart_redirects      4.8 Redirects and Errors
quickstart_responses      4.9 About Responses
quickstart_sessions       4.10 Sessions
quickstart_logging        4.12 Logging
quickstart_middleware     4.13 Hooking in WSGI Middlewares
larger_app/               20.1 Larger Applications
app_factories, exampleapp 20.2 Application Factories
app_dispatching           20.3 Application Dispatching
api_exceptions            20.4 Implementing API Exceptions
url_processors            20.5.1 URL Processors (application)
url_processors_blueprint  20.5.2 URL Processors (blueprint)
sqlite3_db                20.8 Using SQLite 3 with Flask
uploads                   20.10 Uploading Files
caching                   20.11 Caching
view_decorators           20.12 View Decorators
template_inheritance      20.14 Template Inheritance
flashing                  20.15 Message Flashing
ajax_json                 20.16 AJAX with jQuery (the server side)
error_pages               20.17 Custom Error Pages
lazyapp/                  20.18 Lazily Loading Views
favicon                   20.20 Adding a favicon
streaming                 20.21 Streaming Contents
deferred_callbacks        20.22 Deferred Request Callbacks
method_overrides          20.23 Adding HTTP Method Overrides
request_checksums         20.24 Request Content Checksums
subclassing               20.26 Subclassing Flask
========================  ==============================================

Not here, because they need more than Flask, Werkzeug, Jinja2, SQLite and
the standard library (or a service): 20.6 Deploying with Setuptools is shown
by Flaskr's packaging (``examples/flaskr``); 20.7 Fabric, 20.9 SQLAlchemy,
20.13 WTForms, 20.19 MongoKit and 20.25 Celery are not run.
"""
