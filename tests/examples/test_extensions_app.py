"""examples/extensions_app run with the real Flask-Login, Flask-SQLAlchemy
and Flask-WTF (installed unchanged, with ``flask`` pinned to this checkout):
registration and login through CSRF-protected forms, ``login_required``,
the user loader, a one-to-many relationship, pagination, ``current_user`` in
templates, flashing and logout."""

from __future__ import annotations

import io
import re

import flask_login
import flask_sqlalchemy
import flask_wtf
import pytest
from extensions_app import create_app
from extensions_app import csrf
from extensions_app import db
from extensions_app import login_manager
from extensions_app import Post
from extensions_app import User
from extensions_app.models import load_user
from flask_sqlalchemy.record_queries import get_recorded_queries
from flask_sqlalchemy.track_modifications import models_committed
from flask_wtf.csrf import CSRFError
from flask_wtf.csrf import CSRFProtect
from flask_wtf.file import FileAllowed
from flask_wtf.file import FileField
from flask_wtf.file import FileRequired

from flask import Blueprint
from flask import Flask
from flask import session

CSRF_INPUT = re.compile(r'<input[^>]*name="?csrf_token"?[^>]*value="([^"]+)"')


def make_app(tmp_path, **config):
    options = {
        "TESTING": True,
        "SECRET_KEY": "test secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'blog.db'}",
        "WTF_CSRF_ENABLED": False,
        "POSTS_PER_PAGE": 3,
    }
    options.update(config)
    return create_app(options)


def dispose(app):
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path)
    yield app
    dispose(app)


@pytest.fixture
def csrf_app(tmp_path):
    """CSRF protection on, as in production."""
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    yield app
    dispose(app)


@pytest.fixture
def client(app):
    return app.test_client()


def add_user(app, username="alice", password="secret1", posts=0):
    with app.app_context():
        user = User(username=username)
        user.set_password(password)
        for i in range(1, posts + 1):
            user.posts.append(Post(title=f"{username} post {i}", body=f"body {i}"))
        db.session.add(user)
        db.session.commit()
        return user.id


def register(client, username="alice", password="secret1", confirm=None):
    return client.post(
        "/auth/register",
        data={
            "username": username,
            "password": password,
            "confirm": confirm or password,
        },
    )


def login(client, username="alice", password="secret1", **extra):
    return client.post(
        "/auth/login", data={"username": username, "password": password, **extra}
    )


def logout(client):
    return client.post("/auth/logout")


def csrf_token(client, path):
    """Fetch a page and read the hidden csrf_token field from its form."""
    rv = client.get(path)
    assert rv.status_code == 200
    match = CSRF_INPUT.search(rv.get_data(as_text=True))
    assert match is not None, "no csrf_token field on " + path
    return match.group(1)


# -- the extensions are bound -------------------------------------------------


def test_extensions_bound_with_init_app(app):
    assert isinstance(app.extensions["sqlalchemy"], flask_sqlalchemy.SQLAlchemy)
    assert app.extensions["csrf"] is csrf
    assert isinstance(csrf, flask_wtf.csrf.CSRFProtect)
    assert app.login_manager is login_manager
    assert isinstance(login_manager, flask_login.LoginManager)
    assert login_manager._user_callback is load_user
    assert login_manager.login_view == "auth.login"


def test_flask_shell_context_has_db_and_models(app):
    """Flask-SQLAlchemy's shell context processor (``flask shell`` runs it
    inside an app context)."""
    with app.app_context():
        context = app.make_shell_context()
    assert context["app"] is app
    assert context["db"] is db
    assert context["User"] is User and context["Post"] is Post


