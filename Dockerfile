# Production image: gunicorn (web, pixorga/gunicorn_conf.py) or celery (worker, beat) on external PostgreSQL
# and Redis; docker-compose.yml runs it. Nothing secret is baked in.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=pixorga.settings.prod \
    PIXORGA_ADDRESS=0.0.0.0:8000
WORKDIR /app

COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir . && useradd --create-home --uid 1000 pixorga
COPY . .
# collectstatic needs settings to import; these throw-away values are never used at run time.
RUN DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=localhost DATABASE_URL=postgresql://build@localhost/build \
    REDIS_URL=redis://localhost:6379/0 python manage.py collectstatic --noinput \
    && mkdir -p /app/var/media /app/var/beat && chown -R pixorga /app/var

USER pixorga
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s CMD ["python", "-m", "pixorga.healthcheck", "web"]
CMD ["gunicorn", "-c", "python:pixorga.gunicorn_conf", "pixorga.wsgi:application"]
