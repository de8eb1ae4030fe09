#!/bin/sh
# Install nginx from Debian's package for the uWSGI-behind-nginx test
# (tests/deploy/test_uwsgi_nginx.py). The test runs its own nginx on a
# loopback port with a config in a temporary directory; the package's own
# service is not started.
#
# Idempotent: does nothing when /usr/sbin/nginx is already there.
# Never fails the build: if the package cannot be installed (not root, no
# apt-get, no network) it says so and exits 0, and the test is then skipped
# with a message.

NGINX=/usr/sbin/nginx
POLICY=/usr/sbin/policy-rc.d

if [ -x "$NGINX" ]; then
    echo "install-nginx: $NGINX is already installed."
    exit 0
fi

if [ "$(id -u)" != "0" ]; then
    echo "install-nginx: not root, cannot install nginx; the uWSGI + nginx test will be skipped."
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-nginx: apt-get not found, cannot install nginx; the uWSGI + nginx test will be skipped."
    exit 0
fi

# The package's postinst starts nginx on port 80 unless policy-rc.d says no
# (container images usually ship one that does); keep the machine free of a
# system nginx by denying it for the length of the install when none exists.
if [ ! -e "$POLICY" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$POLICY" && chmod 755 "$POLICY"
    trap 'rm -f "$POLICY"' EXIT
    trap 'exit 130' INT TERM
fi

echo "install-nginx: installing nginx with apt-get ..."
export DEBIAN_FRONTEND=noninteractive
if apt-get update -q >/dev/null \
    && apt-get install -y -q --no-install-recommends nginx >/dev/null; then
    echo "install-nginx: installed $("$NGINX" -v 2>&1 || echo nginx)."
else
    echo "install-nginx: could not install nginx; the uWSGI + nginx test will be skipped."
fi
exit 0