def test_one_set_of_extensions_serves_two_apps(tmp_path):
    """The init_app pattern: the same ``db``/``login_manager`` objects serve
    independent applications with their own databases."""
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    one = make_app(tmp_path / "one")
    two = make_app(tmp_path / "two")
    try:
        add_user(one, "only_in_one")
        c1, c2 = one.test_client(), two.test_client()
        assert login(c1, "only_in_one").status_code == 302
        rv = login(c2, "only_in_one")
        assert rv.status_code == 200
        assert "Invalid username or password." in rv.get_data(as_text=True)
        assert "Logged in as only_in_one" in c1.get("/").get_data(as_text=True)
        with one.app_context():
            assert db.session.scalar(db.select(db.func.count(User.id))) == 1
        with two.app_context():
            assert db.session.scalar(db.select(db.func.count(User.id))) == 0
    finally:
        dispose(one)
        dispose(two)


# -- registration and login through the forms, CSRF on -----------------------


def test_register_login_logout_with_csrf_tokens(csrf_app):
    client = csrf_app.test_client()

    token = csrf_token(client, "/auth/register")
    rv = client.post(
        "/auth/register",
        data={
            "csrf_token": token,
            "username": "alice",
            "password": "secret1",
            "confirm": "secret1",
        },
    )
    assert rv.status_code == 302
    assert rv.location == "/auth/login"
    with csrf_app.app_context():
        user = db.session.execute(
            db.select(User).filter_by(username="alice")
        ).scalar_one()
        assert user.password_hash != "secret1"
        assert user.check_password("secret1")

    page = client.get("/auth/login").get_data(as_text=True)
    assert "Registration complete: you can log in now." in page  # flashed
    token = CSRF_INPUT.search(page).group(1)
    rv = client.post(
        "/auth/login",
        data={"csrf_token": token, "username": "alice", "password": "secret1"},
    )
    assert rv.status_code == 302
    assert rv.location == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Logged in as alice" in page
    assert "Welcome back, alice!" in page

    # Writing a post is a CSRF-protected form too.
    token = csrf_token(client, "/create")
    rv = client.post(
        "/create", data={"csrf_token": token, "title": "Hello", "body": "First!"}
    )
    assert rv.status_code == 302
    assert "<h2>Hello</h2>" in client.get("/").get_data(as_text=True)

    # The logout button is a POST form carrying csrf_token() from the layout.
    token = csrf_token(client, "/")
    assert client.post("/auth/logout").status_code == 400
    rv = client.post("/auth/logout", data={"csrf_token": token})
    assert rv.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Not logged in" in page
    assert "You were logged out." in page


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (None, "The CSRF token is missing."),
        ("forged", "The CSRF token is invalid."),
    ],
)
def test_post_without_valid_csrf_token_is_rejected(csrf_app, token, message):
    client = csrf_app.test_client()
    csrf_token(client, "/auth/register")  # the session now holds a CSRF secret
    data = {"username": "mallory", "password": "secret1", "confirm": "secret1"}
    if token is not None:
        data["csrf_token"] = token
    rv = client.post("/auth/register", data=data)
    assert rv.status_code == 400
    assert message in rv.get_data(as_text=True)
    with csrf_app.app_context():
        assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_csrf_exemptions_and_error_handler():
    """CSRFProtect finds exempt views through ``request.endpoint`` and
    ``app.view_functions``, exempt blueprints through ``request.blueprint``;
    its CSRFError (a BadRequest) reaches an ``errorhandler``."""
    app = Flask(__name__)
    app.config.update(SECRET_KEY="k")
    protect = CSRFProtect(app)
    api = Blueprint("api", __name__, url_prefix="/api")

    @api.post("/hook")
    def hook():
        return "api ok"

    @app.post("/webhook")
    @protect.exempt
    def webhook():
        return "webhook ok"

    @app.post("/form")
    def form():
        return "form ok"

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return f"custom: {e.description}", 400

    protect.exempt(api)
    app.register_blueprint(api)
    client = app.test_client()
    assert client.post("/webhook").get_data(as_text=True) == "webhook ok"
    assert client.post("/api/hook").get_data(as_text=True) == "api ok"
    rv = client.post("/form")
    assert rv.status_code == 400
    assert rv.get_data(as_text=True) == "custom: The CSRF token is missing."


