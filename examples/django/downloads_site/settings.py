"""
Minimal settings for the RawZipServer manifest-backend example.

No database: sessions live in a signed cookie (django.contrib.sessions' signed_cookies backend),
so the example runs with nothing but Debian's python3-django. A real application keeps its
usual auth and session setup; only the view in downloads/views.py matters to RawZipServer.
"""
import os

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "example-only-not-a-secret")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = ["downloads"]
MIDDLEWARE = ["django.contrib.sessions.middleware.SessionMiddleware"]
ROOT_URLCONF = "downloads_site.urls"
DATABASES = {}
USE_TZ = True

SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
SESSION_COOKIE_HTTPONLY = True

# The example's only account; a real application uses django.contrib.auth.
DEMO_USERS = {"alice": os.environ.get("DEMO_PASSWORD", "wonderland")}

# Optional: the Auth:SigningSecret of RawZipServer, for /signed-link/<id> (signed links, SPEC §3).
RAWZIP_SIGNING_SECRET = os.environ.get("RAWZIP_SIGNING_SECRET", "")
RAWZIP_PUBLIC_URL = os.environ.get("RAWZIP_PUBLIC_URL", "http://127.0.0.1:8080")
