# One image for web, worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 1000 factcheck
WORKDIR /app

COPY pyproject.toml ./
RUN pip install --no-cache-dir . && pip uninstall -y factcheck

COPY --chown=factcheck:factcheck . .
RUN DJANGO_ENV=development SECRET_KEY=build-only python manage.py collectstatic --noinput
# The jobs folder (a shared volume in compose) starts out owned by the app's user.
RUN mkdir -p /var/lib/factcheck/jobs && chown factcheck:factcheck /var/lib/factcheck/jobs

USER factcheck
EXPOSE 8000
CMD ["gunicorn", "-c", "gunicorn.conf.py", "factcheck.wsgi:application"]