def test_csrf_token_from_another_session_is_rejected(csrf_app):
    add_user(csrf_app)
    token = csrf_token(csrf_app.test_client(), "/auth/login")
    other = csrf_app.test_client()
    rv = other.post(
        "/auth/login",
        data={"csrf_token": token, "username": "alice", "password": "secret1"},
    )
    assert rv.status_code == 400
    assert "The CSRF session token is missing." in rv.get_data(as_text=True)
    assert "Not logged in" in other.get("/").get_data(as_text=True)


def test_registration_form_validators(client):
    rv = register(client, "alice", "secret1", confirm="secret2")
    assert rv.status_code == 200
    assert "Passwords differ." in rv.get_data(as_text=True)

    rv = register(client, "al", "secret1")
    assert "Field must be between 3 and 80 characters long." in rv.get_data(
        as_text=True
    )
    rv = register(client, "bad name!", "secret1")
    assert "Letters, digits and underscores only." in rv.get_data(as_text=True)

    assert register(client, "alice", "secret1").status_code == 302
    rv = register(client, "alice", "another1")
    assert rv.status_code == 200
    assert "That username is taken." in rv.get_data(as_text=True)


def test_login_with_wrong_password_flashes_and_stays_anonymous(client, app):
    add_user(app)
    rv = login(client, "alice", "wrong")
    assert rv.status_code == 200
    page = rv.get_data(as_text=True)
    assert '<div class="flash error">Invalid username or password.</div>' in page
    assert "Not logged in" in page
    rv = login(client, "nobody", "secret1")
    assert "Invalid username or password." in rv.get_data(as_text=True)
    with client.session_transaction() as sess:
        assert "_user_id" not in sess


def test_empty_login_form_shows_required_errors(client):
    rv = client.post("/auth/login", data={})
    assert rv.status_code == 200
    assert rv.get_data(as_text=True).count("This field is required.") == 2


class UploadForm(flask_wtf.FlaskForm):
    attachment = FileField(validators=[FileRequired(), FileAllowed(["txt"])])


@pytest.mark.parametrize(
    ("filename", "valid"), [("notes.txt", True), ("script.exe", False)]
)
def test_flask_wtf_reads_uploads_from_request_files(app, filename, valid):
    """The community guide's "Passing data to WTForms and Flask-WTF": a
    FlaskForm combines ``request.form`` and ``request.files`` itself."""
    data = {"attachment": (io.BytesIO(b"hello"), filename)}
    with app.test_request_context("/", method="POST", data=data):
        form = UploadForm()
        assert form.validate_on_submit() is valid
        assert form.attachment.data.filename == filename
        if valid:
            assert form.attachment.data.read() == b"hello"
        else:
            assert form.attachment.errors == [
                "File does not have an approved extension: txt"
            ]

    with app.test_request_context("/", method="POST", data={}):
        form = UploadForm()
        assert not form.validate_on_submit()
        assert form.attachment.errors == ["This field is required."]


# -- login_required and the user loader ---------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_login_required_redirects_to_login_view(client, method):
    rv = client.open("/create", method=method, data={"title": "x"})
    assert rv.status_code == 302
    assert rv.location == "/auth/login?next=%2Fcreate"
    page = client.get(rv.location).get_data(as_text=True)
    assert '<div class="flash info">Please log in to access this page.</div>' in page


def test_logout_requires_login(client):
    rv = logout(client)
    assert rv.status_code == 302
    assert rv.location.startswith("/auth/login?next=")


def test_login_goes_back_to_next_page(client, app):
    add_user(app)
    rv = client.post(
        "/auth/login?next=%2Fcreate", data={"username": "alice", "password": "secret1"}
    )
    assert rv.location == "/create"
    assert client.get("/create").status_code == 200


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x"])
def test_login_ignores_next_to_another_site(client, app, target):
    add_user(app)
    rv = client.post(
        "/auth/login",
        query_string={"next": target},
        data={"username": "alice", "password": "secret1"},
    )
    assert rv.location == "/"


