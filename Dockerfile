FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# collectstatic needs settings that pass the production checks; these values are build-time only.
RUN DJANGO_DEBUG=false DJANGO_SECRET_KEY=build-only-not-a-secret-build-only-not-a-secret-000000 \
    DJANGO_ALLOWED_HOSTS=build SITE_URL=https://build.invalid python manage.py collectstatic --noinput

RUN useradd --create-home consortium && mkdir -p /app/var && chown consortium /app/var
USER consortium
EXPOSE 8000
CMD ["gunicorn", "consortium.wsgi:application", "--preload", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
