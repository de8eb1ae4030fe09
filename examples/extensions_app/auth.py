"""Registration, login and logout."""

from __future__ import annotations

import typing as t
from urllib.parse import urlsplit

from flask_login import current_user
from flask_login import login_required
from flask_login import login_user
from flask_login import logout_user

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from .extensions import db
from .forms import LoginForm
from .forms import RegistrationForm
from .models import User

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _safe_next(target: str | None) -> str | None:
    """Only follow ``next`` to a path on this site (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/"):
        return None
    return target


@bp.route("/register", methods=["GET", "POST"])
def register() -> t.Any:
    if current_user.is_authenticated:
        return redirect(url_for("blog.index"))
    form = RegistrationForm()
    if form.validate_on_submit():
        user = User(username=form.username.data)
        user.set_password(form.password.data)
        db.session.add(user)
        db.session.commit()
        flash("Registration complete: you can log in now.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
def login() -> t.Any:
    if current_user.is_authenticated:
        return redirect(url_for("blog.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.execute(
            db.select(User).filter_by(username=form.username.data)
        ).scalar_one_or_none()
        if user is None or not user.check_password(form.password.data):
            flash("Invalid username or password.", "error")
        else:
            login_user(user, remember=form.remember.data)
            flash(f"Welcome back, {user.username}!", "success")
            return redirect(
                _safe_next(request.args.get("next")) or url_for("blog.index")
            )
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> t.Any:
    logout_user()
    flash("You were logged out.", "info")
    return redirect(url_for("blog.index"))
