"""examples/extensions_app (Flask-Login, Flask-SQLAlchemy, Flask-WTF) with
``async def`` views that use the extensions, for the ASGI deployment
tests. The example is unchanged; the factory adds:

* ``GET /api/posts/mine``: an ``async def`` view (awaited on the server's
  loop) listing ``current_user``'s posts as JSON, 401 when anonymous.
* ``POST /api/posts``: an ``async def`` view creating a post from a
  ``PostForm`` (Flask-WTF, its CSRF token checked by ``CSRFProtect`` and by
  the form) through the SQLAlchemy session; 201 with the post as JSON.
* ``GET /api/whoami``: an ``async def`` view behind Flask-Login's plain
  ``login_required`` decorator (which calls it through ``ensure_sync``).

Served by ``uvicorn --factory asgi_extensions:create_app`` with examples/
and tests/deploy on the path, configured by ``EXTENSIONS_APP_*``
environment variables."""

from __future__ import annotations

import asyncio
import threading
import typing as t

from extensions_app import create_app as create_blog
from extensions_app import db
from extensions_app import Post
from extensions_app.forms import PostForm
from flask_login import current_user
from flask_login import login_required

from flask import Flask


def _post_json(post: Post) -> dict[str, t.Any]:
    return {
        "id": post.id,
        "title": post.title,
        "body": post.body,
        "author": post.author.username,
    }


def _where() -> str:
    return threading.current_thread().name


def create_app() -> Flask:
    """The example's app with the ``/api`` views."""
    app = create_blog()

    @app.get("/api/posts/mine")
    async def my_posts() -> t.Any:
        await asyncio.sleep(0)
        if not current_user.is_authenticated:
            return {"error": "login required"}, 401
        posts = db.session.execute(
            db.select(Post).filter_by(user_id=current_user.id).order_by(Post.id)
        ).scalars()
        return {
            "user": current_user.username,
            "posts": [_post_json(p) for p in posts],
            "thread": _where(),
        }

    @app.post("/api/posts")
    async def create_post() -> t.Any:
        await asyncio.sleep(0)
        if not current_user.is_authenticated:
            return {"error": "login required"}, 401
        form = PostForm()
        if not form.validate_on_submit():
            return {"errors": form.errors}, 400
        post = Post(title=form.title.data, body=form.body.data or "")
        current_user.posts.append(post)
        db.session.commit()
        return {**_post_json(post), "thread": _where()}, 201

    @app.get("/api/whoami")
    @login_required
    async def whoami() -> t.Any:
        await asyncio.sleep(0)
        return {"user": current_user.username, "thread": _where()}

    return app
