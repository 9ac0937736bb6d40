from qwc_service.app import create_app
from qwc_service.config import Settings

app = create_app(Settings.from_env())
