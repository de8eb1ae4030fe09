"""The models: a user has many posts; each post has one author."""

from __future__ import annotations

import datetime as dt

from flask_login import UserMixin
from werkzeug.security import check_password_hash
from werkzeug.security import generate_password_hash

from .extensions import db
from .extensions import login_manager


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    """UserMixin gives is_authenticated, is_active, is_anonymous and
    get_id() (the primary key as a string, what the user loader receives)."""

    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(80), unique=True, nullable=False)
    password_hash = db.Column(db.String(256), nullable=False)
    # The parent side of the one-to-many relationship.
    posts = db.relationship(
        "Post", back_populates="author", lazy="dynamic", order_by="Post.id"
    )

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.username!r}>"


class Post(db.Model):  # type: ignore[name-defined,misc]
    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.String(120), nullable=False)
    body = db.Column(db.Text, nullable=False, default="")
    created = db.Column(db.DateTime(timezone=True), nullable=False, default=_now)
    # The child side: a foreign key to the parent...
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False)
    # ...and the way back to it.
    author = db.relationship("User", back_populates="posts")

    def __repr__(self) -> str:
        return f"<Post {self.title!r}>"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Flask-Login calls this with the id stored in the session; it returns
    None for an unknown (or malformed) id, which logs the session out."""
    try:
        return db.session.get(User, int(user_id))
    except ValueError:
        return None