def test_user_loader(app, client):
    uid = add_user(app)
    with app.app_context():
        assert load_user(str(uid)).username == "alice"
        assert load_user(str(uid + 100)) is None
        assert load_user("not a number") is None

    assert login(client).status_code == 302
    with client:
        client.get("/")
        assert session["_user_id"] == str(uid)  # what UserMixin.get_id() gave
        assert flask_login.current_user.is_authenticated
        assert flask_login.current_user.id == uid
        assert flask_login.current_user.username == "alice"


def test_unknown_user_id_in_session_is_anonymous(app, client):
    add_user(app)
    with client.session_transaction() as sess:
        sess["_user_id"] = "12345"
        sess["_fresh"] = True
    with client:
        page = client.get("/").get_data(as_text=True)
        assert "Not logged in" in page
        assert flask_login.current_user.is_anonymous
    assert client.get("/create").status_code == 302


def test_remember_me_cookie_logs_in_a_new_session(app, client):
    add_user(app)
    rv = login(client, remember="y")
    assert rv.status_code == 302
    cookie = client.get_cookie("remember_token")
    assert cookie is not None and cookie.http_only

    fresh = app.test_client()
    fresh.set_cookie("remember_token", cookie.value)
    assert "Logged in as alice" in fresh.get("/").get_data(as_text=True)


def test_current_user_in_templates(app, client):
    add_user(app, "bob", "hunter22")
    page = client.get("/").get_data(as_text=True)
    assert "Not logged in" in page
    assert 'href="/auth/login"' in page and "New post" not in page

    login(client, "bob", "hunter22")
    page = client.get("/").get_data(as_text=True)
    assert "Logged in as bob" in page
    assert 'href="/create"' in page
    assert 'action="/auth/logout"' in page


def test_logout(app, client):
    add_user(app)
    login(client)
    rv = logout(client)
    assert rv.status_code == 302
    assert rv.location == "/"
    with client.session_transaction() as sess:
        assert "_user_id" not in sess
    page = client.get("/").get_data(as_text=True)
    assert "You were logged out." in page and "Not logged in" in page
    assert client.get("/create").status_code == 302


def test_logged_in_user_skips_login_and_register(app, client):
    add_user(app)
    login(client)
    assert client.get("/auth/login").location == "/"
    assert client.get("/auth/register").location == "/"


def test_login_signals_sent_with_the_app(app, client):
    """Flask-Login's signals live in a ``flask.signals.Namespace``."""
    seen = []

    def record(name):
        def receiver(sender, user, **extra):
            seen.append((name, sender, user.username))

        return receiver

    on_login, on_logout = record("in"), record("out")
    add_user(app)
    with flask_login.user_logged_in.connected_to(on_login, app):
        with flask_login.user_logged_out.connected_to(on_logout, app):
            login(client)
            logout(client)
    assert seen == [("in", app, "alice"), ("out", app, "alice")]


def test_strong_session_protection_drops_a_moved_session(tmp_path):
    """``SESSION_PROTECTION = "strong"`` ties the login to the client's
    address and User-Agent (read from ``request``): another browser sending
    the same cookie is logged out."""
    app = make_app(tmp_path, SESSION_PROTECTION="strong")
    try:
        add_user(app)
        client = app.test_client()
        headers = {"User-Agent": "browser-one"}
        client.post(
            "/auth/login",
            data={"username": "alice", "password": "secret1"},
            headers=headers,
        )
        page = client.get("/", headers=headers).get_data(as_text=True)
        assert "Logged in as alice" in page
        page = client.get("/", headers={"User-Agent": "browser-two"}).get_data(
            as_text=True
        )
        assert "Not logged in" in page
        assert client.get("/create", headers=headers).status_code == 302
    finally:
        dispose(app)


