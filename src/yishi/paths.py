"""Where the project's files are, for modules that need no settings (i18n finds its catalogs
here): `yishi tally` imports it without loading the settings' parser."""
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
