import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consortium.settings")

application = get_wsgi_application()

# What start-up loaded (Django, the apps and their modules) lives as long as the process: moved out of
# the cyclic garbage collector's way, which otherwise goes over it again and again while pages are served
# (about 5 % of a search page's time in bench/jobs_search.py). With gunicorn's --preload, the collector's
# passes also stop writing to the memory the workers share with the master.
gc.freeze()
