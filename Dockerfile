# Production image: gunicorn (web) or celery (worker) on external PostgreSQL and Redis.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=pixorga.settings.prod
WORKDIR /app

COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir . && useradd --create-home --uid 1000 pixorga
COPY . .
# collectstatic needs settings to import; these throw-away values are never used at run time.
RUN DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=localhost DATABASE_URL=postgresql://build@localhost/build \
    REDIS_URL=redis://localhost:6379/0 python manage.py collectstatic --noinput \
    && mkdir -p /app/var/media && chown -R pixorga /app/var

USER pixorga
EXPOSE 8000
CMD ["gunicorn", "pixorga.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
