"""WSGI entry point for production servers (gunicorn thuocdo.config.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thuocdo.config.settings")
application = get_wsgi_application()