def test_login_disabled_config(tmp_path):
    app = make_app(tmp_path, LOGIN_DISABLED=True)
    try:
        assert app.test_client().get("/create").status_code == 200
    finally:
        dispose(app)


# -- the one-to-many relationship ---------------------------------------------


def test_user_has_many_posts(app):
    uid = add_user(app, "alice", posts=3)
    add_user(app, "bob", posts=1)
    with app.app_context():
        alice = db.session.get(User, uid)
        titles = [post.title for post in alice.posts]
        assert titles == ["alice post 1", "alice post 2", "alice post 3"]
        assert alice.posts.count() == 3
        for post in alice.posts:
            assert post.author is alice
            assert post.user_id == uid
            assert post.created is not None
        bob_post = db.session.execute(
            db.select(Post).filter_by(title="bob post 1")
        ).scalar_one()
        assert bob_post.author.username == "bob"
        assert bob_post not in alice.posts.all()


def test_post_written_through_the_view_belongs_to_current_user(app, client):
    uid = add_user(app)
    login(client)
    rv = client.post("/create", data={"title": "Via the form", "body": "text"})
    assert rv.status_code == 302
    assert "Your post is published." in client.get("/").get_data(as_text=True)
    with app.app_context():
        post = db.session.execute(db.select(Post)).scalar_one()
        assert post.author.id == uid
        assert post.title == "Via the form"


def test_post_form_needs_a_title(app, client):
    add_user(app)
    login(client)
    rv = client.post("/create", data={"title": "", "body": "text"})
    assert rv.status_code == 200
    assert "This field is required." in rv.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Post.id))) == 0


def test_models_committed_signal(tmp_path):
    """Flask-SQLAlchemy's modification tracking sends its signal with the
    current app (``SQLALCHEMY_TRACK_MODIFICATIONS``)."""
    app = make_app(tmp_path, SQLALCHEMY_TRACK_MODIFICATIONS=True)
    committed = []

    def receiver(sender, changes):
        committed.extend((type(obj).__name__, op) for obj, op in changes)

    try:
        with models_committed.connected_to(receiver, app):
            add_user(app, posts=1)
        assert sorted(committed) == [("Post", "insert"), ("User", "insert")]
    finally:
        dispose(app)


def test_recorded_queries_kept_on_g(tmp_path):
    app = make_app(tmp_path, SQLALCHEMY_RECORD_QUERIES=True)
    try:
        add_user(app, posts=2)
        with app.test_request_context():
            assert get_recorded_queries() == []
            db.session.execute(db.select(Post)).scalars().all()
            queries = get_recorded_queries()
        assert len(queries) == 1
        assert "FROM post" in queries[0].statement
        assert queries[0].duration >= 0
    finally:
        dispose(app)


def test_db_session_scoped_to_the_app_context(app):
    with app.app_context():
        outer = db.session()
        with app.app_context():
            inner = db.session()
        assert db.session() is outer
    assert inner is not outer


# -- pagination ---------------------------------------------------------------


def titles_on(page_html):
    return re.findall(r"<h2>([^<]*)</h2>", page_html)


def test_index_is_paginated_newest_first(app, client):
    add_user(app, "alice", posts=7)  # 3 a page: pages of 3, 3 and 1

    page = client.get("/").get_data(as_text=True)
    assert titles_on(page) == ["alice post 7", "alice post 6", "alice post 5"]
    assert "Page 1 of 3 (7 posts)" in page
    assert 'class=next href="/page/2"' in page
    assert "class=prev" not in page
    assert client.get("/page/1").get_data(as_text=True) == page

    page = client.get("/page/2").get_data(as_text=True)
    assert titles_on(page) == ["alice post 4", "alice post 3", "alice post 2"]
    assert "Page 2 of 3" in page
    assert 'class=prev href="/page/1"' in page
    assert 'class=next href="/page/3"' in page

    page = client.get("/page/3").get_data(as_text=True)
    assert titles_on(page) == ["alice post 1"]
    assert "class=next" not in page


