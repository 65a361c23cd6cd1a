# The web, worker and beat image: the locked dependencies on Python 3.11.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv UV_PYTHON_DOWNLOADS=never PATH="/opt/venv/bin:$PATH"
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
# Collect static files at build time; a throwaway key is enough for collectstatic.
RUN SECRET_KEY=build-only python manage.py collectstatic --noinput -v0
RUN useradd --create-home outcomes && mkdir -p /app/var && chown outcomes /app/var
USER outcomes
EXPOSE 8000
CMD ["gunicorn", "outcomes_site.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
