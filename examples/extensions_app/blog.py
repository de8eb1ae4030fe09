"""The posts: a paginated index, a user's paginated page, and writing a post
(login required)."""

from __future__ import annotations

import typing as t

from flask_login import current_user
from flask_login import login_required

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from .extensions import db
from .forms import PostForm
from .models import Post
from .models import User

bp = Blueprint("blog", __name__)


@bp.route("/")
@bp.route("/page/<int:page>")
def index(page: int = 1) -> str:
    """Every post, newest first, ``POSTS_PER_PAGE`` a page. ``db.paginate``
    answers 404 for a page past the last one (or below 1)."""
    pagination = db.paginate(
        db.select(Post).order_by(Post.id.desc()),
        page=page,
        per_page=current_app.config["POSTS_PER_PAGE"],
    )
    return render_template("blog/index.html", pagination=pagination)


@bp.route("/user/<username>")
def user_posts(username: str) -> str:
    """One user's posts through the relationship's query, paginated with
    ``Query.paginate`` (``?page=N``)."""
    user = db.first_or_404(db.select(User).filter_by(username=username))
    pagination = (
        user.posts.order_by(None)
        .order_by(Post.id.desc())
        .paginate(
            page=request.args.get("page", 1, type=int),
            per_page=current_app.config["POSTS_PER_PAGE"],
        )
    )
    return render_template("blog/user.html", user=user, pagination=pagination)


@bp.route("/create", methods=["GET", "POST"])
@login_required
def create() -> t.Any:
    form = PostForm()
    if form.validate_on_submit():
        post = Post(title=form.title.data, body=form.body.data or "")
        current_user.posts.append(post)
        db.session.commit()
        flash("Your post is published.", "success")
        return redirect(url_for("blog.index"))
    return render_template("blog/create.html", form=form)
