import os

from django.core.wsgi import get_wsgi_application

from blog_project.database_config import serve_web

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blog_project.settings")
serve_web()  # before the settings are read: web processes get DATABASE_STATEMENT_TIMEOUT
application = get_wsgi_application()