@pytest.mark.parametrize("path", ["/page/4", "/page/99", "/page/0"])
def test_index_page_out_of_range_is_404(app, client, path):
    add_user(app, "alice", posts=7)
    assert client.get(path).status_code == 404


def test_empty_index_has_one_page(client):
    page = client.get("/").get_data(as_text=True)
    assert "No posts yet." in page
    assert client.get("/page/2").status_code == 404


def test_user_page_paginates_with_query_paginate(app, client):
    add_user(app, "alice", posts=4)
    add_user(app, "bob", posts=2)
    page = client.get("/user/alice").get_data(as_text=True)
    assert titles_on(page) == ["alice post 4", "alice post 3", "alice post 2"]
    assert 'href="/user/alice?page=2"' in page
    page = client.get("/user/alice?page=2").get_data(as_text=True)
    assert titles_on(page) == ["alice post 1"]
    assert client.get("/user/alice?page=3").status_code == 404
    assert titles_on(client.get("/user/bob").get_data(as_text=True)) == [
        "bob post 2",
        "bob post 1",
    ]
    assert client.get("/user/nobody").status_code == 404


# -- several instances, one deployment (docs/deployment.md, "Scaling out") ----


@pytest.fixture
def twin_apps(tmp_path):
    """Two instances of the app, as on two machines behind a load balancer:
    same database, same SECRET_KEY."""
    apps = [make_app(tmp_path, WTF_CSRF_ENABLED=True) for _ in range(2)]
    yield apps
    for app in apps:
        dispose(app)


def test_session_and_csrf_token_valid_on_every_instance(twin_apps):
    one, two = twin_apps
    add_user(one)
    client = one.test_client()
    token = csrf_token(client, "/auth/login")  # form rendered by instance one
    cookie = client.get_cookie("session").value

    other = two.test_client()  # the same browser, routed to instance two
    other.set_cookie("session", cookie)
    rv = other.post(
        "/auth/login",
        data={"csrf_token": token, "username": "alice", "password": "secret1"},
    )
    assert rv.status_code == 302
    client.set_cookie("session", other.get_cookie("session").value)
    assert "Logged in as alice" in client.get("/").get_data(as_text=True)


def test_instance_with_another_secret_key_rejects_sessions(tmp_path):
    one = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    odd = make_app(tmp_path, WTF_CSRF_ENABLED=True, SECRET_KEY="another key")
    try:
        add_user(one)
        client = one.test_client()
        token = csrf_token(client, "/auth/login")
        rv = client.post(
            "/auth/login",
            data={"csrf_token": token, "username": "alice", "password": "secret1"},
        )
        assert rv.status_code == 302
        cookie = client.get_cookie("session").value

        stranger = odd.test_client()
        stranger.set_cookie("session", cookie)
        assert "Not logged in" in stranger.get("/").get_data(as_text=True)
        rv = stranger.post("/create", data={"csrf_token": token, "title": "x"})
        assert rv.status_code == 400
        assert "The CSRF session token is missing." in rv.get_data(as_text=True)
    finally:
        dispose(one)
        dispose(odd)


def test_rotated_secret_key_accepts_old_sessions_through_fallbacks(tmp_path):
    old = make_app(tmp_path)
    new = make_app(tmp_path, SECRET_KEY="new key", SECRET_KEY_FALLBACKS=["test secret"])
    try:
        add_user(old)
        client = old.test_client()
        assert login(client).status_code == 302
        rotated = new.test_client()
        rotated.set_cookie("session", client.get_cookie("session").value)
        assert "Logged in as alice" in rotated.get("/").get_data(as_text=True)
    finally:
        dispose(old)
        dispose(new)
