"""4.4 Routing and 4.5 Static Files.

Changes for today's Flask: none. The manual's ``do_the_login`` and
``show_the_login_form`` are left undefined there; here they return text.
"""

from flask import Flask
from flask import request

app = Flask(__name__)


@app.route("/")
def index():
    return "Index Page"


@app.route("/hello")
def hello():
    return "Hello, World"


# 4.4.1 Variable Rules


@app.route("/user/<username>")
def show_user_profile(username):
    # show the user profile for that user
    return f"User {username}"


@app.route("/post/<int:post_id>")
def show_post(post_id):
    # show the post with the given id, the id is an integer
    return f"Post {post_id:d}"


# Unique URLs / Redirection Behavior


@app.route("/projects/")
def projects():
    return "The project page"


@app.route("/about")
def about():
    return "The about page"


# 4.4.2 URL Building (``url_for('profile', username='John Doe')``)


@app.route("/profile/<username>")
def profile(username):
    return f"Profile of {username}"


# 4.4.3 HTTP Methods


def do_the_login():
    return "Logging in {}".format(request.form.get("username", ""))


def show_the_login_form():
    return '<form method="post"><input name="username"><input type="submit"></form>'


@app.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        return do_the_login()
    else:
        return show_the_login_form()
