"""The WSGI application gunicorn serves, built in each worker from the environment."""

from qwc_service.app import create_app
from qwc_service.config import Settings

app = create_app(Settings.from_env())
